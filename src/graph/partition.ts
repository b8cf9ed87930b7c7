// Graph partitioning for Cluster-GCN (Chiang et al. 2019, who use METIS): K parts of balanced
// size with few edges between them, in TypeScript (no native code). Nodes without edges are
// set aside (they cut nothing) and fill the parts up at the end; the others are partitioned
// multilevel, as METIS does:
//   1. coarsen: heavy-edge matching, vertices visited by ascending degree (random among equal
//      degrees), then "two-hop" matching of the vertices left over (those hanging off the same
//      hub pair up), so power-law graphs shrink too; until ~30·K vertices remain or it stalls;
//   2. initial partition of the coarsest graph, two candidates refined, the smaller cut kept:
//      K regions grown breadth-first, and recursive bisection by greedy graph growing (the
//      frontier vertex that cuts least first, 4 seeded tries per split, each refined 2-way);
//   3. uncoarsen: project the parts back level by level, each time greedy k-way boundary
//      refinement (move a vertex to the neighbouring part it has the most edge weight to, when
//      the cut falls and that part stays under the size cap).
// Beside it one more candidate for power-law graphs, whose hubs link mostly to each other: the
// nodes by descending degree in chunks of N / K, refined the same way; the smaller cut wins
// (on the 1M-edge R-MAT graph it does, well below METIS's cut; on planted blocks the
// multilevel one does). Last, a balancing pass moves nodes out of any part above the cap and
// fills any empty part, so every part has 1 … ceil((1 + imbalance) · N / K) nodes.
// The graph is read once (a store's CSR whole, any other NeighborSource in chunks of
// consecutive ids); memory is O(N + E): the symmetric weighted CSR of each level (each at most
// the previous one's size).
import { FlambeauError } from "../core/errors.js";
import { Random } from "../data/random.js";
import { GraphStore } from "./store/graph-store.js";
import type { NeighborSource } from "./store/source.js";

const OP = "partitionGraph";

export interface PartitionOptions {
  seed?: number;
  /** Allowed size excess: every part has at most ceil((1 + imbalance) · N / K) nodes (default 0.05). */
  imbalance?: number;
  /** Refinement passes per level (default 8). */
  passes?: number;
}

export interface Partition {
  /** The part of each node, in [0, numParts). */
  parts: Int32Array;
  numParts: number;
  /** Nodes per part. */
  sizes: Int32Array;
  /** Coarsening levels used (1 = none). */
  levels: number;
}

/** Undirected weighted graph in CSR: vertex v's neighbours are adj[xadj[v] … xadj[v+1]). */
export interface WGraph {
  n: number;
  xadj: Int32Array;
  adj: Int32Array;
  ew: Int32Array;
  vw: Int32Array;
}

const CHUNK = 1 << 16;

/**
 * The source's edges, symmetrised, self-loops dropped, parallel edges merged: weight = how many
 * stored edges (either direction) join the pair.
 */
/**
 * The incoming CSR of the whole graph: a store's two arrays read whole (bypassing its
 * neighbour-list cache), any other source asked in chunks of consecutive ids.
 */
function wholeCsr(source: NeighborSource): { inPtr: Int32Array; pieces: Int32Array[] } {
  const n = source.numNodes;
  if (source instanceof GraphStore) {
    const p = source.readAll("indptr") as BigInt64Array;
    return { inPtr: Int32Array.from(p, Number), pieces: chunked(Int32Array.from(p, Number), source.readAll("indices") as Int32Array, n) };
  }
  const inPtr = new Int32Array(n + 1);
  const pieces: Int32Array[] = [];
  const ids = new Int32Array(CHUNK);
  for (let i = 0; i < n; i += CHUNK) {
    const m = Math.min(CHUNK, n - i);
    for (let k = 0; k < m; k++) ids[k] = i + k;
    const { ptr, src } = source.neighbors(ids.subarray(0, m));
    for (let k = 0; k < m; k++) inPtr[i + k + 1] = inPtr[i + k]! + ptr[k + 1]! - ptr[k]!;
    pieces.push(src.slice(ptr[0]!, ptr[m]!));
  }
  return { inPtr, pieces };
}

/** Views of `indices` per chunk of CHUNK consecutive nodes. */
function chunked(inPtr: Int32Array, indices: Int32Array, n: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let i = 0; i < n; i += CHUNK) out.push(indices.subarray(inPtr[i]!, inPtr[Math.min(n, i + CHUNK)]!));
  return out;
}

