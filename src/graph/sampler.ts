// GraphSAGE-style neighbour sampling: from a set of seed nodes, draw at most fanouts[l]
// incoming neighbours per frontier node, hop by hop, and return the sampled subgraph with
// the seeds first, so a model's first `batchSize` output rows are the seeds' (PyG's NeighborLoader).
// The neighbours come from an in-memory CSR or any NeighborSource (the on-disk GraphStore),
// asked once per hop for the whole frontier so a store reads them in few, coalesced reads.
import { FlambeauError } from "../core/errors.js";
import { type Tensor, tensor } from "../core/index.js";
import { Random } from "../data/random.js";
import { Graph } from "./graph.js";
import type { NeighborSource } from "./store/source.js";

/** Compressed incoming adjacency: the sources of node i are src[ptr[i] … ptr[i+1]). */
export interface Csr {
  ptr: Int32Array;
  src: Int32Array;
}

export function incomingCsr(edgeIndex: Tensor, numNodes: number): Csr {
  const e = edgeIndex.shape[1]!;
  const d = edgeIndex.data() as BigInt64Array;
  const ptr = new Int32Array(numNodes + 1);
  for (let k = 0; k < e; k++) ptr[Number(d[e + k]) + 1]!++;
  for (let i = 0; i < numNodes; i++) ptr[i + 1]! += ptr[i]!;
  const fill = ptr.slice(0, numNodes);
  const src = new Int32Array(e);
  for (let k = 0; k < e; k++) src[fill[Number(d[e + k])]!++] = Number(d[k]);
  return { ptr, src };
}

/** Neighbour lists from an in-memory incoming CSR. */
export function csrSource(csr: { ptr: Int32Array; src: Int32Array }, numNodes: number): NeighborSource {
  return {
    numNodes,
    neighbors(nodes) {
      const ptr = new Int32Array(nodes.length + 1);
      for (let k = 0; k < nodes.length; k++) ptr[k + 1] = ptr[k]! + csr.ptr[nodes[k]! + 1]! - csr.ptr[nodes[k]!]!;
      const src = new Int32Array(ptr[nodes.length]!);
      for (let k = 0; k < nodes.length; k++) src.set(csr.src.subarray(csr.ptr[nodes[k]!]!, csr.ptr[nodes[k]! + 1]!), ptr[k]!);
      return { ptr, src };
    },
  };
}

export interface SampledSubgraph {
  /** Global ids of the subgraph's nodes; the first `batchSize` are the seeds. */
  nodes: Int32Array;
  /** Local int64 [2, E'] edges (sampled neighbour → node). */
  edgeIndex: Tensor;
  batchSize: number;
}

export class NeighborSampler {
  readonly source: NeighborSource;
  readonly numNodes: number;
  readonly fanouts: readonly number[];
  readonly #rng: Random;
  constructor(graph: Graph | NeighborSource, fanouts: readonly number[], o: { seed?: number } = {}) {
    if (fanouts.length === 0 || fanouts.some((f) => !Number.isInteger(f) || (f < 1 && f !== -1)))
      throw new FlambeauError("E_ARG", `NeighborSampler: fanouts must be positive integers (or -1 for all), got [${fanouts.join(", ")}]`);
    this.source = graph instanceof Graph ? csrSource(incomingCsr(graph.edgeIndex, graph.numNodes), graph.numNodes) : graph;
    this.numNodes = graph.numNodes;
    this.fanouts = fanouts;
    this.#rng = new Random(o.seed ?? 0);
  }

  sample(seeds: ArrayLike<number>): SampledSubgraph {
    const local = new Map<number, number>();
    const nodes: number[] = [];
    for (let k = 0; k < seeds.length; k++) {
      const s = seeds[k]!;
      if (!Number.isInteger(s) || s < 0 || s >= this.numNodes)
        throw new FlambeauError("E_ARG", `NeighborSampler.sample: seed ${s} is outside [0, ${this.numNodes})`);
      if (!local.has(s)) {
        local.set(s, nodes.length);
        nodes.push(s);
      }
    }
    const batchSize = nodes.length;
    const rows: number[] = [];
    const cols: number[] = [];
    let frontier = nodes.slice();
    for (const fanout of this.fanouts) {
      const next: number[] = [];
      const { ptr, src } = this.source.neighbors(frontier);
      for (let f = 0; f < frontier.length; f++) {
        const v = frontier[f]!;
        const start = ptr[f]!;
        const deg = ptr[f + 1]! - start;
        const take = fanout < 0 || deg <= fanout ? deg : fanout;
        // Partial Fisher–Yates over the neighbour slots: `take` distinct neighbours. The
        // swapped slots live in a map, so a hub's thousands of slots are never laid out.
        const swapped = new Map<number, number>();
        const slot = (k: number): number => swapped.get(k) ?? k;
        for (let k = 0; k < take; k++) {
          let pick = k;
          if (take < deg) {
            const r = k + this.#rng.int(deg - k);
            pick = slot(r);
            swapped.set(r, slot(k));
          }
          const u = src[start + pick]!;
          let lu = local.get(u);
          if (lu === undefined) {
            lu = nodes.length;
            local.set(u, lu);
            nodes.push(u);
            next.push(u);
          }
          rows.push(lu);
          cols.push(local.get(v)!);
        }
      }
      frontier = next;
    }
    const e = rows.length;
    const ei = new BigInt64Array(2 * e);
    for (let k = 0; k < e; k++) {
      ei[k] = BigInt(rows[k]!);
      ei[e + k] = BigInt(cols[k]!);
    }
    return { nodes: Int32Array.from(nodes), edgeIndex: tensor(ei, { shape: [2, e] }), batchSize };
  }
}
