// `flambeau nas`: a search (regularized evolution or DARTS) on a small slice of an image set,
// then the found cell's network and the zoo's small-cnn retrained from scratch on the same
// images for the same epochs with the same loop, at (as nearly as the sizes allow) the same
// parameter count: the cell network's channels are chosen to match small-cnn's count at the
// given width. Both are scored on the test split; nas.json records the search, the cell, both
// counts and both accuracies, and genotype.json the cell alone, for
// `flambeau train image-classification --model nas-cell --genotype DIR --width CHANNELS`.

import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tidy } from "../../core/index.js";
import { writeTextAtomic } from "../../io/atomic.js";
import type { Module } from "../../nn/module.js";
import { loadImageData, take } from "../../vision/image-data.js";
import type { Genotype } from "../../vision/models/nas/genotype.js";
import { GENOTYPE_FILE, saveGenotype } from "../../vision/models/nas/genotype-file.js";
import { CellNetwork } from "../../vision/models/nas/network.js";
import { SmallCNN } from "../../vision/models/small-cnn.js";
import { accuracy, type DartsOptions, dartsSearch, type ImageSet } from "./darts.js";
import { type Candidate, type EvolutionOptions, evolutionSearch } from "./evolution.js";
import { trainClassifier } from "./fit.js";

export { trainClassifier };

type Classifier = Module & { forward(x: Tensor): Tensor };

export type NasMethod = "evolution" | "darts";

export interface NasOptions
  extends Omit<DartsOptions, "numClasses" | "log" | "epochs">,
    Omit<EvolutionOptions, "numClasses" | "log" | "channels" | "nodes" | "cells" | "batchSize" | "lr" | "seed"> {
  /** Training images (IDX folder, ImageFolder, or fashion-mnist). */
  data: string;
  /** Test images (default: the test split of `data`). */
  val?: string;
  out: string;
  /** Search method (default "evolution"). */
  method?: NasMethod;
  /** Images the search sees (default 3000; DARTS halves them between w and α, evolution holds out `searchVal`). */
  searchLimit?: number;
  /** Evolution: of the search images, those held out to score each cell (default a fifth). */
  searchVal?: number;
  /** DARTS: epochs of the search (default 3). */
  searchEpochs?: number;
  /** Retrain both networks here and score them on the test split (default true). */
  retrain?: boolean;
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
  method: NasMethod;
  genotype: Genotype;
  /** DARTS: softmax(α), [edges][ops]. */
  alpha?: number[][];
  search: {
    images: number;
    seconds: number;
    /** DARTS: channels per node of the search network, and per epoch its loss and accuracy on α's half. */
    channels: number;
    epochs?: number;
    history?: { epoch: number; loss: number; archAccuracy: number }[];
    /** Evolution: held-out images, the best cell's proxy accuracy and every scored cell. */
    heldOut?: number;
    accuracy?: number;
    candidates?: Candidate[];
  };
  /** The cell network's channels nearest small-cnn's parameter count at `width`. */
  match: { width: number; smallCnnParameters: number; channels: number; parameters: number };
  retrain?: { images: number; testImages: number; epochs: number };
  cell?: { channels: number; parameters: number; accuracy: number; seconds: number };
  smallCnn?: { width: number; parameters: number; accuracy: number; seconds: number };
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
  const method = o.method ?? "evolution";
  if (method !== "evolution" && method !== "darts")
    throw new FlambeauError("E_ARG", `nas: method must be evolution or darts, got ${JSON.stringify(method)}`);
  for (const [k, v] of Object.entries({
    searchLimit: o.searchLimit,
    searchVal: o.searchVal,
    searchEpochs: o.searchEpochs,
    trainLimit: o.trainLimit,
    testLimit: o.testLimit,
    epochs: o.epochs,
    width: o.width,
  }))
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= 1))
      throw new FlambeauError("E_ARG", `nas: ${k} must be a positive integer, got ${v}`);
  const retrain = o.retrain ?? true;
  const searchLimit = o.searchLimit ?? 3000;
  const trainLimit = o.trainLimit ?? searchLimit;
  const train = take(await loadImageData(o.data, "train"), Math.max(searchLimit, retrain ? trainLimit : 0));
  const numClasses = train.classes.length;
  const [inChannels, size] = [train.images.shape[1]!, train.images.shape[2]!];
  if (train.images.shape[3] !== size) throw new FlambeauError("E_ARG", `nas: square images only, got ${size}×${train.images.shape[3]}`);
  const std = standardise(train.images);
  const all: ImageSet = { x: std.x, y: train.labels };
  const slice = (d: ImageSet, from: number, m: number): ImageSet => ({ x: d.x.narrow(0, from, m), y: d.y.narrow(0, from, m) });
  const seed = o.seed ?? 0;
  const channels = o.channels ?? 8;
  const searched = Math.min(searchLimit, all.y.shape[0]!);
  let genotype: Genotype;
  let search: NasReport["search"];
  let alpha: number[][] | undefined;
  if (method === "darts") {
    const searchEpochs = o.searchEpochs ?? 3;
    log(`nas: DARTS search on ${searched} images, ${searchEpochs} epochs, ${channels} channels per node`);
    const found = dartsSearch(slice(all, 0, searched), { ...o, numClasses, channels, epochs: searchEpochs, log });
    ({ genotype, alpha } = found);
    search = { images: searched, seconds: found.seconds, channels, epochs: searchEpochs, history: found.history };
  } else {
    const heldOut = o.searchVal ?? Math.floor(searched / 5);
    if (heldOut >= searched) throw new FlambeauError("E_ARG", `nas: searchVal (${heldOut}) must be below the search images (${searched})`);
    log(
      `nas: regularized evolution on ${searched - heldOut} images, scored on ${heldOut} held-out training images, ${channels} channels per node`,
    );
    const found = evolutionSearch(slice(all, 0, searched - heldOut), slice(all, searched - heldOut, heldOut), {
      ...o,
      numClasses,
      channels,
      log,
    });
    genotype = found.genotype;
    search = { images: searched, seconds: found.seconds, channels, heldOut, accuracy: found.accuracy, candidates: found.history };
  }
  log(`nas: cell ${JSON.stringify(genotype.nodes)}`);
  const width = o.width ?? 8;
  const smallCnn = () => new SmallCNN({ inChannels, numClasses, size, width, depth: 2 });
  const target = smallCnn().numParameters();
  const cellNet = (c: number) => new CellNetwork({ inChannels, numClasses, channels: c, cells: o.cells, genotype });
  const match = matchChannels(cellNet, target);
  log(`nas: ${match.channels} channels per node give ${match.parameters} parameters against small-cnn's ${target} at width ${width}`);
  const report: NasReport = {
    method,
    genotype,
    ...(alpha ? { alpha } : {}),
    search,
    match: { width, smallCnnParameters: target, ...match },
  };
  if (retrain) {
    const test = take(await loadImageData(o.val ?? o.data, "test"), o.testLimit ?? 2000);
    const testSet: ImageSet = { x: standardise(test.images, std).x, y: test.labels };
    const epochs = o.epochs ?? 3;
    const retrainSet = slice(all, 0, Math.min(trainLimit, all.y.shape[0]!));
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
    report.retrain = { images: retrainSet.y.shape[0]!, testImages: testSet.y.shape[0]!, epochs };
    report.cell = { channels: match.channels, parameters: match.parameters, ...cell };
    report.smallCnn = { width, parameters: target, ...base };
  }
  await mkdir(o.out, { recursive: true });
  await saveGenotype(join(o.out, GENOTYPE_FILE), genotype);
  await writeTextAtomic("nas", join(o.out, "nas.json"), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}
