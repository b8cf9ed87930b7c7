// Leiden (Traag, Waltman & van Eck 2019, "From Louvain to Leiden: guaranteeing well-connected
// communities"), optimising modularity with resolution γ. Each level: fast local moving (a
// queue that revisits only the neighbours of moved nodes), refinement (inside each community,
// singletons merge only into well-connected sub-communities, chosen at random ∝ exp(ΔH / θ)),
// and aggregation on the refined partition with the unrefined one as the aggregate's start.
// Louvain aggregates on the moved partition instead, which can leave a community whose parts
// hang together only through a node that has since left; here every community is connected.
import { FlambeauError } from "../../core/errors.js";
import { Random } from "../../data/random.js";
import type { Graph } from "../graph.js";
import { type Adjacency, adjacencyOf, fromEdges, modularityOf } from "./adjacency.js";

export interface LeidenOptions {
  /** γ of modularity (1 = Newman's). */
  resolution?: number;
  /** Randomness of the refinement: merge probabilities ∝ exp(ΔH / θ), ΔH in edge weight. */
  theta?: number;
  seed?: number;
  /** Whole Leiden passes, each started from the last one's partition, until one changes nothing. */
  maxIterations?: number;
}

export interface LeidenResult {
  /** Community of each node, numbered 0 … count−1. */
  labels: Int32Array;
  count: number;
  modularity: number;
  iterations: number;
}

/** Leiden communities of a graph (undirected, or made so; edge weights used when present). */
export function leiden(g: Graph, o: LeidenOptions = {}): LeidenResult {
  return leidenOn(adjacencyOf(g), o);
}

/** Leiden on an adjacency (the form the tests build by hand). */
export function leidenOn(a: Adjacency, o: LeidenOptions = {}): LeidenResult {
  const gamma = o.resolution ?? 1;
  const theta = o.theta ?? 0.01;
  if (!(gamma > 0) || !(theta > 0))
    throw new FlambeauError("E_ARG", `leiden: resolution and theta must be > 0, got ${gamma} and ${theta}`, "leiden");
  const rng = new Random(o.seed ?? 0, 0x1e1d);
  let labels: Int32Array = new Int32Array(a.n).map((_, i) => i);
  let iterations = 0;
  // No edges: every partition has modularity 0; each node stays alone.
  if (a.total === 0) return { labels, count: a.n, modularity: 0, iterations: 0 };
  for (; iterations < (o.maxIterations ?? 10); iterations++) {
    const next = pass(a, labels, gamma, theta, rng);
    const same = next.every((c, i) => c === labels[i]);
    labels = next;
    if (same) break;
  }
  const count = countOf(labels);
  return { labels, count, modularity: modularityOf(a, labels, gamma), iterations: iterations + 1 };
}

/** One Leiden run from `start`: move, refine, aggregate until moving changes nothing. */
function pass(a0: Adjacency, start: Int32Array, gamma: number, theta: number, rng: Random): Int32Array {
  // member[v]: the aggregate node original node v lies in.
  const member = new Int32Array(a0.n).map((_, i) => i);
  let a = a0;
  let part = renumber(start);
  for (;;) {
    const moved = renumber(moveNodes(a, part, gamma, rng));
    const count = countOf(moved);
    if (count === a.n) {
      for (let v = 0; v < a0.n; v++) member[v] = moved[member[v]!]!;
      return member;
    }
    const refined = renumber(refine(a, moved, gamma, theta, rng));
    // A refinement that merged nothing would aggregate to the same graph again: stop here.
    if (countOf(refined) === a.n) {
      for (let v = 0; v < a0.n; v++) member[v] = moved[member[v]!]!;
      return member;
    }
    const { agg, start: aggStart } = aggregate(a, refined, moved);
    for (let v = 0; v < a0.n; v++) member[v] = refined[member[v]!]!;
    a = agg;
    part = aggStart;
  }
}

