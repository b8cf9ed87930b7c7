// Mini-batch training of a molecule model on a fixed split, on the Trainer: AdamW, seeded
// shuffles, the weights of the best validation epoch kept (ROC-AUC for classes, RMSE for
// values). Regression targets are standardised with the training set's mean and std. A batch
// is a list of molecule indices; data parallel, each rank takes every N-th molecule of it.
import { FlambeauError } from "../../core/errors.js";
import { noGrad, tensor, tidy } from "../../core/index.js";
import { crossEntropy, mseLoss } from "../../core/ops/loss.js";
import { mulberry32 } from "../../data/random.js";
import { AdamW } from "../../optim/index.js";
import type { Logs } from "../../train/callbacks.js";
import { meanAbsoluteError, meanSquaredError, rocAuc } from "../../train/metrics.js";
import type { ProgressSink } from "../../train/progress.js";
import { claimRunDistill, runDistillPending } from "../../train/run-settings.js";
import { Trainer } from "../../train/trainer.js";
import type { MoleculeInput, MoleculeModel } from "../models/molecule-models.js";
import { batchMolecules, type MoleculeArrays } from "./features.js";

export interface PreparedMolecules {
  mode: "classification" | "regression";
  arrays: MoleculeArrays[];
  /** Fingerprint bits per molecule (fp-mlp input). */
  fingerprints: Uint8Array[];
  /** Class index (classification) or raw value (regression) per molecule. */
  targets: number[];
  numClasses: number;
}

export interface Standardizer {
  mean: number;
  std: number;
}

export interface MoleculeFitOptions {
  epochs: number;
  lr: number;
  batchSize: number;
  seed: number;
  weightDecay?: number;
  progress?: ProgressSink;
  /** Names the run in the divergence error. */
  name?: string;
}

export interface MoleculeFitResult {
  epochs: Logs[];
  bestEpoch: number;
  seconds: number;
  standardizer: Standardizer;
}

/** The model's input for molecules `idx` (build inside tidy). */
export function inputOf(
  model: MoleculeModel,
  data: Pick<PreparedMolecules, "arrays" | "fingerprints">,
  idx: readonly number[],
): MoleculeInput {
  if (model.hyper.arch === "fp-mlp") {
    const bits = model.hyper.inChannels;
    const x = new Float32Array(idx.length * bits);
    idx.forEach((i, r) => {
      const fp = data.fingerprints[i]!;
      for (let k = 0; k < bits; k++) x[r * bits + k] = fp[k]!;
    });
    return { x: tensor(x, { shape: [idx.length, bits] }), numGraphs: idx.length };
  }
  return batchMolecules(idx.map((i) => data.arrays[i]!));
}

/** Class probabilities [n][classes] or values [n][1] (in the target's units) for molecules `idx`. */
export function predictMolecules(
  model: MoleculeModel,
  data: Pick<PreparedMolecules, "arrays" | "fingerprints" | "mode">,
  idx: readonly number[],
  std: Standardizer,
  batchSize = 256,
): number[][] {
  const out: number[][] = [];
  model.eval();
  for (let s = 0; s < idx.length; s += batchSize) {
    const part = idx.slice(s, s + batchSize);
    const rows = noGrad(() =>
      tidy(() => {
        const y = model.forward(inputOf(model, data, part));
        const t = data.mode === "classification" ? y.softmax(1) : y.mul(std.std).add(std.mean);
        return { values: Array.from(t.float().data() as Float32Array), width: t.shape[1]! };
      }),
    );
    for (let r = 0; r < part.length; r++) out.push(rows.values.slice(r * rows.width, (r + 1) * rows.width));
  }
  return out;
}

