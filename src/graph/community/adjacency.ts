// A weighted undirected graph in compressed rows, the form the community algorithms walk:
// the symmetric adjacency A with self-loops kept apart (an aggregated graph's communities
// become nodes whose internal weight is a self-loop), and each node's strength k_i = Σ_j A_ij.
import { FlambeauError } from "../../core/errors.js";
import type { Graph } from "../graph.js";

export interface Adjacency {
  readonly n: number;
  /** Row v's neighbours are targets[offsets[v] .. offsets[v + 1]), self excluded. */
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  readonly weights: Float64Array;
  /** A_vv: the weight of v's self-loop as the symmetric matrix holds it. */
  readonly selfLoop: Float64Array;
  /** k_v = Σ_u A_vu, self-loop included. */
  readonly strength: Float64Array;
  /** 2m = Σ_v k_v. */
  readonly total: number;
}

/**
 * The adjacency of a graph's edge list as stored (an undirected graph holds each edge both
 * ways, so A is symmetric; a directed one is made symmetric first). Parallel edges add up.
 */
export function adjacencyOf(g: Graph): Adjacency {
  const u = g.directed ? g.toUndirected() : g;
  const n = u.numNodes;
  const d = u.edgeIndex.data() as BigInt64Array;
  const e = u.numEdges;
  const w = u.edgeWeight ? (u.edgeWeight.data() as Float32Array) : null;
  const src = new Int32Array(e);
  const dst = new Int32Array(e);
  const wt = new Float64Array(e);
  for (let k = 0; k < e; k++) {
    src[k] = Number(d[k]);
    dst[k] = Number(d[e + k]);
    wt[k] = w ? w[k]! : 1;
    if (!(wt[k]! >= 0)) throw new FlambeauError("E_ARG", `adjacencyOf: edge ${k} has weight ${wt[k]}; communities need weights ≥ 0`);
  }
  if (u !== g) u.dispose();
  return fromEdges(n, src, dst, wt);
}

/** Compressed rows of directed entries (src[k] → dst[k], weight w[k]); callers pass both directions. */
export function fromEdges(n: number, src: Int32Array, dst: Int32Array, w: Float64Array): Adjacency {
  const selfLoop = new Float64Array(n);
  const strength = new Float64Array(n);
  const count = new Int32Array(n + 1);
  for (let k = 0; k < src.length; k++) {
    const a = src[k]!;
    strength[a]! += w[k]!;
    if (a === dst[k]) selfLoop[a]! += w[k]!;
    else count[a + 1]!++;
  }
  for (let v = 0; v < n; v++) count[v + 1]! += count[v]!;
  const targets = new Int32Array(count[n]!);
  const weights = new Float64Array(count[n]!);
  const fill = count.slice(0, n);
  for (let k = 0; k < src.length; k++) {
    const a = src[k]!;
    if (a === dst[k]) continue;
    const at = fill[a]!++;
    targets[at] = dst[k]!;
    weights[at] = w[k]!;
  }
  let total = 0;
  for (let v = 0; v < n; v++) total += strength[v]!;
  return { n, offsets: count, targets, weights, selfLoop, strength, total };
}

/** Modularity with resolution γ, (1 / 2m) Σ_c (Σ_{i,j ∈ c} A_ij − γ K_c² / 2m), of a partition of `a`'s nodes. */
export function modularityOf(a: Adjacency, community: ArrayLike<number>, resolution = 1): number {
  if (a.total === 0) return 0;
  const inside = new Map<number, number>();
  const sum = new Map<number, number>();
  for (let v = 0; v < a.n; v++) {
    const c = community[v]!;
    let w = a.selfLoop[v]!;
    for (let p = a.offsets[v]!; p < a.offsets[v + 1]!; p++) if (community[a.targets[p]!] === c) w += a.weights[p]!;
    inside.set(c, (inside.get(c) ?? 0) + w);
    sum.set(c, (sum.get(c) ?? 0) + a.strength[v]!);
  }
  let q = 0;
  for (const [c, k] of sum) q += inside.get(c)! - (resolution * k * k) / a.total;
  return q / a.total;
}