/** Communities in a partition numbered 0 … k−1 (a loop: spreading a large array overflows the stack). */
function countOf(c: Int32Array): number {
  let k = 0;
  for (const x of c) if (x + 1 > k) k = x + 1;
  return k;
}

/** Community ids renumbered 0 … k−1 in order of first appearance. */
function renumber(c: Int32Array): Int32Array {
  const map = new Map<number, number>();
  return c.map((x) => {
    let y = map.get(x);
    if (y === undefined) {
      y = map.size;
      map.set(x, y);
    }
    return y;
  });
}

/**
 * Fast local moving: visit nodes from a queue (all of them, in random order, at first); move a
 * node to the community of best modularity gain, and queue its neighbours outside that community.
 */
function moveNodes(a: Adjacency, start: Int32Array, gamma: number, rng: Random): Int32Array {
  const n = a.n;
  const part = Int32Array.from(start);
  const K = new Float64Array(n);
  const size = new Int32Array(n);
  for (let v = 0; v < n; v++) {
    K[part[v]!]! += a.strength[v]!;
    size[part[v]!]!++;
  }
  const empty: number[] = [];
  for (let c = n - 1; c >= 0; c--) if (size[c] === 0) empty.push(c);
  const queue = new Int32Array(n);
  const queued = new Uint8Array(n).fill(1);
  queue.set(rng.permutation(n));
  let head = 0;
  let length = n;
  const w = new Float64Array(n);
  const touched: number[] = [];
  const scale = gamma / a.total;
  while (length > 0) {
    const v = queue[head]!;
    head = (head + 1) % n;
    length--;
    queued[v] = 0;
    const own = part[v]!;
    const kv = a.strength[v]!;
    for (let p = a.offsets[v]!; p < a.offsets[v + 1]!; p++) {
      const c = part[a.targets[p]!]!;
      if (w[c] === 0) touched.push(c);
      w[c]! += a.weights[p]!;
    }
    K[own]! -= kv;
    size[own]!--;
    // Gain of joining c, up to terms shared by every choice: k_v,c − γ k_v K_c / 2m; an empty community gains 0.
    let best = own;
    let bestGain = w[own]! - scale * kv * K[own]!;
    for (const c of touched) {
      const gain = w[c]! - scale * kv * K[c]!;
      if (gain > bestGain) {
        best = c;
        bestGain = gain;
      }
    }
    if (bestGain < 0 && size[own]! > 0) {
      best = empty.pop()!;
      bestGain = 0;
    }
    for (const c of touched) w[c] = 0;
    touched.length = 0;
    if (size[own] === 0) K[own] = 0; // no rounding residue in an empty community
    K[best]! += kv;
    size[best]!++;
    if (size[own] === 0 && best !== own) empty.push(own);
    if (best !== own) {
      part[v] = best;
      for (let p = a.offsets[v]!; p < a.offsets[v + 1]!; p++) {
        const u = a.targets[p]!;
        if (!queued[u] && part[u] !== best) {
          queue[(head + length) % n] = u;
          length++;
          queued[u] = 1;
        }
      }
    }
  }
  return part;
}

/**
 * Refinement: starting from singletons, inside each community S of `part` visit its
 * well-connected nodes (E(v, S − v) ≥ γ k_v (K_S − k_v) / 2m) in random order; a node still
 * alone joins a well-connected sub-community of S (or stays) at random, ∝ exp(ΔH / θ) over
 * the choices with ΔH ≥ 0. Sub-communities only grow by nodes with an edge into them, so each
 * is connected.
 */
