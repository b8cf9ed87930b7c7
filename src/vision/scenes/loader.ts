// Batches of scene images for the scene tasks: normalisation statistics, and a re-iterable
// loader that normalises uint8 images on the fly (a new shuffle each epoch).
import { type Tensor, tensor, tidy } from "../../core/index.js";
import { DataLoader, TensorDataset } from "../../data/index.js";
import type { Batch } from "../../train/trainer.js";
import type { GeneratorSettings } from "./task-data.js";

export interface ImagePreprocessing {
  size: number;
  mean: number[];
  std: number[];
  /** The scene generator's settings when trained on generated scenes. */
  generator: GeneratorSettings | null;
}

/** Per-channel mean and std of uint8 [N, 3, H, W] images in [0, 1]. */
export function imageStats(images: Tensor): { mean: number[]; std: number[] } {
  return tidy(() => {
    const x = images.narrow(0, 0, Math.min(images.shape[0]!, 2000)).float().div(255);
    return {
      mean: x.mean({ dim: [0, 2, 3] }).toArray() as number[],
      std: (x.std({ dim: [0, 2, 3] }).toArray() as number[]).map((s) => Math.max(s, 1e-3)),
    };
  });
}

/** uint8 [B, 3, H, W] → normalised float32. */
export function normalise(x: Tensor, p: ImagePreprocessing): Tensor {
  return tidy(() =>
    x
      .float()
      .div(255)
      .sub(tensor(p.mean, { shape: [1, 3, 1, 1] }))
      .div(tensor(p.std, { shape: [1, 3, 1, 1] })),
  );
}

/** A re-iterable batch source over (images, targets) that normalises images on the fly. */
export function sceneLoader(
  images: Tensor,
  targets: Tensor,
  p: ImagePreprocessing,
  o: { batchSize: number; shuffle: boolean; seed: number },
) {
  let epoch = 0;
  async function* run(seed: number): AsyncGenerator<Batch> {
    const loader = new DataLoader(new TensorDataset(images, targets), { batchSize: o.batchSize, shuffle: o.shuffle, seed });
    for await (const [x, y] of loader as AsyncIterable<Tensor[]>) {
      const xf = normalise(x!, p);
      x!.dispose();
      yield [xf, y!];
    }
  }
  return { length: Math.ceil(images.shape[0]! / o.batchSize), [Symbol.asyncIterator]: () => run(o.seed + epoch++)[Symbol.asyncIterator]() };
}

/**
 * Like sceneLoader, but each epoch's (images, targets) come from `make(epoch)` and are freed
 * after it: generated data can show fresh scenes every epoch instead of repeating a fixed set.
 */
export function epochLoader(
  make: (epoch: number) => Promise<[Tensor, Tensor]>,
  count: number,
  p: ImagePreprocessing,
  o: { batchSize: number; shuffle: boolean; seed: number },
) {
  let epoch = 0;
  async function* run(e: number): AsyncGenerator<Batch> {
    const [images, targets] = await make(e);
    try {
      yield* sceneLoader(images, targets, p, { ...o, seed: o.seed + e });
    } finally {
      images.dispose();
      targets.dispose();
    }
  }
  return { length: Math.ceil(count / o.batchSize), [Symbol.asyncIterator]: () => run(epoch++)[Symbol.asyncIterator]() };
}