export function symmetricGraph(source: NeighborSource): WGraph {
  const n = source.numNodes;
  // Pass 1: the incoming lists (ptr + src, chunk by chunk), both directions counted.
  const { inPtr, pieces } = wholeCsr(source);
  const deg = new Int32Array(n);
  for (let c = 0; c < pieces.length; c++) {
    const piece = pieces[c]!;
    const first = c * CHUNK;
    for (let v = first; v < Math.min(n, first + CHUNK); v++)
      for (let j = inPtr[v]! - inPtr[first]!; j < inPtr[v + 1]! - inPtr[first]!; j++) {
        const u = piece[j]!;
        if (!(u >= 0 && u < n)) throw new FlambeauError("E_FORMAT", `${OP}: neighbour ${u} of node ${v} is outside [0, ${n})`, OP);
        if (u !== v) {
          deg[u]!++;
          deg[v]!++;
        }
      }
  }
  const xadj = new Int32Array(n + 1);
  for (let v = 0; v < n; v++) xadj[v + 1] = xadj[v]! + deg[v]!;
  const all = new Int32Array(xadj[n]!);
  const fill = xadj.slice(0, n);
  // Pass 2: both directions of every stored edge into each end's list.
  for (let c = 0; c < pieces.length; c++) {
    const piece = pieces[c]!;
    const first = c * CHUNK;
    const last = Math.min(n, first + CHUNK);
    for (let v = first; v < last; v++)
      for (let j = inPtr[v]! - inPtr[first]!; j < inPtr[v + 1]! - inPtr[first]!; j++) {
        const u = piece[j]!;
        if (u !== v) {
          all[fill[v]!++] = u;
          all[fill[u]!++] = v;
        }
      }
  }
  // Merge duplicates per vertex: sort its list, count runs.
  const out = new Int32Array(n + 1);
  const adj = new Int32Array(all.length);
  const ew = new Int32Array(all.length);
  let e = 0;
  for (let w = 0; w < n; w++) {
    const list = all.subarray(xadj[w]!, xadj[w + 1]!).sort();
    for (let j = 0; j < list.length; j++) {
      if (j > 0 && list[j] === list[j - 1]) ew[e - 1]!++;
      else {
        adj[e] = list[j]!;
        ew[e++] = 1;
      }
    }
    out[w + 1] = e;
  }
  return { n, xadj: out, adj: adj.slice(0, e), ew: ew.slice(0, e), vw: new Int32Array(n).fill(1) };
}

/** Vertices by ascending degree, random among equal degrees (METIS's sorted heavy-edge matching order). */
function byDegree(g: WGraph, rng: Random): Int32Array {
  const { n, xadj } = g;
  const perm = rng.permutation(n);
  let maxDeg = 0;
  for (let v = 0; v < n; v++) maxDeg = Math.max(maxDeg, xadj[v + 1]! - xadj[v]!);
  const start = new Int32Array(maxDeg + 2);
  for (let v = 0; v < n; v++) start[xadj[v + 1]! - xadj[v]! + 1]!++;
  for (let d = 0; d <= maxDeg; d++) start[d + 1]! += start[d]!;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = perm[i]!;
    order[start[xadj[v + 1]! - xadj[v]!]!++] = v;
  }
  return order;
}

