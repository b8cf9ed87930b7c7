// One entry to every community method, and the scores against planted truth, so the
// community-detection task and the benchmark run the same code.
import { FlambeauError } from "../../core/errors.js";
import { eye, tidy } from "../../core/index.js";
import { adjustedRandIndex, louvain, normalizedMutualInfo } from "../communities.js";
import type { Graph } from "../graph.js";
import { dmonClusters } from "../models/dmon.js";
import { adjacencyOf, modularityOf } from "./adjacency.js";
import { dgiClusters, gnnKMeansClusters } from "./embedding-clusters.js";
import { leiden } from "./leiden.js";

export const COMMUNITY_METHODS = ["leiden", "louvain", "dmon", "dgi-kmeans", "gnn-kmeans"] as const;
export type CommunityMethod = (typeof COMMUNITY_METHODS)[number];

/** Methods that need the number of communities k (the deep ones cluster into k groups). */
export const needsK = (m: CommunityMethod): boolean => m === "dmon" || m === "dgi-kmeans" || m === "gnn-kmeans";

/** Default training epochs of the deep methods. */
export const DEFAULT_EPOCHS: Record<CommunityMethod, number> = { leiden: 0, louvain: 0, dmon: 300, "dgi-kmeans": 100, "gnn-kmeans": 100 };

export interface DetectOptions {
  /** Clusters of the deep methods (the modularity methods find their own number). */
  k?: number;
  epochs?: number;
  seed?: number;
  resolution?: number;
}

export interface Detected {
  labels: Int32Array;
  count: number;
  modularity: number;
  seconds: number;
}

/** Features for the deep methods: the graph's own, else one-hot ids up to 4096 nodes, else log-degree. */
export function withFeatures(g: Graph): Graph {
  if (g.x) return g;
  return g.with({ x: g.numNodes <= 4096 ? eye(g.numNodes) : tidy(() => g.degree().add(1).log().view(-1, 1)) });
}

/** The communities `method` finds in an undirected graph. */
export async function detectCommunities(g: Graph, method: CommunityMethod, o: DetectOptions = {}): Promise<Detected> {
  const seed = o.seed ?? 0;
  const t0 = performance.now();
  let labels: Int32Array;
  if (method === "leiden") labels = leiden(g, { seed, resolution: o.resolution }).labels;
  else if (method === "louvain") labels = louvain(g, { seed, resolution: o.resolution }).labels;
  else {
    if (!COMMUNITY_METHODS.includes(method))
      throw new FlambeauError("E_ARG", `detectCommunities: unknown method "${method}"; methods: ${COMMUNITY_METHODS.join(", ")}`);
    const k = o.k;
    if (!Number.isInteger(k) || k! < 2 || k! > g.numNodes)
      throw new FlambeauError("E_ARG", `detectCommunities: ${method} needs a number of communities k in [2, ${g.numNodes}], got ${k}`);
    const gx = withFeatures(g);
    const fit = { k: k!, epochs: o.epochs ?? DEFAULT_EPOCHS[method], seed };
    try {
      labels = (
        method === "dmon"
          ? await dmonClusters(gx, fit)
          : method === "dgi-kmeans"
            ? await dgiClusters(gx, fit)
            : await gnnKMeansClusters(gx, fit)
      ).labels;
    } finally {
      if (gx !== g) gx.x?.dispose();
    }
  }
  const modularity = modularityOf(adjacencyOf(g), labels, 1);
  return { labels, count: new Set(labels).size, modularity, seconds: (performance.now() - t0) / 1000 };
}

/** NMI and ARI of found communities against the planted ones. */
export function agreement(labels: ArrayLike<number>, truth: ArrayLike<number>): { nmi: number; ari: number } {
  return { nmi: normalizedMutualInfo(labels, truth), ari: adjustedRandIndex(labels, truth) };
}
