// What sampled training reads from a graph, whether it is in memory or in a store on disk:
// neighbour lists, feature rows and labels of the nodes a batch names, and the split's nodes.
import { type Tensor, tensor, tidy } from "../../core/index.js";
import type { Graph } from "../graph.js";
import { csrSource, incomingCsr } from "../sampler.js";
import type { SplitName } from "./format.js";

/** Incoming neighbours of a list of nodes: node k's are src[ptr[k] … ptr[k+1]). */
export interface NeighborLists {
  ptr: Int32Array;
  src: Int32Array;
}

/**
 * The subgraph induced on the listed nodes: int64 [2, E] local edges (source, target) for each
 * neighbour u of the k-th listed node whose local id localOf(u) is not −1, target k; in list order.
 * The GraphSAINT and Cluster-GCN samplers both build their batch's graph with it.
 */
export function inducedEdgeIndex(lists: NeighborLists, localOf: (id: number) => number): Tensor {
  const { ptr, src } = lists;
  const n = ptr.length - 1;
  let e = 0;
  for (let j = 0; j < ptr[n]!; j++) if (localOf(src[j]!) !== -1) e++;
  const ei = new BigInt64Array(2 * e);
  let m = 0;
  for (let k = 0; k < n; k++)
    for (let j = ptr[k]!; j < ptr[k + 1]!; j++) {
      const lu = localOf(src[j]!);
      if (lu !== -1) {
        ei[m] = BigInt(lu);
        ei[e + m++] = BigInt(k);
      }
    }
  return tensor(ei, { shape: [2, e] });
}

/** Anything the neighbour sampler can draw from. */
export interface NeighborSource {
  readonly numNodes: number;
  neighbors(nodes: ArrayLike<number>): NeighborLists;
}

export interface NodeDataSource extends NeighborSource {
  readonly numFeatures: number;
  readonly classes: readonly string[];
  /** Row-major [nodes.length, numFeatures]. */
  features(nodes: ArrayLike<number>): Float32Array;
  /** -1 for unlabelled nodes. */
  labels(nodes: ArrayLike<number>): Int32Array;
  /** Labelled nodes of the split, ascending. */
  splitNodes(split: SplitName): Int32Array;
}

/** A Graph in memory as a NodeDataSource (features and labels copied out once). */
export function graphSource(g: Graph): NodeDataSource {
  const n = g.numNodes;
  const f = g.x ? g.x.shape[1]! : 0;
  const x = g.x ? (tidy(() => g.x!.float().contiguous().data()) as Float32Array) : new Float32Array(0);
  const y = g.y ? Int32Array.from(g.y.data() as BigInt64Array, Number) : new Int32Array(n).fill(-1);
  const mask = (m: typeof g.trainMask): Uint8Array => (m ? (tidy(() => m.to("uint8").data()) as Uint8Array) : new Uint8Array(n));
  const masks = { train: mask(g.trainMask), val: mask(g.valMask), test: mask(g.testMask) };
  const nb = csrSource(incomingCsr(g.edgeIndex, n), n);
  return {
    numNodes: n,
    numFeatures: f,
    classes: g.classes ? [...g.classes] : Array.from({ length: Math.max(0, ...y) + 1 }, (_, c) => String(c)),
    neighbors: (nodes) => nb.neighbors(nodes),
    features(nodes) {
      const out = new Float32Array(nodes.length * f);
      for (let k = 0; k < nodes.length; k++) out.set(x.subarray(nodes[k]! * f, (nodes[k]! + 1) * f), k * f);
      return out;
    },
    labels: (nodes) => Int32Array.from(nodes as ArrayLike<number>, (v) => y[v]!),
    splitNodes(split) {
      const m = masks[split];
      const out: number[] = [];
      for (let i = 0; i < n; i++) if (m[i] && y[i]! >= 0) out.push(i);
      return Int32Array.from(out);
    },
  };
}
