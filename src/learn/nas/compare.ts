// `flambeau nas`: a DARTS search on a small slice of an image set, then the derived cell's
// network and the zoo's small-cnn retrained from scratch on the same images for the same
// epochs with the same loop, at (as nearly as the sizes allow) the same parameter count: the
// cell network's channels are chosen to match small-cnn's count at the given width. Both are
// scored on the test split; nas.json records the cell, α, both counts and both accuracies.

import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, type Tensor, tensor, tidy } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { mulberry32, shuffleInPlace } from "../../data/random.js";
import { writeTextAtomic } from "../../io/atomic.js";
import type { Module } from "../../nn/module.js";
import { Adam } from "../../optim/adam.js";
import { loadImageData, take } from "../../vision/image-data.js";
import { SmallCNN } from "../../vision/models/small-cnn.js";
import { accuracy, type DartsOptions, dartsSearch, type ImageSet } from "./darts.js";
import type { Genotype } from "./genotype.js";
import { CellNetwork } from "./network.js";

type Classifier = Module & { forward(x: Tensor): Tensor };

export interface NasOptions extends Omit<DartsOptions, "numClasses" | "log" | "epochs"> {
  /** Training images (IDX folder, ImageFolder, or fashion-mnist). */
  data: string;
  /** Test images (default: the test split of `data`). */
  val?: string;
  out: string;
  /** Images the search sees (default 3000, halved between w and α). */
  searchLimit?: number;
  /** Epochs of the search (default 3). */
  searchEpochs?: number;
  /** Images both networks are retrained on (default: the search's). */
  trainLimit?: number;
  /** Test images scored (default 2000). */
  testLimit?: number;
  /** Retraining epochs of both networks (default 3). */
  epochs?: number;
  /** small-cnn's width in the comparison (default 8): the cell network is sized to its parameter count. */
  width?: number;
  /** Retraining peak learning rate of both (Adam, default 2e-3). */
  retrainLr?: number;
  log?: (line: string) => void;
}

export interface NasReport {
  genotype: Genotype;
  alpha: number[][];
  search: {
    images: number;
    epochs: number;
    channels: number;
    seconds: number;
    history: { epoch: number; loss: number; archAccuracy: number }[];
  };
  retrain: { images: number; testImages: number; epochs: number };
  cell: { channels: number; parameters: number; accuracy: number; seconds: number };
  smallCnn: { width: number; parameters: number; accuracy: number; seconds: number };
}

/** Float images scaled to [0, 1] and standardised by the training images' mean and std. */
function standardise(images: Tensor, stats?: { mean: number; std: number }): { x: Tensor; mean: number; std: number } {
  return tidy(() => {
    const f = images.float().div(255);
    const mean = stats?.mean ?? (f.mean().item() as number);
    const std = stats?.std ?? (f.std().item() as number);
    return {
      x: f
        .sub(mean)
        .div(std || 1)
        .keep(),
      mean,
      std,
    };
  });
}

/** The same loop for both networks: Adam, cosine-annealed rate, shuffled minibatches. */
export function trainClassifier(model: Classifier, d: ImageSet, o: { epochs: number; batchSize: number; lr: number; seed: number }): void {
  manualSeed(o.seed);
  const rand = mulberry32(o.seed);
  const n = d.y.shape[0]!;
  const opt = new Adam(model.parameters(), { lr: o.lr });
  const steps = Math.ceil(n / o.batchSize);
  for (let e = 0; e < o.epochs; e++) {
    model.train();
    const order = shuffleInPlace(
      Array.from({ length: n }, (_, i) => i),
      rand,
    );
    for (let s = 0; s < steps; s++) {
      const t = e * steps + s;
      for (const g of opt.paramGroups) g.lr = 0.5 * o.lr * (1 + Math.cos((Math.PI * t) / (o.epochs * steps)));
      tidy(() => {
        opt.zeroGrad();
        const idx = tensor(order.slice(s * o.batchSize, (s + 1) * o.batchSize), { dtype: "int64" });
        crossEntropy(model.forward(d.x.indexSelect(0, idx)) as Tensor, d.y.indexSelect(0, idx)).backward();
        opt.step();
      });
    }
  }
}

