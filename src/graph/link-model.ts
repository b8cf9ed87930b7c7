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
}

/** Trains the encoder; keeps the weights of the best validation AUC. */
export function fitLinkModel(model: NodeModel, s: LinkSplit, o: LinkFitOptions): { epochs: Logs[]; bestEpoch: number; seconds: number } {
  const t0 = performance.now();
  const rng = new Random(o.seed ?? 0, 0x1b);
  const n = s.train.numNodes;
  const known = pairKeys(n, s.trainPos, s.valPos, s.testPos);
  const opt = new AdamW(model.parameters(), { lr: o.lr, weightDecay: 0 });
  const posT = { src: idx(s.trainPos.src).keep(), dst: idx(s.trainPos.dst).keep() };
  const m = s.trainPos.src.length;
  const epochs: Logs[] = [];
  let best = Number.NEGATIVE_INFINITY;
  let bestEpoch = 0;
  let bestWeights: Map<string, Tensor> | null = null;
  o.progress?.start("epochs", o.epochs);
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const neg = sampleNegatives(n, known, m, rng);
    const loss = tidy(() => {
      model.train();
      opt.zeroGrad();
      const z = encode(model, s.train);
      const pos = z.indexSelect(0, posT.src).mul(z.indexSelect(0, posT.dst)).sum({ dim: 1 });
      const ng = decode(z, neg);
      const logits = cat([pos, ng]);
      const target = tensor(Float32Array.from({ length: 2 * m }, (_, k) => (k < m ? 1 : 0)));
      const l = binaryCrossEntropyWithLogits(logits, target);
      l.backward();
      opt.step();
      return Number(l.item());
    });
    const logs: Logs = { epoch, loss };
    const every = o.evalEvery ?? 5;
    if (s.valPos.src.length > 0 && (epoch % every === 0 || epoch === o.epochs)) {
      const [vp, vn] = pairScoresMany(model, s.train, [s.valPos, s.valNeg]);
      const { auc } = linkMetrics(vp!, vn!, o.hitsK ?? 50);
      logs.valAuc = auc;
      if (auc > best) {
        best = auc;
        bestEpoch = epoch;
        if (bestWeights) for (const t of bestWeights.values()) t.dispose();
        bestWeights = new Map([...model.stateDict()].map(([k, v]) => [k, v.detach().clone().keep()]));
      }
    } else if (s.valPos.src.length === 0) bestEpoch = epoch;
    epochs.push(logs);
    o.progress?.update(epoch, logs);
  }
  if (bestWeights) {
    model.loadStateDict(bestWeights);
    for (const t of bestWeights.values()) t.dispose();
  }
  posT.src.dispose();
  posT.dst.dispose();
  model.eval();
  o.progress?.end(`best epoch ${bestEpoch}`);
  return { epochs, bestEpoch, seconds: (performance.now() - t0) / 1000 };
}