/** One level of coarsening: coarse id of each vertex and the coarse graph. */
function coarsen(g: WGraph, maxVw: number, rng: Random): { cmap: Int32Array; coarse: WGraph } {
  const { n, xadj, adj, ew, vw } = g;
  const match = new Int32Array(n).fill(-1);
  const order = byDegree(g, rng);
  // Heavy-edge matching: each unmatched vertex takes its unmatched neighbour of heaviest edge.
  for (let k = 0; k < n; k++) {
    const v = order[k]!;
    if (match[v] !== -1) continue;
    let best = -1;
    let bestW = 0;
    for (let j = xadj[v]!; j < xadj[v + 1]!; j++) {
      const u = adj[j]!;
      if (match[u] === -1 && ew[j]! > bestW && vw[v]! + vw[u]! <= maxVw) {
        best = u;
        bestW = ew[j]!;
      }
    }
    if (best >= 0) {
      match[v] = best;
      match[best] = v;
    }
  }
  // Two-hop matching: leftover vertices with the same heaviest neighbour (a hub's leaves) pair
  // up; leftover isolated vertices pair up with each other (key n).
  const waiting = new Int32Array(n + 1).fill(-1);
  for (let k = 0; k < n; k++) {
    const v = order[k]!;
    if (match[v] !== -1) continue;
    let key = n;
    let bestW = 0;
    for (let j = xadj[v]!; j < xadj[v + 1]!; j++)
      if (ew[j]! > bestW) {
        bestW = ew[j]!;
        key = adj[j]!;
      }
    const w = waiting[key]!;
    if (w >= 0 && vw[v]! + vw[w]! <= maxVw) {
      match[v] = w;
      match[w] = v;
      waiting[key] = -1;
    } else waiting[key] = v;
  }
  const cmap = new Int32Array(n).fill(-1);
  let cn = 0;
  for (let v = 0; v < n; v++) {
    if (cmap[v] !== -1) continue;
    cmap[v] = cn;
    if (match[v]! >= 0) cmap[match[v]!] = cn;
    cn++;
  }
  // Contract: each coarse vertex's list is the union of its members' lists, weights summed,
  // the edge between the two members dropped.
  const cxadj = new Int32Array(cn + 1);
  const cadj = new Int32Array(adj.length);
  const cew = new Int32Array(adj.length);
  const cvw = new Int32Array(cn);
  const slot = new Int32Array(cn).fill(-1);
  let e = 0;
  let c = 0;
  for (let v = 0; v < n; v++) {
    if (cmap[v] !== c) continue; // the second member of a pair, already merged
    const start = e;
    const members = match[v]! >= 0 && match[v] !== v ? [v, match[v]!] : [v];
    for (const m of members) {
      cvw[c]! += vw[m]!;
      for (let j = xadj[m]!; j < xadj[m + 1]!; j++) {
        const cu = cmap[adj[j]!]!;
        if (cu === c) continue;
        const s = slot[cu]!;
        if (s >= start) cew[s]! += ew[j]!;
        else {
          slot[cu] = e;
          cadj[e] = cu;
          cew[e++] = ew[j]!;
        }
      }
    }
    c++;
    cxadj[c] = e;
  }
  return { cmap, coarse: { n: cn, xadj: cxadj, adj: cadj.slice(0, e), ew: cew.slice(0, e), vw: cvw } };
}

/** K regions grown breadth-first, each to the weight still owed per remaining part. */
function growRegions(g: WGraph, k: number, rng: Random): Int32Array {
  const { n, xadj, adj, vw } = g;
  const part = new Int32Array(n).fill(-1);
  const order = rng.permutation(n);
  let total = 0;
  for (let v = 0; v < n; v++) total += vw[v]!;
  const queue = new Int32Array(n);
  let next = 0; // position in `order` of the next candidate seed
  let left = total;
  for (let p = 0; p < k; p++) {
    const target = left / (k - p);
    let w = 0;
    let head = 0;
    let tail = 0;
    while (w < target) {
      if (head === tail) {
        while (next < n && part[order[next]!] !== -1) next++;
        if (next === n) break;
        const s = order[next]!;
        part[s] = p;
        queue[tail++] = s;
      }
      const v = queue[head++]!;
      // `v` was assigned when queued; its weight counts now.
      w += vw[v]!;
      for (let j = xadj[v]!; j < xadj[v + 1]! && w < target; j++) {
        const u = adj[j]!;
        if (part[u] === -1) {
          part[u] = p;
          queue[tail++] = u;
        }
      }
      if (w >= target) {
        // Queued but not yet counted: give them back.
        for (let q = head; q < tail; q++) part[queue[q]!] = -1;
        tail = head;
      }
    }
    left -= w;
  }
  // Anything left (weights overshooting the targets): the lightest parts.
  const pw = partWeights(g, part, k);
  for (let v = 0; v < n; v++)
    if (part[v] === -1) {
      let best = 0;
      for (let p = 1; p < k; p++) if (pw[p]! < pw[best]!) best = p;
      part[v] = best;
      pw[best]! += vw[v]!;
    }
  return part;
}

function partWeights(g: WGraph, part: Int32Array, k: number): Float64Array {
  const pw = new Float64Array(k);
  for (let v = 0; v < g.n; v++) if (part[v]! >= 0) pw[part[v]!]! += g.vw[v]!;
  return pw;
}

