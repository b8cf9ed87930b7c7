// The undirected simple graph (no self-loops, no duplicate edges) behind an edge index, as
// sorted CSR neighbour lists: what degree, clustering and PageRank are defined on.
import { FlambeauError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";

export interface Adjacency {
  numNodes: number;
  /** Neighbours of node v: neighbours[offsets[v] .. offsets[v + 1]), sorted ascending. */
  offsets: Int32Array;
  neighbours: Int32Array;
}

/** From an edge index [2, E] (int64 tensor or pairs); either direction of an edge makes it an undirected edge. */
export function undirectedAdjacency(edgeIndex: Tensor | readonly (readonly [number, number])[], numNodes: number): Adjacency {
  if (!Number.isSafeInteger(numNodes) || numNodes < 0)
    throw new FlambeauError("E_ARG", `undirectedAdjacency: numNodes must be a non-negative integer, got ${numNodes}`);
  let src: ArrayLike<number | bigint>;
  let dst: ArrayLike<number | bigint>;
  if (Array.isArray(edgeIndex)) {
    const pairs = edgeIndex as readonly (readonly [number, number])[];
    src = pairs.map((p) => p[0]);
    dst = pairs.map((p) => p[1]);
  } else {
    const t = edgeIndex as Tensor;
    if (t.ndim !== 2 || t.shape[0] !== 2)
      throw new FlambeauError("E_SHAPE", `undirectedAdjacency: edge index must be [2, E], got [${t.shape}]`);
    const d = t.to("int64").contiguous().data() as BigInt64Array;
    const e = t.shape[1]!;
    src = d.subarray(0, e);
    dst = d.subarray(e, 2 * e);
  }
  const lists: number[][] = Array.from({ length: numNodes }, () => []);
  for (let i = 0; i < src.length; i++) {
    const u = Number(src[i]);
    const v = Number(dst[i]);
    if (!(u >= 0 && u < numNodes && v >= 0 && v < numNodes && Number.isInteger(u) && Number.isInteger(v)))
      throw new FlambeauError("E_ARG", `undirectedAdjacency: edge ${i} (${u}, ${v}) is outside [0, ${numNodes})`);
    if (u === v) continue;
    lists[u]!.push(v);
    lists[v]!.push(u);
  }
  const offsets = new Int32Array(numNodes + 1);
  const flat: number[] = [];
  for (let v = 0; v < numNodes; v++) {
    const l = lists[v]!.sort((a, b) => a - b);
    for (let i = 0; i < l.length; i++) if (i === 0 || l[i] !== l[i - 1]) flat.push(l[i]!);
    offsets[v + 1] = flat.length;
  }
  return { numNodes, offsets, neighbours: Int32Array.from(flat) };
}

export const degreeOf = (a: Adjacency, v: number): number => a.offsets[v + 1]! - a.offsets[v]!;
