// Link prediction with a GNN encoder and a dot-product decoder: score(a, b) = z_a · z_b;
// trained with binary cross-entropy on the training edges against freshly drawn non-edges
// each epoch; metrics ROC-AUC and Hits@K, beside the common-neighbours heuristic.
import { cat, noGrad, type Tensor, tensor, tidy } from "../core/index.js";
import { binaryCrossEntropyWithLogits } from "../core/ops/loss.js";
import { Random } from "../data/random.js";
import { AdamW } from "../optim/index.js";
import type { Logs } from "../train/callbacks.js";
import { rocAuc } from "../train/metrics.js";
import type { ProgressSink } from "../train/progress.js";
import { Trainer } from "../train/trainer.js";
import { epochProgress } from "./full-graph.js";
import type { Graph } from "./graph.js";
import { type EdgePairs, type LinkSplit, pairKeys, sampleNegatives } from "./link-split.js";
import type { NodeModel } from "./models/node-models.js";

const idx = (a: Int32Array): Tensor => tensor(BigInt64Array.from(a, (v) => BigInt(v)));

/** Dot-product scores (logits) of node pairs from embeddings z [N, D]. */
export function decode(z: Tensor, p: EdgePairs): Tensor {
  return z
    .indexSelect(0, idx(p.src))
    .mul(z.indexSelect(0, idx(p.dst)))
    .sum({ dim: 1 });
}

/** The embeddings of every node (the encoder's output) for the graph it may see. */
export const encode = (model: NodeModel, g: Graph): Tensor => model.forward(g.x!, g.edgeIndex);

export function pairScores(model: NodeModel, g: Graph, p: EdgePairs): Float32Array {
  return pairScoresMany(model, g, [p])[0]!;
}

/** Scores of several pair sets from one forward pass. */
export function pairScoresMany(model: NodeModel, g: Graph, ps: readonly EdgePairs[]): Float32Array[] {
  return noGrad(() =>
    tidy(() => {
      model.eval();
      const z = encode(model, g);
      return ps.map((p) => decode(z, p).data() as Float32Array);
    }),
  );
}

/** Hits@K (OGB): the fraction of positives scored above the K-th best negative. */
export function hitsAtK(pos: ArrayLike<number>, neg: ArrayLike<number>, k: number): number {
  if (neg.length < k) return 1;
  const kth = Array.from(neg).sort((a, b) => b - a)[k - 1]!;
  let hit = 0;
  for (let i = 0; i < pos.length; i++) if (pos[i]! > kth) hit++;
  return hit / pos.length;
}

export function linkMetrics(pos: ArrayLike<number>, neg: ArrayLike<number>, k: number): { auc: number; hits: number } {
  const scores = [...Array.from(pos), ...Array.from(neg)];
  const labels = [...Array.from(pos, () => 1), ...Array.from(neg, () => 0)];
  return { auc: rocAuc(scores, labels), hits: hitsAtK(pos, neg, k) };
}

/** |N(a) ∩ N(b)| in the training graph: the classic heuristic a learned model must beat. */
export function commonNeighbours(g: Graph, p: EdgePairs): Float32Array {
  const d = g.edgeIndex.data() as BigInt64Array;
  const e = g.numEdges;
  const nb: Set<number>[] = Array.from({ length: g.numNodes }, () => new Set());
  for (let k = 0; k < e; k++) nb[Number(d[k])]!.add(Number(d[e + k]));
  const out = new Float32Array(p.src.length);
  for (let k = 0; k < p.src.length; k++) {
    const [a, b] = [nb[p.src[k]!]!, nb[p.dst[k]!]!];
    const [small, big] = a.size < b.size ? [a, b] : [b, a];
    let c = 0;
    for (const v of small) if (big.has(v)) c++;
    out[k] = c;
  }
  return out;
}

export interface LinkFitOptions {
  epochs: number;
  lr: number;
  seed?: number;
  hitsK?: number;
  /** Validate every this many epochs (and at the last); default 5. */
  evalEvery?: number;
  progress?: ProgressSink;
  /** Names the run in the divergence error. */
  name?: string;
}

/** One step's pairs: training edges (label 1) and this epoch's sampled non-edges (label 0). */
interface LinkBatch {
  pos: EdgePairs;
  neg: EdgePairs;
}

/** Pairs rank, rank + N, … of a pair list. */
const pairsOfRank = (p: EdgePairs, rank: number, world: number): EdgePairs => ({
  src: p.src.filter((_, k) => k % world === rank),
  dst: p.dst.filter((_, k) => k % world === rank),
});

/**
 * Trains the encoder on the Trainer, one full-graph step per epoch on the training edges
 * against freshly drawn non-edges; keeps the weights of the best validation AUC. Data
 * parallel: each rank takes its part of the positive and negative pairs.
 */
export async function fitLinkModel(
  model: NodeModel,
  s: LinkSplit,
  o: LinkFitOptions,
): Promise<{ epochs: Logs[]; bestEpoch: number; seconds: number }> {
  const rng = new Random(o.seed ?? 0, 0x1b);
  const n = s.train.numNodes;
  const known = pairKeys(n, s.trainPos, s.valPos, s.testPos);
  const m = s.trainPos.src.length;
  const every = o.evalEvery ?? 5;
  const trainer: Trainer<LinkBatch> = new Trainer<LinkBatch>({
    name: o.name ?? "link-prediction",
    model,
    optimizer: new AdamW(model.parameters(), { lr: o.lr, weightDecay: 0 }),
    step: (b) => {
      const z = encode(model, s.train);
      const logits = cat([decode(z, b.pos), decode(z, b.neg)]);
      const np = b.pos.src.length;
      const target = tensor(Float32Array.from({ length: np + b.neg.src.length }, (_, k) => (k < np ? 1 : 0)));
      return binaryCrossEntropyWithLogits(logits, target);
    },
    batchSize: (b) => b.pos.src.length + b.neg.src.length,
    shard: (b, rank, world) => (m < world ? null : { pos: pairsOfRank(b.pos, rank, world), neg: pairsOfRank(b.neg, rank, world) }),
    validate: (): Logs => {
      const epoch = trainer.state.epoch;
      if (s.valPos.src.length === 0 || (epoch % every !== 0 && epoch !== o.epochs)) return {};
      const [vp, vn] = pairScoresMany(model, s.train, [s.valPos, s.valNeg]);
      return { valAuc: linkMetrics(vp!, vn!, o.hitsK ?? 50).auc };
    },
    keepBest: { monitor: "valAuc" },
    callbacks: [epochProgress(o.progress, o.epochs)],
  });
  // One batch per epoch: every training edge and as many non-edges, drawn afresh.
  const epoch = {
    length: 1,
    *[Symbol.iterator](): Generator<LinkBatch> {
      yield { pos: s.trainPos, neg: sampleNegatives(n, known, m, rng) };
    },
  };
  const h = await trainer.fit(epoch, { epochs: o.epochs });
  model.eval();
  // Without validation edges the last epoch's weights are kept.
  return { epochs: h.epochs, bestEpoch: h.bestEpoch!, seconds: h.seconds };
}
