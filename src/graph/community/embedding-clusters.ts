// Communities as k-means clusters of node embeddings learned without labels, two ways:
//   DGI (Veličković et al. 2019, "Deep Graph Infomax"): a GCN encoder trained so a bilinear
//     discriminator tells its node embeddings of the real graph from those of a corrupted one
//     (node features shuffled across nodes) given the graph summary σ(mean of embeddings);
//   GNN k-means: the link-prediction GCN encoder (dot-product decoder, sampled non-edges), as
//     the karate-club comparison uses it.
// Embeddings are L2-normalised before k-means (cosine geometry, as both objectives score dot products).
import { cat, manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { binaryCrossEntropyWithLogits } from "../../core/ops/loss.js";
import { Random } from "../../data/random.js";
import { Module } from "../../nn/module.js";
import { Parameter } from "../../nn/parameter.js";
import { Adam } from "../../optim/index.js";
import { Trainer } from "../../train/trainer.js";
import { kMeans } from "../communities.js";
import { GCNConv } from "../conv/gcn-conv.js";
import type { Graph } from "../graph.js";
import { encode, fitLinkModel } from "../link-model.js";
import { splitLinks } from "../link-split.js";
import { NodeModel } from "../models/node-models.js";

export interface EmbeddingClusterOptions {
  k: number;
  hidden?: number;
  epochs?: number;
  lr?: number;
  seed?: number;
}

export class DGI extends Module {
  conv: GCNConv;
  weight: Parameter;
  constructor(inChannels: number, hidden: number) {
    super();
    this.conv = new GCNConv(inChannels, hidden, { cached: true });
    const bound = 1 / Math.sqrt(hidden);
    const r = new Random(0, 0xd61);
    this.weight = new Parameter(
      tensor(
        Float32Array.from({ length: hidden * hidden }, () => (2 * r.nextFloat() - 1) * bound),
        { shape: [hidden, hidden] },
      ),
    );
  }
  /** Node embeddings [N, hidden]. */
  forward(x: Tensor, edgeIndex: Tensor): Tensor {
    return this.conv.forward(x, edgeIndex).relu();
  }
  /** The DGI loss: real nodes against nodes of the feature-shuffled graph, both scored against the real summary. */
  loss(x: Tensor, edgeIndex: Tensor, perm: Tensor): Tensor {
    const h = this.forward(x, edgeIndex);
    const hc = this.forward(x.indexSelect(0, perm), edgeIndex);
    const s = h.mean({ dim: 0 }).sigmoid().view(-1, 1);
    const ws = this.weight.matmul(s);
    const logits = cat([h.matmul(ws).view(-1), hc.matmul(ws).view(-1)]);
    const n = h.shape[0]!;
    const target = tensor(Float32Array.from({ length: 2 * n }, (_, i) => (i < n ? 1 : 0)));
    return binaryCrossEntropyWithLogits(logits, target);
  }
}

const normalised = (z: Tensor): Tensor => z.div(z.norm(2, { dim: 1, keepdim: true }).clamp(1e-9));

/** DGI embeddings (a GCN on `g.x`), then k-means. */
export async function dgiClusters(g: Graph, o: EmbeddingClusterOptions): Promise<{ labels: Int32Array; seconds: number }> {
  const seed = o.seed ?? 0;
  manualSeed(seed);
  const model = new DGI(g.numFeatures, o.hidden ?? 64);
  const rng = new Random(seed, 0xd62);
  const n = g.numNodes;
  const trainer = new Trainer<number>({
    name: "dgi",
    model,
    optimizer: new Adam(model.parameters(), { lr: o.lr ?? 0.001 }),
    step: () => model.loss(g.x!, g.edgeIndex, tensor(BigInt64Array.from(rng.permutation(n), BigInt))),
    batchSize: () => n,
  });
  const h = await trainer.fit([0], { epochs: o.epochs ?? 200 });
  model.eval();
  const z = noGrad(() => tidy(() => normalised(model.forward(g.x!, g.edgeIndex)).keep()));
  const km = kMeans(z, o.k, { seed });
  z.dispose();
  model.dispose();
  return { labels: km.labels, seconds: h.seconds };
}

/** The link-prediction GCN encoder's embeddings (5% of edges held out as its check), then k-means. */
export async function gnnKMeansClusters(g: Graph, o: EmbeddingClusterOptions): Promise<{ labels: Int32Array; seconds: number }> {
  const seed = o.seed ?? 0;
  manualSeed(seed);
  const split = splitLinks(g, { val: 0, test: 0.05, seed });
  const enc = new NodeModel({ arch: "gcn", inChannels: g.numFeatures, hidden: o.hidden ?? 64, outChannels: 32, layers: 2, dropout: 0 });
  const fit = await fitLinkModel(enc, split, { epochs: o.epochs ?? 100, lr: o.lr ?? 0.01, seed });
  // Embed with every edge: the encoder is a function of the graph it is shown.
  enc.clearCache();
  enc.eval();
  const z = noGrad(() => tidy(() => normalised(encode(enc, g)).keep()));
  const km = kMeans(z, o.k, { seed });
  z.dispose();
  enc.dispose();
  return { labels: km.labels, seconds: fit.seconds };
}