/** The cell network's channels whose parameter count is nearest `target` (ties: the smaller). */
export function matchChannels(make: (c: number) => Classifier, target: number, max = 128): { channels: number; parameters: number } {
  let best = { channels: 1, parameters: make(1).numParameters() };
  for (let c = 2; c <= max; c++) {
    const p = make(c).numParameters();
    if (Math.abs(p - target) < Math.abs(best.parameters - target)) best = { channels: c, parameters: p };
    if (p > target) break;
  }
  return best;
}

export async function runNas(o: NasOptions): Promise<NasReport> {
  const log = o.log ?? (() => {});
  for (const [k, v] of Object.entries({
    searchLimit: o.searchLimit,
    searchEpochs: o.searchEpochs,
    trainLimit: o.trainLimit,
    testLimit: o.testLimit,
    epochs: o.epochs,
    width: o.width,
  }))
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= 1))
      throw new FlambeauError("E_ARG", `nas: ${k} must be a positive integer, got ${v}`);
  const searchLimit = o.searchLimit ?? 3000;
  const trainLimit = o.trainLimit ?? searchLimit;
  const train = take(await loadImageData(o.data, "train"), Math.max(searchLimit, trainLimit));
  const test = take(await loadImageData(o.val ?? o.data, "test"), o.testLimit ?? 2000);
  const numClasses = train.classes.length;
  const [inChannels, size] = [train.images.shape[1]!, train.images.shape[2]!];
  if (train.images.shape[3] !== size) throw new FlambeauError("E_ARG", `nas: square images only, got ${size}×${train.images.shape[3]}`);
  const std = standardise(train.images);
  const all: ImageSet = { x: std.x, y: train.labels };
  const slice = (d: ImageSet, m: number): ImageSet => ({ x: d.x.narrow(0, 0, m), y: d.y.narrow(0, 0, m) });
  const testSet: ImageSet = { x: standardise(test.images, std).x, y: test.labels };
  const seed = o.seed ?? 0;
  const searchEpochs = o.searchEpochs ?? 3;
  const channels = o.channels ?? 8;
  log(`nas: DARTS search on ${Math.min(searchLimit, all.y.shape[0]!)} images, ${searchEpochs} epochs, ${channels} channels per node`);
  const found = dartsSearch(slice(all, Math.min(searchLimit, all.y.shape[0]!)), { ...o, numClasses, channels, epochs: searchEpochs, log });
  log(`nas: cell ${JSON.stringify(found.genotype.nodes)}`);
  const width = o.width ?? 8;
  const smallCnn = () => new SmallCNN({ inChannels, numClasses, size, width, depth: 2 });
  const target = smallCnn().numParameters();
  const cellNet = (c: number) => new CellNetwork({ inChannels, numClasses, channels: c, cells: o.cells, genotype: found.genotype });
  const match = matchChannels(cellNet, target);
  const epochs = o.epochs ?? 3;
  const retrainSet = slice(all, Math.min(trainLimit, all.y.shape[0]!));
  const fit = (name: string, model: Classifier) => {
    const t0 = performance.now();
    trainClassifier(model, retrainSet, { epochs, batchSize: o.batchSize ?? 64, lr: o.retrainLr ?? 2e-3, seed });
    const acc = accuracy(model, testSet);
    const seconds = (performance.now() - t0) / 1000;
    log(`nas: ${name}: ${model.numParameters()} parameters, test accuracy ${acc.toFixed(4)} (${seconds.toFixed(0)} s)`);
    return { accuracy: acc, seconds };
  };
  const cell = fit(`cell network (${match.channels} channels)`, cellNet(match.channels));
  const base = fit(`small-cnn (width ${width})`, smallCnn());
  const report: NasReport = {
    genotype: found.genotype,
    alpha: found.alpha,
    search: {
      images: Math.min(searchLimit, all.y.shape[0]!),
      epochs: searchEpochs,
      channels,
      seconds: found.seconds,
      history: found.history,
    },
    retrain: { images: retrainSet.y.shape[0]!, testImages: testSet.y.shape[0]!, epochs },
    cell: { channels: match.channels, parameters: match.parameters, ...cell },
    smallCnn: { width, parameters: target, ...base },
  };
  await mkdir(o.out, { recursive: true });
  await writeTextAtomic("nas", join(o.out, "nas.json"), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}
