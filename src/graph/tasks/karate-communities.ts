// Communities of the karate club two ways: Louvain on the edges, and k-means (k = 2) on GNN
// embeddings learned without labels (a GCN encoder trained for link prediction), each scored by
// modularity and by agreement with the clubs the members really joined.
import { manualSeed, noGrad, tidy } from "../../core/index.js";
import { adjustedRandIndex, kMeans, louvain, matchedAccuracy, modularity } from "../communities.js";
import { karateClub } from "../datasets/karate.js";
import type { Graph } from "../graph.js";
import { encode, fitLinkModel } from "../link-model.js";
import { splitLinks } from "../link-split.js";
import { NodeModel } from "../models/node-models.js";

export interface CommunityScores {
  modularity: number;
  ari: number;
  accuracy: number;
  count: number;
  labels: Int32Array;
}

export async function karateCommunities(o: { seed?: number; epochs?: number } = {}): Promise<{
  graph: Graph;
  louvain: CommunityScores;
  gnn: CommunityScores;
}> {
  const seed = o.seed ?? 0;
  const g = karateClub();
  const truth = Int32Array.from(g.y!.data() as BigInt64Array, Number);
  const lv = louvain(g, { seed });
  manualSeed(seed);
  const split = splitLinks(g, { val: 0, test: 0.1, seed });
  const enc = new NodeModel({ arch: "gcn", inChannels: g.numFeatures, hidden: 16, outChannels: 8, layers: 2, dropout: 0 });
  await fitLinkModel(enc, split, { epochs: o.epochs ?? 100, lr: 0.01, seed });
  // Cluster the embeddings of the whole graph (the encoder is a function of the edges it sees).
  enc.clearCache();
  const z = noGrad(() => tidy(() => encode(enc, g).keep()));
  const zn = tidy(() => z.div(z.norm(2, { dim: 1, keepdim: true }).clamp(1e-9)));
  const km = kMeans(zn, 2, { seed });
  z.dispose();
  zn.dispose();
  const score = (labels: Int32Array, count: number): CommunityScores => ({
    modularity: modularity(g, labels),
    ari: adjustedRandIndex(labels, truth),
    accuracy: count <= 6 ? matchedAccuracy(labels, truth) : Number.NaN,
    count,
    labels,
  });
  return { graph: g, louvain: score(lv.labels, lv.count), gnn: score(km.labels, 2) };
}
