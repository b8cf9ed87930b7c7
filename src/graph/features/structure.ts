// Structural node features a practitioner computes before any learning: degree, the local
// clustering coefficient and PageRank, with networkx's definitions.
import { FlambeauError } from "../../core/errors.js";
import { type Adjacency, degreeOf } from "./adjacency.js";

export function degrees(a: Adjacency): Float64Array {
  const d = new Float64Array(a.numNodes);
  for (let v = 0; v < a.numNodes; v++) d[v] = degreeOf(a, v);
  return d;
}

/** Triangles through each node, by the forward algorithm (edges oriented from low to high degree rank): O(E^1.5). */
export function triangles(a: Adjacency): Float64Array {
  const n = a.numNodes;
  const order = Array.from({ length: n }, (_, i) => i).sort((u, v) => degreeOf(a, u) - degreeOf(a, v) || u - v);
  const rank = new Int32Array(n);
  order.forEach((v, r) => {
    rank[v] = r;
  });
  // Out-lists: neighbours of higher rank.
  const outOff = new Int32Array(n + 1);
  for (let v = 0; v < n; v++) {
    let c = 0;
    for (let i = a.offsets[v]!; i < a.offsets[v + 1]!; i++) if (rank[a.neighbours[i]!]! > rank[v]!) c++;
    outOff[v + 1] = outOff[v]! + c;
  }
  const out = new Int32Array(outOff[n]!);
  for (let v = 0, k = 0; v < n; v++)
    for (let i = a.offsets[v]!; i < a.offsets[v + 1]!; i++) if (rank[a.neighbours[i]!]! > rank[v]!) out[k++] = a.neighbours[i]!;
  const mark = new Int32Array(n).fill(-1);
  const t = new Float64Array(n);
  for (let u = 0; u < n; u++) {
    for (let i = outOff[u]!; i < outOff[u + 1]!; i++) mark[out[i]!] = u;
    for (let i = outOff[u]!; i < outOff[u + 1]!; i++) {
      const v = out[i]!;
      for (let j = outOff[v]!; j < outOff[v + 1]!; j++) {
        const w = out[j]!;
        if (mark[w] === u) {
          t[u]!++;
          t[v]!++;
          t[w]!++;
        }
      }
    }
  }
  return t;
}

/** Local clustering coefficient 2T / (d (d − 1)); 0 for degree < 2 (networkx.clustering). */
export function clustering(a: Adjacency): Float64Array {
  const t = triangles(a);
  const c = new Float64Array(a.numNodes);
  for (let v = 0; v < a.numNodes; v++) {
    const d = degreeOf(a, v);
    c[v] = d < 2 ? 0 : (2 * t[v]!) / (d * (d - 1));
  }
  return c;
}

export interface PageRankOptions {
  alpha?: number;
  /** Stop when the L1 change is below numNodes × tol (networkx's rule). */
  tol?: number;
  maxIter?: number;
}

/** networkx.pagerank on the undirected graph: uniform teleport, dangling (isolated) nodes spread uniformly. */
export function pageRank(a: Adjacency, o: PageRankOptions = {}): Float64Array {
  const alpha = o.alpha ?? 0.85;
  const tol = o.tol ?? 1e-6;
  const maxIter = o.maxIter ?? 100;
  if (!(alpha >= 0 && alpha <= 1)) throw new FlambeauError("E_ARG", `pageRank: alpha must be in [0, 1], got ${alpha}`);
  const n = a.numNodes;
  if (n === 0) return new Float64Array(0);
  let x = new Float64Array(n).fill(1 / n);
  let next = new Float64Array(n);
  for (let it = 0; it < maxIter; it++) {
    let dangling = 0;
    for (let v = 0; v < n; v++) if (degreeOf(a, v) === 0) dangling += x[v]!;
    const base = (alpha * dangling + 1 - alpha) / n;
    next.fill(base);
    for (let v = 0; v < n; v++) {
      const d = degreeOf(a, v);
      if (d === 0) continue;
      const share = (alpha * x[v]!) / d;
      for (let i = a.offsets[v]!; i < a.offsets[v + 1]!; i++) next[a.neighbours[i]!]! += share;
    }
    let err = 0;
    for (let v = 0; v < n; v++) err += Math.abs(next[v]! - x[v]!);
    [x, next] = [next, x];
    if (err < n * tol) return x;
  }
  throw new FlambeauError("E_STATE", `pageRank: no convergence in ${maxIter} iterations (tol ${tol})`);
}
