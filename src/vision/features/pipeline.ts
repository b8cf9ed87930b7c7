// The classic image pipeline of the shallow side of `flambeau compare`: HOG descriptors
// plus intensity/colour histograms, read from the same splits as image-classification
// (same seeded validation carve, same training subset), then a linear model on top.

import { cat, manualSeed, type Tensor, tensor, tidy } from "../../core/index.js";
import { rowKeys } from "../../data/split-keys.js";
import { untrainedIndices } from "../../data/split-overlap.js";
import type { ShallowPipeline, ShallowSplits } from "../../tasks/baseline.js";
import { carveValidation, loadImageData, take } from "../image-data.js";
import { colorHistogram } from "./color-histogram.js";
import { hog } from "./hog.js";

/** Cells of ~1/7 of the side (4 px on 28 px images) and 2×2-cell blocks. */
function hogOptions(size: number) {
  const cell = Math.max(4, Math.round(size / 7));
  return { orientations: 9, pixelsPerCell: [cell, cell] as const, cellsPerBlock: [2, 2] as const };
}

/** HOG and intensity/colour histograms of uint8 images [N, C, H, W] → [N, F]. */
export function imageShallowFeatures(x: Tensor): Tensor {
  return tidy(() => {
    const parts: Tensor[] = [];
    // Batches of 4,096 keep the float64 gradient images small.
    for (let i = 0; i < x.shape[0]!; i += 4096) {
      const b = x.narrow(0, i, Math.min(4096, x.shape[0]! - i));
      parts.push(cat([hog(b, hogOptions(x.shape[2]!)), colorHistogram(b, 16)], 1));
    }
    return cat(parts, 0);
  });
}

export const imageShallowPipeline: ShallowPipeline<Tensor> = {
  name: "HOG + intensity histogram → logistic regression",
  async load(data, o): Promise<ShallowSplits<Tensor>> {
    // image-classification seeds first and carves 10% for validation before --limit.
    manualSeed(o.seed);
    const all = await loadImageData(data, "train", {});
    const size = all.images.shape[2];
    const { train: carved, val } = carveValidation(all, 0.1);
    all.images.dispose();
    all.labels.dispose();
    const available = carved.images.shape[0]!;
    let train = carved;
    if (o.limit !== undefined && o.limit < available) {
      const t = take(carved, o.limit);
      train = { ...t, images: t.images.clone(), labels: t.labels.clone() };
      carved.images.dispose();
      carved.labels.dispose();
    }
    const read = await loadImageData(data, "test", { classes: all.classes, size });
    // One ImageFolder: test on the images this seed's training did not use (what eval scores then).
    const keys = (d: { images: Tensor }) => rowKeys(d.images.data() as Uint8Array, d.images.numel / Math.max(1, d.images.shape[0]!));
    const untrained = untrainedIndices(keys(train), keys(read));
    let test = read;
    if (untrained) {
      const idx = tensor(BigInt64Array.from(untrained, BigInt));
      test = { ...read, images: read.images.indexSelect(0, idx), labels: read.labels.indexSelect(0, idx) };
      for (const t of [idx, read.images, read.labels]) t.dispose();
    }
    const split = (d: { images: Tensor; labels: Tensor }) => ({ x: d.images, y: d.labels, n: d.images.shape[0]! });
    return { train: split(train), val: split(val), test: split(test), classes: all.classes, available, features: imageShallowFeatures };
  },
  inspect: async (dir, data) => (await import("./inspect-model.js")).inspectImageClassifier(dir, data),
  dispose(s) {
    for (const t of [s.train.x, s.train.y, s.val.x, s.val.y, s.test.x, s.test.y]) t.dispose();
  },
};
