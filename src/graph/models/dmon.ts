// DMoN (Tsitsulin et al. 2023, "Graph Clustering with Graph Neural Networks"): a GCN encoder
// ends in a softmax over k clusters, C [N, k], trained without labels to maximise the
// spectral relaxation of modularity with a collapse penalty:
//   L = −(1 / 2m) Tr(Cᵀ A C − Cᵀ d dᵀ C / 2m) + λ (√k / N) ‖Σᵢ Cᵢ‖₂ − λ
// (A the adjacency, d the degrees, m the edges). A node's community is argmax C.
import { manualSeed, noGrad, type Tensor, tensor, tidy, zeros } from "../../core/index.js";
import { Linear } from "../../nn/linear.js";
import { Module } from "../../nn/module.js";
import { Adam } from "../../optim/index.js";
import { Trainer } from "../../train/trainer.js";
import { GCNConv } from "../conv/gcn-conv.js";
import type { Graph } from "../graph.js";

export class DMoN extends Module {
  conv: GCNConv;
  head: Linear;
  readonly k: number;
  constructor(inChannels: number, hidden: number, k: number) {
    super();
    this.conv = new GCNConv(inChannels, hidden, { cached: true });
    this.head = new Linear(hidden, k);
    this.k = k;
  }
  /** Soft assignments C [N, k]. */
  forward(x: Tensor, edgeIndex: Tensor): Tensor {
    return this.head.forward(this.conv.forward(x, edgeIndex).relu()).softmax(1);
  }
}

/** DMoN's loss of soft assignments `c` on an undirected graph stored both ways (exported for the tests). */
export function dmonLoss(c: Tensor, edgeIndex: Tensor, numNodes: number, collapse = 1): Tensor {
  const e = edgeIndex.shape[1]!;
  const src = edgeIndex.select(0, 0);
  const dst = edgeIndex.select(0, 1);
  // A C by scattering each edge's source row to its target; 2m = e (each edge stored twice).
  const ac = zeros([numNodes, c.shape[1]!]).indexAdd(0, dst, c.indexSelect(0, src));
  const deg = zeros([numNodes]).indexAdd(0, dst, tensor(new Float32Array(e).fill(1)));
  const cd = c.t().matmul(deg.view(-1, 1));
  const mod = c.mul(ac).sum().sub(cd.square().sum().div(e)).div(e);
  const k = c.shape[1]!;
  const reg = c
    .sum({ dim: 0 })
    .norm(2)
    .mul(Math.sqrt(k) / numNodes)
    .sub(1);
  return mod.neg().add(reg.mul(collapse));
}

export interface DmonFitOptions {
  k: number;
  hidden?: number;
  epochs?: number;
  lr?: number;
  seed?: number;
  collapse?: number;
}

/** Trains DMoN on `g` (features x) on the Trainer, one full-graph step an epoch; the hard clusters. */
export async function dmonClusters(g: Graph, o: DmonFitOptions): Promise<{ labels: Int32Array; seconds: number }> {
  manualSeed(o.seed ?? 0);
  const model = new DMoN(g.numFeatures, o.hidden ?? 64, o.k);
  const trainer = new Trainer<number>({
    name: "dmon",
    model,
    optimizer: new Adam(model.parameters(), { lr: o.lr ?? 0.01 }),
    step: () => dmonLoss(model.forward(g.x!, g.edgeIndex), g.edgeIndex, g.numNodes, o.collapse ?? 1),
    batchSize: () => g.numNodes,
  });
  const h = await trainer.fit([0], { epochs: o.epochs ?? 200 });
  model.eval();
  const labels = noGrad(() => tidy(() => Int32Array.from(model.forward(g.x!, g.edgeIndex).argmax(1).data() as BigInt64Array, Number)));
  model.dispose();
  return { labels, seconds: h.seconds };
}