/** Sum of the weights of edges between parts (each undirected edge once). */
function cutOf(g: WGraph, part: Int32Array): number {
  let cut = 0;
  for (let v = 0; v < g.n; v++) for (let j = g.xadj[v]!; j < g.xadj[v + 1]!; j++) if (part[g.adj[j]!] !== part[v]) cut += g.ew[j]!;
  return cut / 2;
}

/**
 * Greedy k-way refinement: each vertex (seeded random order) moves to the neighbouring part it
 * has the most edge weight to when that lowers the cut (or ties and evens sizes) and the part
 * stays ≤ its cap; a vertex of a part above its cap moves to its best part with room even at a loss.
 */
function refine(g: WGraph, part: Int32Array, k: number, cap: Float64Array, passes: number, rng: Random): void {
  const { n, xadj, adj, ew, vw } = g;
  const pw = partWeights(g, part, k);
  const conn = new Float64Array(k);
  const touched = new Int32Array(k);
  for (let pass = 0; pass < passes; pass++) {
    let moved = 0;
    const order = rng.permutation(n);
    for (let i = 0; i < n; i++) {
      const v = order[i]!;
      const from = part[v]!;
      let nt = 0;
      let boundary = false;
      for (let j = xadj[v]!; j < xadj[v + 1]!; j++) {
        const p = part[adj[j]!]!;
        if (p !== from) boundary = true;
        if (conn[p] === 0) touched[nt++] = p;
        conn[p]! += ew[j]!;
      }
      const over = pw[from]! > cap[from]!;
      if (boundary || over) {
        const internal = conn[from]!;
        let best = from;
        let bestGain = over ? Number.NEGATIVE_INFINITY : 0;
        for (let t = 0; t < nt; t++) {
          const p = touched[t]!;
          if (p === from || pw[p]! + vw[v]! > cap[p]!) continue;
          const gain = conn[p]! - internal;
          const evens = pw[p]! + vw[v]! < pw[from]!;
          if (gain > bestGain || (gain === bestGain && (best === from ? evens && gain === 0 : pw[p]! < pw[best]!))) {
            best = p;
            bestGain = gain;
          }
        }
        if (best !== from) {
          part[v] = best;
          pw[from]! -= vw[v]!;
          pw[best]! += vw[v]!;
          moved++;
        }
      }
      for (let t = 0; t < nt; t++) conn[touched[t]!] = 0;
    }
    if (moved === 0) break;
  }
}

/** Subgraph of `g` induced on `verts` (vertex k of it is verts[k]); `local` is all -1 and left so. */
function induced(g: WGraph, verts: Int32Array, local: Int32Array): WGraph {
  for (let k = 0; k < verts.length; k++) local[verts[k]!] = k;
  const xadj = new Int32Array(verts.length + 1);
  for (let k = 0; k < verts.length; k++) {
    const v = verts[k]!;
    let d = 0;
    for (let j = g.xadj[v]!; j < g.xadj[v + 1]!; j++) if (local[g.adj[j]!] !== -1) d++;
    xadj[k + 1] = xadj[k]! + d;
  }
  const adj = new Int32Array(xadj[verts.length]!);
  const ew = new Int32Array(adj.length);
  const vw = new Int32Array(verts.length);
  let e = 0;
  for (let k = 0; k < verts.length; k++) {
    const v = verts[k]!;
    vw[k] = g.vw[v]!;
    for (let j = g.xadj[v]!; j < g.xadj[v + 1]!; j++) {
      const u = local[g.adj[j]!]!;
      if (u !== -1) {
        adj[e] = u;
        ew[e++] = g.ew[j]!;
      }
    }
  }
  for (let k = 0; k < verts.length; k++) local[verts[k]!] = -1;
  return { n: verts.length, xadj, adj, ew, vw };
}

