// Flambeau side of the data-loading workload: Fashion-MNIST test images through a Dataset
// whose get(i) augments one image (uint8 → float, pad 2 + random 28×28 crop, random
// horizontal flip: src/vision's transforms), batched by the DataLoader with 2 worker threads.
import { fileURLToPath } from "node:url";
import * as fl from "flambeau";
import { fashionMnist } from "../src/data/fashion-mnist.js";
import { RandomCrop, RandomHorizontalFlip } from "../src/vision/transforms/random.js";
import type { RunOptions, RunResult } from "./workload.js";

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

export async function dataLoading(o: RunOptions): Promise<RunResult> {
  const n = o.smoke ? 128 : 6400;
  const ds = await augmentedFashion(n);
  const loader = new fl.data.DataLoader(ds, { batchSize: 64, shuffle: true, seed: 0, numWorkers: DATA_WORKERS });
  let t0 = 0;
  let seen = 0;
  for await (const [x, y] of loader) {
    // Steady state: the clock starts at the first batch, after the workers have started.
    if (t0 === 0) t0 = performance.now();
    else seen += x.shape[0]!;
    x.dispose();
    y.dispose();
  }
  const s = (performance.now() - t0) / 1000;
  await loader.close();
  return { metrics: { imagesPerS: seen / s } };
}
