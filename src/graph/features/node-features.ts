// The hand-made node description of the shallow side: the node's own raw features, its
// structure (log degree, clustering coefficient, log-scaled PageRank) and the histogram of
// its training neighbours' labels.
import { cat, type Tensor, tensor, tidy } from "../../core/index.js";
import type { Graph } from "../graph.js";
import { type Adjacency, undirectedAdjacency } from "./adjacency.js";
import { neighbourLabelHistogram } from "./neighbour-labels.js";
import { clustering, degrees, pageRank } from "./structure.js";

export const STRUCTURE_FEATURES = ["log1p(degree)", "clustering", "log(N·pagerank)"] as const;

/** [N, 3] float32: log(1 + degree), clustering coefficient, log(N × PageRank) (0 on average). */
export function structuralFeatures(a: Adjacency): Tensor {
  const n = a.numNodes;
  const d = degrees(a);
  const c = clustering(a);
  const p = pageRank(a);
  const out = new Float32Array(n * 3);
  for (let v = 0; v < n; v++) {
    out[3 * v] = Math.log1p(d[v]!);
    out[3 * v + 1] = c[v]!;
    out[3 * v + 2] = Math.log(n * p[v]!);
  }
  return tensor(out, { shape: [n, 3] });
}

export interface NodeFeatureParts {
  adjacency: Adjacency;
  /** From structuralFeatures: depends on the graph only, so it can be computed once and reused. */
  structure: Tensor;
}

export function nodeFeatureParts(g: Graph): NodeFeatureParts {
  const adjacency = undirectedAdjacency(g.edgeIndex, g.numNodes);
  return { adjacency, structure: structuralFeatures(adjacency) };
}

/** [N, F + 3 + C + 1]: raw features (if any), structure, and the label histogram of the `known` neighbours. */
export function nodeFeatures(g: Graph, parts: NodeFeatureParts, known: ArrayLike<number>): Tensor {
  const labels = Array.from(g.y!.data() as BigInt64Array, Number);
  const c = g.numClasses;
  const hist = tensor(neighbourLabelHistogram(parts.adjacency, labels, known, c), { shape: [g.numNodes, c + 1] });
  return tidy(() => cat([...(g.x ? [g.x.float()] : []), parts.structure, hist], 1));
}