/** A max-heap of (vertex, key) with stale entries skipped by the caller. */
class MaxHeap {
  readonly ids: number[] = [];
  readonly keys: number[] = [];
  push(id: number, key: number): void {
    const { ids, keys } = this;
    let i = ids.length;
    ids.push(id);
    keys.push(key);
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (keys[up]! >= key) break;
      ids[i] = ids[up]!;
      keys[i] = keys[up]!;
      i = up;
    }
    ids[i] = id;
    keys[i] = key;
  }
  /** The top entry [id, key], or undefined when empty. */
  pop(): [number, number] | undefined {
    const { ids, keys } = this;
    if (ids.length === 0) return undefined;
    const top: [number, number] = [ids[0]!, keys[0]!];
    const id = ids.pop()!;
    const key = keys.pop()!;
    const n = ids.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && keys[c + 1]! > keys[c]!) c++;
        if (keys[c]! <= key) break;
        ids[i] = ids[c]!;
        keys[i] = keys[c]!;
        i = c;
      }
      ids[i] = id;
      keys[i] = key;
    }
    return top;
  }
}

/**
 * Greedy graph growing bisection: side 0 grows from a random vertex, always taking the
 * frontier vertex whose move cuts least (edge weight into the region minus out of it), to
 * `target` weight; a new random seed when the frontier runs out (disconnected graphs).
 */
function growBisection(g: WGraph, target: number, rng: Random): Int32Array {
  const { n, xadj, adj, ew, vw } = g;
  const side = new Int32Array(n).fill(1);
  const wdeg = new Float64Array(n);
  for (let v = 0; v < n; v++) for (let j = xadj[v]!; j < xadj[v + 1]!; j++) wdeg[v]! += ew[j]!;
  const conn = new Float64Array(n);
  const heap = new MaxHeap();
  const order = rng.permutation(n);
  let next = 0;
  let w = 0;
  while (w < target) {
    let v = -1;
    for (let top = heap.pop(); top; top = heap.pop())
      if (side[top[0]] === 1 && top[1] === 2 * conn[top[0]]! - wdeg[top[0]]!) {
        v = top[0];
        break;
      }
    if (v < 0) {
      while (next < n && side[order[next]!] === 0) next++;
      if (next === n) break;
      v = order[next]!;
    }
    side[v] = 0;
    w += vw[v]!;
    for (let j = xadj[v]!; j < xadj[v + 1]!; j++) {
      const u = adj[j]!;
      if (side[u] === 1) {
        conn[u]! += ew[j]!;
        heap.push(u, 2 * conn[u]! - wdeg[u]!);
      }
    }
  }
  return side;
}

/**
 * Recursive bisection (METIS's initial partitioning): split the graph in two by greedy growing
 * in proportion ⌊k/2⌋ : ⌈k/2⌉ (best cut of `tries`, each refined 2-way), then each side alike.
 */
function recursiveBisection(g: WGraph, k: number, imbalance: number, passes: number, tries: number, rng: Random): Int32Array {
  const part = new Int32Array(g.n);
  const local = new Int32Array(g.n).fill(-1);
  const split = (verts: Int32Array, k: number, offset: number): void => {
    if (k === 1 || verts.length <= 1) {
      for (const v of verts) part[v] = offset;
      return;
    }
    const sub = induced(g, verts, local);
    const k0 = k >> 1;
    let total = 0;
    for (let v = 0; v < sub.n; v++) total += sub.vw[v]!;
    const target = (total * k0) / k;
    const cap = Float64Array.of((1 + imbalance) * target, (1 + imbalance) * (total - target));
    let best: Int32Array | undefined;
    let bestCut = Number.POSITIVE_INFINITY;
    for (let t = 0; t < tries; t++) {
      const side = growBisection(sub, target, rng);
      refine(sub, side, 2, cap, passes, rng);
      const cut = cutOf(sub, side);
      if (cut < bestCut) {
        bestCut = cut;
        best = side;
      }
    }
    const halves: number[][] = [[], []];
    for (let v = 0; v < sub.n; v++) halves[best![v]!]!.push(verts[v]!);
    split(Int32Array.from(halves[0]!), k0, offset);
    split(Int32Array.from(halves[1]!), k - k0, offset + k0);
  };
  split(
    Int32Array.from({ length: g.n }, (_, v) => v),
    k,
    0,
  );
  return part;
}

/**
 * The final guarantee on the original graph (unit weights): parts above maxW give vertices to
 * their best-connected part with room (else the lightest part), then each empty part takes one
 * vertex of the largest part.
 */
