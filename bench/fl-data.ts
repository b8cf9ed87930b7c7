// Flambeau side of the data-loading workload: Fashion-MNIST test images through a Dataset
// whose get(i) augments one image (uint8 → float, pad 2 + random 28×28 crop, random
// horizontal flip: src/vision's transforms), batched by the DataLoader with 2 worker threads.
import { fileURLToPath } from "node:url";
import * as fl from "flambeau";
import { fashionMnist } from "../src/data/fashion-mnist.js";
import { RandomCrop, RandomHorizontalFlip } from "../src/vision/transforms/random.js";
import { median, type RunOptions, type RunResult } from "./workload.js";

export const DATA_WORKERS = 2;

/** A worker re-creates this from `workerSpec()`; each thread seeds its own augmentation. */
export async function augmentedFashion(limit: number, seed = 0): Promise<fl.data.Dataset<[fl.Tensor, fl.Tensor]>> {
  const { images, labels } = await fashionMnist({ split: "test" });
  const n = Math.min(limit, images.shape[0]!);
  const crop = new RandomCrop(28, { padding: 2, seed });
  const flip = new RandomHorizontalFlip(0.5, { seed: seed + 1 });
  return {
    length: n,
    get: (i: number): [fl.Tensor, fl.Tensor] =>
      fl.tidy(() => [flip.apply(crop.apply(images.select(0, i).unsqueeze(0).float().div(255))), labels.select(0, i)]),
    workerSpec: () => ({ module: fileURLToPath(import.meta.url), export: "augmentedFashion", args: [limit, seed + 7] }),
  };
}

/** Images per second of one pass over the loader, the clock starting at its first batch. */
async function epochImagesPerS(loader: fl.data.DataLoader<[fl.Tensor, fl.Tensor]>): Promise<number> {
  let t0 = 0;
  let seen = 0;
  for await (const [x, y] of loader) {
    if (t0 === 0) t0 = performance.now();
    else seen += x.shape[0]!;
    x.dispose();
    y.dispose();
  }
  return seen / ((performance.now() - t0) / 1000);
}

/**
 * Three epochs over one loader (its workers live across epochs, as PyTorch's persistent_workers):
 * the first is reported apart — fresh worker threads run it while V8 is still compiling the
 * augmentation's call path — and the steady state is the median of the next two.
 */
export async function dataLoading(o: RunOptions): Promise<RunResult> {
  const n = o.smoke ? 128 : 6400;
  const ds = await augmentedFashion(n);
  const loader = new fl.data.DataLoader(ds, { batchSize: 64, shuffle: true, seed: 0, numWorkers: DATA_WORKERS });
  const epochs: number[] = [];
  for (let e = 0; e < (o.smoke ? 1 : 3); e++) epochs.push(await epochImagesPerS(loader));
  await loader.close();
  return { metrics: { imagesPerS: o.smoke ? epochs[0]! : median(epochs.slice(1)), firstEpochImagesPerS: epochs[0]! } };
}
