// Teacher-forced training of the SMILES language model on the Trainer: AdamW, gradient
// clipping, seeded shuffles of length-sorted buckets (less padding), the weights of the best
// validation loss kept.
import { noGrad, tensor, tidy } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { mulberry32 } from "../../data/random.js";
import { AdamW } from "../../optim/index.js";
import type { Logs } from "../../train/callbacks.js";
import type { ProgressSink } from "../../train/progress.js";
import { Trainer } from "../../train/trainer.js";
import { encodeConditions, type SmilesLM } from "./model.js";
import { BOS, EOS, PAD } from "./tokens.js";

export interface Standardizer {
  mean: number;
  std: number;
}

export interface LmFitOptions {
  epochs: number;
  lr: number;
  batchSize: number;
  seed: number;
  /** Share of training strings seen without their condition (for guided sampling). */
  conditionDropout?: number;
  progress?: ProgressSink;
}

export interface LmFitResult {
  epochs: Logs[];
  bestEpoch: number;
  seconds: number;
}

export function standardizer(values: readonly number[]): Standardizer {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length) || 1;
  return { mean, std };
}

/** Input ids [B, T] (BOS + tokens), targets [B, T] (tokens + EOS, -100 on padding), condition features. */
function batchOf(seqs: readonly number[][], conds: readonly (number | null)[], bins: number) {
  const t = Math.max(...seqs.map((s) => s.length)) + 1;
  const ids = new BigInt64Array(seqs.length * t).fill(BigInt(PAD));
  const target = new BigInt64Array(seqs.length * t).fill(-100n);
  seqs.forEach((s, r) => {
    const full = [BOS, ...s, EOS];
    for (let k = 0; k + 1 < full.length; k++) {
      ids[r * t + k] = BigInt(full[k]!);
      target[r * t + k] = BigInt(full[k + 1]!);
    }
  });
  return {
    ids: tensor(ids, { shape: [seqs.length, t] }),
    target: tensor(target, { shape: [seqs.length * t] }),
    cond: encodeConditions(conds, bins),
  };
}

function lossOf(model: SmilesLM, seqs: readonly number[][], conds: readonly (number | null)[]) {
  const b = batchOf(seqs, conds, model.hyper.conditionBins);
  const logits = model.forward(b.ids, b.cond);
  return crossEntropy(logits.reshape([-1, model.hyper.vocabSize]), b.target);
}

export async function fitSmilesLm(
  model: SmilesLM,
  data: { seqs: number[][]; conds: number[] },
  split: { train: number[]; val: number[] },
  o: LmFitOptions,
): Promise<LmFitResult> {
  const pick = (idx: readonly number[]) => ({ s: idx.map((i) => data.seqs[i]!), c: idx.map((i) => data.conds[i]!) });
  const dropRand = mulberry32(o.seed + 2);
  const drop = o.conditionDropout ?? 0.15;
  const trainer = new Trainer<number[]>({
    name: "graph-generation",
    model,
    optimizer: new AdamW(model.parameters(), { lr: o.lr, weightDecay: 1e-5 }),
    step: (idx) => {
      const p = pick(idx);
      return lossOf(
        model,
        p.s,
        p.c.map((c) => (dropRand() < drop ? null : c)),
      );
    },
    batchSize: (idx) => idx.length,
    gradClipNorm: 1,
    validate: (): Logs => {
      if (split.val.length === 0) return {};
      model.eval();
      let total = 0;
      let n = 0;
      for (let s = 0; s < split.val.length; s += 256) {
        const idx = split.val.slice(s, s + 256);
        const p = pick(idx);
        total += noGrad(() => tidy(() => lossOf(model, p.s, p.c).item())) * idx.length;
        n += idx.length;
      }
      model.train();
      return { valLoss: total / n };
    },
    keepBest: { monitor: "valLoss", mode: "min" },
    progress: o.progress,
  });
  const rand = mulberry32(o.seed + 1);
  // Batches of similar lengths (sorted, then cut), shuffled as whole batches each epoch.
  const sorted = [...split.train].sort((a, b) => data.seqs[a]!.length - data.seqs[b]!.length);
  const batches: number[][] = [];
  for (let s = 0; s < sorted.length; s += o.batchSize) batches.push(sorted.slice(s, s + o.batchSize));
  const epoch = {
    length: batches.length,
    *[Symbol.iterator](): Generator<number[]> {
      for (let i = batches.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [batches[i], batches[j]] = [batches[j]!, batches[i]!];
      }
      yield* batches;
    },
  };
  model.train();
  const h = await trainer.fit(epoch, { epochs: o.epochs });
  model.eval();
  return { epochs: h.epochs, bestEpoch: h.bestEpoch ?? o.epochs, seconds: h.seconds };
}