function balance(g: WGraph, part: Int32Array, k: number, maxW: number, rng: Random): void {
  const { n, xadj, adj, ew } = g;
  const pw = partWeights(g, part, k);
  const conn = new Float64Array(k);
  const order = rng.permutation(n);
  for (let i = 0; i < n; i++) {
    const v = order[i]!;
    const from = part[v]!;
    if (pw[from]! <= maxW) continue;
    let best = -1;
    for (let j = xadj[v]!; j < xadj[v + 1]!; j++) conn[part[adj[j]!]!]! += ew[j]!;
    for (let j = xadj[v]!; j < xadj[v + 1]!; j++) {
      const p = part[adj[j]!]!;
      if (p !== from && pw[p]! + 1 <= maxW && (best < 0 || conn[p]! > conn[best]!)) best = p;
    }
    for (let j = xadj[v]!; j < xadj[v + 1]!; j++) conn[part[adj[j]!]!] = 0;
    if (best < 0) {
      best = 0;
      for (let p = 1; p < k; p++) if (pw[p]! < pw[best]!) best = p;
    }
    part[v] = best;
    pw[from]!--;
    pw[best]!++;
  }
  for (let p = 0; p < k; p++) {
    if (pw[p]! > 0) continue;
    let big = 0;
    for (let q = 1; q < k; q++) if (pw[q]! > pw[big]!) big = q;
    for (let i = 0; i < n; i++)
      if (part[order[i]!] === big) {
        part[order[i]!] = p;
        pw[big]!--;
        pw[p]!++;
        break;
      }
  }
}

/** Splits the nodes of `source` into `numParts` parts of balanced size with few edges between them. */
export function partitionGraph(source: NeighborSource, numParts: number, o: PartitionOptions = {}): Partition {
  const n = source.numNodes;
  const k = numParts;
  if (!Number.isInteger(k) || k < 1 || k > n)
    throw new FlambeauError("E_ARG", `${OP}: the number of parts must be an integer in [1, ${n}] (the node count), got ${k}`, OP);
  const imbalance = o.imbalance ?? 0.05;
  if (!(imbalance >= 0)) throw new FlambeauError("E_ARG", `${OP}: imbalance must be ≥ 0, got ${imbalance}`, OP);
  const passes = o.passes ?? 8;
  const rng = new Random(o.seed ?? 0, 11);
  const maxW = Math.ceil(((1 + imbalance) * n) / k);
  const g0 = symmetricGraph(source);
  if (k === 1) return { parts: new Int32Array(n), numParts: 1, sizes: Int32Array.of(n), levels: 1 };
  // Nodes without edges cut nothing wherever they go: the multilevel scheme partitions the rest
  // (each part up to the cap, so its parts may differ in size), then they fill the parts up.
  const core: number[] = [];
  for (let v = 0; v < n; v++) if (g0.xadj[v + 1]! > g0.xadj[v]!) core.push(v);
  const part = new Int32Array(n).fill(-1);
  let levels = 1;
  if (core.length >= k) {
    const verts = Int32Array.from(core);
    const local = new Int32Array(n).fill(-1);
    const g = core.length === n ? g0 : induced(g0, verts, local);
    const r = multilevel(g, k, maxW, passes, rng);
    levels = r.levels;
    // A second candidate for power-law graphs, whose hubs link mostly to each other: the nodes
    // by descending degree in chunks of N / K, refined; the smaller cut is kept.
    const byHub = degreeChunks(g, k, n / k);
    refine(g, byHub, k, new Float64Array(k).fill(maxW), passes, rng);
    const best = cutOf(g, byHub) < cutOf(g, r.parts) ? byHub : r.parts;
    for (let i = 0; i < verts.length; i++) part[verts[i]!] = best[i]!;
  }
  // The unassigned (all nodes when fewer edged nodes than parts): each to the smallest part.
  const sizes = new Int32Array(k);
  for (let v = 0; v < n; v++) if (part[v]! >= 0) sizes[part[v]!]!++;
  const order = rng.permutation(n);
  const heap = new MaxHeap();
  for (let p = 0; p < k; p++) heap.push(p, -sizes[p]!);
  for (let i = 0; i < n; i++) {
    const v = order[i]!;
    if (part[v] !== -1) continue;
    const [p] = heap.pop()!;
    part[v] = p;
    sizes[p]!++;
    heap.push(p, -sizes[p]!);
  }
  balance(g0, part, k, maxW, rng);
  sizes.fill(0);
  for (let v = 0; v < n; v++) sizes[part[v]!]!++;
  return { parts: part, numParts: k, sizes, levels };
}