/** ROC-AUC (binary: class 1's probability; more classes: mean one-vs-rest), accuracy; or RMSE, MAE, R². */
export function moleculeMetrics(mode: "classification" | "regression", pred: number[][], truth: readonly number[]): Record<string, number> {
  if (mode === "classification") {
    const k = pred[0]?.length ?? 0;
    const aucs: number[] = [];
    for (let c = k === 2 ? 1 : 0; c < k; c++) {
      const a = rocAuc(
        pred.map((p) => p[c]!),
        truth.map((t) => (t === c ? 1 : 0)),
      );
      if (Number.isFinite(a)) aucs.push(a);
    }
    const argmax = pred.map((p) => p.indexOf(Math.max(...p)));
    return {
      rocAuc: aucs.length ? aucs.reduce((a, b) => a + b, 0) / aucs.length : Number.NaN,
      accuracy: argmax.filter((c, i) => c === truth[i]).length / Math.max(1, truth.length),
      molecules: truth.length,
    };
  }
  const p = pred.map((r) => r[0]!);
  const mse = meanSquaredError(p, truth);
  const mean = truth.reduce((a, b) => a + b, 0) / Math.max(1, truth.length);
  const variance = truth.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, truth.length);
  return { rmse: Math.sqrt(mse), mae: meanAbsoluteError(p, truth), r2: 1 - mse / variance, molecules: truth.length };
}

export async function fitMoleculeModel(
  model: MoleculeModel,
  data: PreparedMolecules,
  split: { train: number[]; val: number[] },
  o: MoleculeFitOptions,
): Promise<MoleculeFitResult> {
  const cls = data.mode === "classification";
  const ys = split.train.map((i) => data.targets[i]!);
  const mean = cls ? 0 : ys.reduce((a, b) => a + b, 0) / ys.length;
  const sd = cls ? 1 : Math.sqrt(ys.reduce((a, b) => a + (b - mean) ** 2, 0) / ys.length) || 1;
  const standardizer = { mean, std: sd };
  const valTruth = split.val.map((i) => data.targets[i]!);
  if (!cls && runDistillPending())
    throw new FlambeauError("E_ARG", "graph-regression: distillation (--distill-to) matches class logits; a regression model has none");
  // `flambeau compress --distill-to`: the teacher runs on the same molecules, each model on its own
  // input (a GNN on the atom graph, fp-mlp on the fingerprints), so a GIN can teach an MLP.
  const distill = cls ? claimRunDistill() : undefined;
  const trainer = new Trainer<number[]>({
    name: o.name ?? (cls ? "graph-classification" : "graph-regression"),
    model,
    optimizer: new AdamW(model.parameters(), { lr: o.lr, weightDecay: o.weightDecay ?? 1e-4 }),
    step: (idx) => {
      const out = model.forward(inputOf(model, data, idx));
      const target = idx.map((i) => data.targets[i]!);
      if (!cls) return mseLoss(out.view(-1), tensor(Float32Array.from(target, (t) => (t - mean) / sd)));
      const labels = tensor(BigInt64Array.from(target, (t) => BigInt(t)));
      if (!distill) return crossEntropy(out, labels);
      return distill((m) => (m as MoleculeModel).forward(inputOf(m as MoleculeModel, data, idx)), out, labels);
    },
    batchSize: (idx) => idx.length,
    // BatchNorm needs two molecules on every rank.
    shard: (idx, rank, world) => (idx.length < 2 * world ? null : idx.filter((_, k) => k % world === rank)),
    validate: (): Logs => {
      if (split.val.length === 0) return {};
      const m = moleculeMetrics(data.mode, predictMolecules(model, data, split.val, standardizer), valTruth);
      return cls ? { valRocAuc: m.rocAuc!, valAccuracy: m.accuracy! } : { valRmse: m.rmse!, valR2: m.r2! };
    },
    keepBest: { monitor: cls ? "valRocAuc" : "valRmse", mode: cls ? "max" : "min" },
    progress: o.progress,
  });
  const rand = mulberry32(o.seed + 1);
  const order = [...split.train];
  const epoch = {
    length: Math.ceil(order.length / o.batchSize),
    *[Symbol.iterator](): Generator<number[]> {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (let s = 0; s < order.length; s += o.batchSize) {
        const idx = order.slice(s, s + o.batchSize);
        if (idx.length >= 2) yield idx; // BatchNorm needs two rows
      }
    },
  };
  const h = await trainer.fit(epoch, { epochs: o.epochs });
  model.eval();
  // Without validation molecules the last epoch's weights are kept.
  return { epochs: h.epochs, bestEpoch: h.bestEpoch!, seconds: h.seconds, standardizer };
}
