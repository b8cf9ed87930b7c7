// Training a knowledge-graph embedding model on the Trainer with self-adversarial negative
// sampling (Sun et al. 2019, eq. 5): each positive triple is set against K corrupted ones
// (its head, or its tail, replaced by a uniformly drawn entity that does not make a known
// triple), weighted by a softmax of their own scores (temperature α, no gradient through the
// weights), so hard negatives count most:
//   L = −log σ(f(h, r, t)) − Σᵢ p(h′ᵢ, r, t′ᵢ) log σ(−f(h′ᵢ, r, t′ᵢ)).
// Bilinear models (DistMult, ComplEx) add the N3 penalty λ(‖E‖₃³ + ‖R‖₃³) as the authors' code does.
import { noGrad, type Tensor, tidy } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { logSigmoid } from "../../nn/functional.js";
import { Adam } from "../../optim/index.js";
import type { Logs } from "../../train/callbacks.js";
import type { ProgressSink } from "../../train/progress.js";
import { Trainer } from "../../train/trainer.js";
import { idTensor, type KgModel } from "./models/kg-model.js";
import { type QueryScorer, rankTriples, type TripleFilter } from "./ranking.js";
import { pickTriples, type Triples } from "./triples.js";

export interface KgFitOptions {
  epochs: number;
  lr: number;
  batchSize: number;
  /** Negatives per positive. */
  negatives: number;
  /** Self-adversarial temperature α (0: uniform weights). */
  adversarialTemperature: number;
  /** N3 weight λ (bilinear models). */
  regularization: number;
  seed: number;
  /** Filters the negatives (the known triples of training). */
  known: TripleFilter;
  /** Validation triples ranked (filtered MRR) after every `evalEvery` epochs; the best epoch is kept. */
  valid?: Triples;
  validFilter?: TripleFilter;
  evalEvery?: number;
  /** Validation triples ranked for model selection (default the first 500). */
  validLimit?: number;
  progress?: ProgressSink;
  name?: string;
}

interface KgBatch {
  heads: Int32Array;
  relations: Int32Array;
  tails: Int32Array;
  /** Candidates for the corrupted slot, [B · K]. */
  negatives: Int32Array;
  mode: "head" | "tail";
}

/** The model as a QueryScorer (no grad, in chunks so [B, N, D] intermediates stay small). */
export function modelScorer(model: KgModel): QueryScorer {
  return (known, relations, mode) =>
    noGrad(() =>
      tidy(() => {
        const s = model.scoreAll(idTensor(known), idTensor(relations), mode).data() as Float32Array;
        const n = model.hyper.numEntities;
        return Array.from(known, (_, k) => s.subarray(k * n, (k + 1) * n));
      }),
    );
}

/** Uniform corruptions of one slot that make no known triple (redrawn a few times, then kept). */
function drawNegatives(
  b: Triples,
  from: number,
  to: number,
  k: number,
  mode: "head" | "tail",
  known: TripleFilter,
  rng: Random,
): Int32Array {
  const n = known.numEntities;
  const out = new Int32Array((to - from) * k);
  for (let i = from; i < to; i++) {
    const bad = mode === "tail" ? known.tailsOf(b.heads[i]!, b.relations[i]!) : known.headsOf(b.relations[i]!, b.tails[i]!);
    for (let j = 0; j < k; j++) {
      let e = rng.int(n);
      for (let tries = 0; tries < 10 && bad?.has(e); tries++) e = rng.int(n);
      out[(i - from) * k + j] = e;
    }
  }
  return out;
}

/** The self-adversarial loss of one batch (exported for the tests). */
export function selfAdversarialLoss(pos: Tensor, neg: Tensor, temperature: number): Tensor {
  const weights = temperature > 0 ? noGrad(() => neg.mul(temperature).softmax(1).detach()) : null;
  const negTerm = weights ? weights.mul(logSigmoid(neg.neg())).sum({ dim: 1 }) : logSigmoid(neg.neg()).mean({ dim: 1 });
  return logSigmoid(pos).mean().add(negTerm.mean()).div(-2);
}

export async function fitKgModel(
  model: KgModel,
  train: Triples,
  o: KgFitOptions,
): Promise<{ epochs: Logs[]; bestEpoch: number; seconds: number }> {
  const rng = new Random(o.seed, 0x6b9);
  const m = train.heads.length;
  const bilinear = model.hyper.arch === "distmult" || model.hyper.arch === "complex";
  const every = o.evalEvery ?? 1;
  // Model selection ranks a fixed sample of the validation triples (every entity is scored per query).
  const valid =
    o.valid && o.valid.heads.length > (o.validLimit ?? 500)
      ? pickTriples(
          o.valid,
          Int32Array.from({ length: o.validLimit ?? 500 }, (_, i) => i),
        )
      : o.valid;
  const trainer: Trainer<KgBatch> = new Trainer<KgBatch>({
    name: o.name ?? "knowledge-graph",
    model,
    optimizer: new Adam(model.parameters(), { lr: o.lr }),
    step: (b) => {
      const h = idTensor(b.heads);
      const r = idTensor(b.relations);
      const t = idTensor(b.tails);
      const pos = model.forward(h, r, t);
      const cand = idTensor(b.negatives).view(b.heads.length, o.negatives);
      const neg = model.scoreCandidates(b.mode === "tail" ? h : t, r, cand, b.mode);
      const loss = selfAdversarialLoss(pos, neg, o.adversarialTemperature);
      if (!bilinear || o.regularization <= 0) return loss;
      return loss.add(model.entity.abs().pow(3).sum().add(model.relation.abs().pow(3).sum()).mul(o.regularization));
    },
    batchSize: (b) => b.heads.length,
    validate: (): Logs => {
      const epoch = trainer.state.epoch;
      if (!valid || valid.heads.length === 0 || (epoch % every !== 0 && epoch !== o.epochs)) return {};
      return { valMrr: rankTriples(modelScorer(model), valid!, o.validFilter ?? o.known).filtered.mrr };
    },
    keepBest: { monitor: "valMrr", mode: "max" },
    callbacks: [
      {
        onTrainBegin: () => o.progress?.start("epochs", o.epochs),
        onEpochEnd: (s, logs) => o.progress?.update(s.epoch, logs),
        onTrainEnd: () => o.progress?.end(`${o.epochs} epochs`),
      },
    ],
  });
  const steps = Math.ceil(m / o.batchSize);
  // Each epoch: the training triples shuffled, batches alternating head and tail corruption.
  const epoch = {
    length: steps,
    *[Symbol.iterator](): Generator<KgBatch> {
      const order = Int32Array.from({ length: m }, (_, i) => i);
      rng.shuffle(order);
      for (let s = 0; s < steps; s++) {
        const idx = order.subarray(s * o.batchSize, Math.min(m, (s + 1) * o.batchSize));
        const b: Triples = {
          heads: Int32Array.from(idx, (k) => train.heads[k]!),
          relations: Int32Array.from(idx, (k) => train.relations[k]!),
          tails: Int32Array.from(idx, (k) => train.tails[k]!),
        };
        const mode = s % 2 === 0 ? "tail" : "head";
        yield { ...b, negatives: drawNegatives(b, 0, idx.length, o.negatives, mode, o.known, rng), mode };
      }
    },
  };
  const h = await trainer.fit(epoch, { epochs: o.epochs });
  model.eval();
  return { epochs: h.epochs, bestEpoch: h.bestEpoch!, seconds: h.seconds };
}