/**
 * Vertices by descending weighted degree, cut into chunks of `chunk` vertex weight (the average
 * part size of the whole graph: nodes without edges fill the parts left over).
 */
function degreeChunks(g: WGraph, k: number, chunk: number): Int32Array {
  const { n, xadj, ew, vw } = g;
  const wdeg = new Float64Array(n);
  for (let v = 0; v < n; v++) for (let j = xadj[v]!; j < xadj[v + 1]!; j++) wdeg[v]! += ew[j]!;
  const order = Int32Array.from({ length: n }, (_, v) => v).sort((a, b) => wdeg[b]! - wdeg[a]! || a - b);
  const part = new Int32Array(n);
  let w = 0;
  for (const v of order) {
    part[v] = Math.min(k - 1, Math.floor(w / chunk));
    w += vw[v]!;
  }
  return part;
}

/** The multilevel scheme on a graph: coarsen, partition the coarsest, project back and refine. */
function multilevel(g0: WGraph, k: number, maxW: number, passes: number, rng: Random): { parts: Int32Array; levels: number } {
  let total = 0;
  for (let v = 0; v < g0.n; v++) total += g0.vw[v]!;
  // Coarsen to about 30 vertices per part; no coarse vertex heavier than 1.5× the average there.
  const coarsenTo = Math.max(30 * k, 200);
  const maxVw = Math.max(1, Math.floor((1.5 * total) / coarsenTo));
  const levels: WGraph[] = [g0];
  const cmaps: Int32Array[] = [];
  while (levels.at(-1)!.n > coarsenTo) {
    const g = levels.at(-1)!;
    const { cmap, coarse } = coarsen(g, maxVw, rng);
    if (coarse.n > 0.95 * g.n) break;
    cmaps.push(cmap);
    levels.push(coarse);
  }
  const top = levels.at(-1)!;
  let part: Int32Array = new Int32Array(0);
  let bestCut = Number.POSITIVE_INFINITY;
  const caps = new Float64Array(k).fill(maxW);
  // Candidates: K regions grown at once, and recursive bisection; the smallest cut after refinement.
  for (let t = 0; t < 2; t++) {
    const p = t === 0 ? growRegions(top, k, rng) : recursiveBisection(top, k, 0.03, passes, 4, rng);
    refine(top, p, k, caps, passes, rng);
    const cut = cutOf(top, p);
    if (cut < bestCut) {
      bestCut = cut;
      part = p;
    }
  }
  for (let l = levels.length - 2; l >= 0; l--) {
    const g = levels[l]!;
    const cmap = cmaps[l]!;
    const fine = new Int32Array(g.n);
    for (let v = 0; v < g.n; v++) fine[v] = part[cmap[v]!]!;
    part = fine;
    refine(g, part, k, caps, passes, rng);
  }
  return { parts: part, levels: levels.length };
}

/** A balanced random partition (node i to part perm(i) mod K), the baseline for the cut. */
export function randomPartition(numNodes: number, numParts: number, seed = 0): Int32Array {
  const perm = new Random(seed, 12).permutation(numNodes);
  const parts = new Int32Array(numNodes);
  for (let i = 0; i < numNodes; i++) parts[perm[i]!] = i % numParts;
  return parts;
}

/** Stored edges (self-loops left out) whose two ends lie in different parts, and their fraction. */
export function edgeCut(source: NeighborSource, parts: Int32Array): { cut: number; edges: number; fraction: number } {
  const n = source.numNodes;
  if (parts.length !== n) throw new FlambeauError("E_ARG", `edgeCut: ${parts.length} part ids for ${n} nodes`, "edgeCut");
  let cut = 0;
  let edges = 0;
  const { inPtr, pieces } = wholeCsr(source);
  for (let c = 0; c < pieces.length; c++) {
    const piece = pieces[c]!;
    const first = c * CHUNK;
    for (let v = first; v < Math.min(n, first + CHUNK); v++)
      for (let j = inPtr[v]! - inPtr[first]!; j < inPtr[v + 1]! - inPtr[first]!; j++) {
        const u = piece[j]!;
        if (u === v) continue;
        edges++;
        if (parts[u] !== parts[v]) cut++;
      }
  }
  return { cut, edges, fraction: edges ? cut / edges : 0 };
}