function refine(a: Adjacency, part: Int32Array, gamma: number, theta: number, rng: Random): Int32Array {
  const n = a.n;
  const scale = gamma / a.total;
  const refined = new Int32Array(n).map((_, i) => i);
  const Kr = Float64Array.from(a.strength);
  const size = new Int32Array(n).fill(1);
  const KS = new Float64Array(n);
  for (let v = 0; v < n; v++) KS[part[v]!]! += a.strength[v]!;
  // ext[c]: E(c, S − c), the weight from sub-community c to the rest of its community.
  const ext = new Float64Array(n);
  for (let v = 0; v < n; v++)
    for (let p = a.offsets[v]!; p < a.offsets[v + 1]!; p++) if (part[a.targets[p]!] === part[v]) ext[v]! += a.weights[p]!;
  const w = new Float64Array(n);
  const touched: number[] = [];
  const choices: number[] = [];
  const gains: number[] = [];
  for (const v of rng.permutation(n)) {
    const S = part[v]!;
    const kv = a.strength[v]!;
    if (size[refined[v]!] !== 1 || ext[v]! < scale * kv * (KS[S]! - kv)) continue;
    for (let p = a.offsets[v]!; p < a.offsets[v + 1]!; p++) {
      const u = a.targets[p]!;
      if (part[u] !== S) continue;
      const c = refined[u]!;
      if (w[c] === 0) touched.push(c);
      w[c]! += a.weights[p]!;
    }
    choices.length = 0;
    gains.length = 0;
    choices.push(refined[v]!);
    gains.push(0);
    let top = 0;
    for (const c of touched) {
      if (ext[c]! < scale * Kr[c]! * (KS[S]! - Kr[c]!)) continue;
      const gain = w[c]! - scale * kv * Kr[c]!;
      if (gain < 0) continue;
      choices.push(c);
      gains.push(gain);
      top = Math.max(top, gain);
    }
    // Subtract the best gain before exponentiating: the same probabilities, no overflow.
    let total = 0;
    for (let i = 0; i < gains.length; i++) {
      gains[i] = Math.exp((gains[i]! - top) / theta);
      total += gains[i]!;
    }
    let u = rng.nextFloat() * total;
    let pick = choices.length - 1;
    for (let i = 0; i < choices.length; i++) {
      u -= gains[i]!;
      if (u < 0) {
        pick = i;
        break;
      }
    }
    const c = choices[pick]!;
    const own = refined[v]!;
    if (c !== own) {
      // Edges between v and c turn internal: ext(c ∪ v) = ext(c) + ext(v) − 2 w(v, c).
      ext[c] = ext[c]! + ext[own]! - 2 * w[c]!;
      Kr[c]! += kv;
      size[c]!++;
      Kr[own] = 0;
      size[own] = 0;
      refined[v] = c;
    }
    for (const t of touched) w[t] = 0;
    touched.length = 0;
  }
  return refined;
}

/** The graph of the refined communities (internal weight as self-loops) and the start partition: each refined community's parent. */
function aggregate(a: Adjacency, refined: Int32Array, part: Int32Array): { agg: Adjacency; start: Int32Array } {
  const k = countOf(refined);
  const src: number[] = [];
  const dst: number[] = [];
  const wt: number[] = [];
  // Rows by aggregate node: gather members first so each row's weights sum in one buffer.
  const members: number[][] = Array.from({ length: k }, () => []);
  for (let v = 0; v < a.n; v++) members[refined[v]!]!.push(v);
  const w = new Float64Array(k);
  const touched: number[] = [];
  const start = new Int32Array(k);
  for (let c = 0; c < k; c++) {
    let loop = 0;
    for (const v of members[c]!) {
      start[c] = part[v]!;
      loop += a.selfLoop[v]!;
      for (let p = a.offsets[v]!; p < a.offsets[v + 1]!; p++) {
        const d = refined[a.targets[p]!]!;
        if (d === c) {
          loop += a.weights[p]!;
          continue;
        }
        if (w[d] === 0) touched.push(d);
        w[d]! += a.weights[p]!;
      }
    }
    if (loop > 0) {
      src.push(c);
      dst.push(c);
      wt.push(loop);
    }
    for (const d of touched) {
      src.push(c);
      dst.push(d);
      wt.push(w[d]!);
      w[d] = 0;
    }
    touched.length = 0;
  }
  return { agg: fromEdges(k, Int32Array.from(src), Int32Array.from(dst), Float64Array.from(wt)), start };
}
