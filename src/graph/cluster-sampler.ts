// Cluster-GCN's sampler (Chiang et al. 2019, "stochastic multiple partitions"): the nodes are
// split once into K parts with few edges between them (partition.ts, METIS in the paper); each
// batch is q parts drawn without replacement, and the subgraph is induced on their union, so
// the edges between the chosen parts are put back. A model runs all its layers on that one
// small graph. Same result shape as the GraphSAINT sampler: global ids and a local edge index.
import { FlambeauError } from "../core/errors.js";
import type { Random } from "../data/random.js";
import type { WalkSubgraph } from "./saint-sampler.js";
import { inducedEdgeIndex, type NeighborSource } from "./store/source.js";

const OP = "ClusterSampler";

export class ClusterSampler {
  readonly source: NeighborSource;
  readonly numParts: number;
  readonly partsPerBatch: number;
  /** Part p's nodes are members[start[p] … start[p+1]), ascending. */
  readonly start: Int32Array;
  readonly members: Int32Array;
  /** The part of each node. */
  readonly partOf: Int32Array;
  /** Local index of each node while a batch is built (-1 elsewhere): O(N) once, no map per batch. */
  readonly #local: Int32Array;

  constructor(source: NeighborSource, parts: Int32Array, o: { numParts: number; partsPerBatch: number }) {
    const n = source.numNodes;
    const { numParts: k, partsPerBatch: q } = o;
    if (parts.length !== n) throw new FlambeauError("E_ARG", `${OP}: ${parts.length} part ids for a graph of ${n} nodes`, OP);
    if (!Number.isInteger(k) || k < 1) throw new FlambeauError("E_ARG", `${OP}: numParts must be a positive integer, got ${k}`, OP);
    if (!Number.isInteger(q) || q < 1 || q > k)
      throw new FlambeauError("E_ARG", `${OP}: partsPerBatch must be an integer in [1, ${k}], got ${q}`, OP);
    this.source = source;
    this.numParts = k;
    this.partsPerBatch = q;
    const start = new Int32Array(k + 1);
    for (let v = 0; v < n; v++) {
      const p = parts[v]!;
      if (!(p >= 0 && p < k)) throw new FlambeauError("E_ARG", `${OP}: node ${v} is in part ${p}, outside [0, ${k})`, OP);
      start[p + 1]!++;
    }
    for (let p = 0; p < k; p++) start[p + 1]! += start[p]!;
    const fill = start.slice(0, k);
    const members = new Int32Array(n);
    for (let v = 0; v < n; v++) members[fill[parts[v]!]!++] = v;
    this.start = start;
    this.members = members;
    this.partOf = parts;
    this.#local = new Int32Array(n).fill(-1);
  }

  /** Batches of one epoch: the K parts in a seeded random order, q at a time (the last may hold fewer). */
  epochBatches(rng: Random): Int32Array[] {
    const order = rng.permutation(this.numParts);
    const out: Int32Array[] = [];
    for (let i = 0; i < order.length; i += this.partsPerBatch) out.push(order.slice(i, i + this.partsPerBatch));
    return out;
  }

  /** Nodes of `parts` (part by part) and every stored edge between two of them. */
  sample(parts: ArrayLike<number>): WalkSubgraph {
    const seen = new Set<number>();
    let size = 0;
    for (let k = 0; k < parts.length; k++) {
      const p = parts[k]!;
      if (!Number.isInteger(p) || p < 0 || p >= this.numParts)
        throw new FlambeauError("E_ARG", `${OP}.sample: part ${p} is outside [0, ${this.numParts})`, OP);
      if (seen.has(p)) throw new FlambeauError("E_ARG", `${OP}.sample: part ${p} is named twice`, OP);
      seen.add(p);
      size += this.start[p + 1]! - this.start[p]!;
    }
    const nodes = new Int32Array(size);
    let at = 0;
    for (let k = 0; k < parts.length; k++) {
      const p = parts[k]!;
      nodes.set(this.members.subarray(this.start[p]!, this.start[p + 1]!), at);
      at += this.start[p + 1]! - this.start[p]!;
    }
    const local = this.#local;
    for (let k = 0; k < size; k++) local[nodes[k]!] = k;
    try {
      return { nodes, edgeIndex: inducedEdgeIndex(this.source.neighbors(nodes), (u) => local[u]!) };
    } finally {
      for (let k = 0; k < size; k++) local[nodes[k]!] = -1;
    }
  }
}

/**
 * Defaults sized to the graph: parts of about 1,500 nodes (at least 2 parts, at most one per
 * node), and batches of about 15,000 nodes (q parts, at least 1, at most K).
 */
export function defaultClusterSizes(numNodes: number, parts?: number): { parts: number; partsPerBatch: number } {
  const k = parts ?? Math.min(numNodes, Math.max(2, Math.round(numNodes / 1500)));
  const q = Math.min(k, Math.max(1, Math.round((15000 * k) / Math.max(1, numNodes))));
  return { parts: k, partsPerBatch: q };
}
