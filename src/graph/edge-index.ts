// Functional helpers on COO edge indices (int64 [2, E], row 0 = source j, row 1 = target i,
// PyG's "source_to_target" flow): validation, self-loops, coalescing, degrees, GCN weights.
import { FlambeauError } from "../core/errors.js";
import { arange, cat, full, isinf, ones, stack, type Tensor, tensor, tidy, zeros } from "../core/index.js";
import { nonzero, unique } from "../core/ops/indexing.js";

/** Checks that `edgeIndex` is int64 [2, E] with every id in [0, numNodes); returns it. */
export function checkEdgeIndex(op: string, edgeIndex: Tensor, numNodes: number): Tensor {
  if (!Number.isSafeInteger(numNodes) || numNodes < 0)
    throw new FlambeauError("E_ARG", `${op}: numNodes must be a non-negative integer, got ${numNodes}`, op);
  if (edgeIndex.ndim !== 2 || edgeIndex.shape[0] !== 2)
    throw new FlambeauError("E_SHAPE", `${op}: edgeIndex must have shape [2, E], got [${edgeIndex.shape.join(", ")}]`, op);
  if (edgeIndex.dtype !== "int64") throw new FlambeauError("E_DTYPE", `${op}: edgeIndex must be int64, got ${edgeIndex.dtype}`, op);
  if (edgeIndex.shape[1] === 0) return edgeIndex;
  const [lo, hi] = tidy(() => [edgeIndex.min().item(), edgeIndex.max().item()]) as [number, number];
  if (lo < 0 || hi >= numNodes) {
    const bad = lo < 0 ? lo : hi;
    throw new FlambeauError("E_ARG", `${op}: edgeIndex holds node id ${bad}, outside [0, ${numNodes}) (${numNodes} nodes)`, op);
  }
  return edgeIndex;
}

/** An int64 [2, E] edge index from [source, target] pairs. */
export function edgeIndexFrom(pairs: readonly (readonly [number, number])[]): Tensor {
  const data = new BigInt64Array(2 * pairs.length);
  pairs.forEach(([s, t], k) => {
    if (!Number.isSafeInteger(s) || !Number.isSafeInteger(t))
      throw new FlambeauError("E_ARG", `edgeIndexFrom: edge ${k} is [${s}, ${t}], node ids must be integers`);
    data[k] = BigInt(s);
    data[pairs.length + k] = BigInt(t);
  });
  return tensor(data, { shape: [2, pairs.length] });
}

/** In-degree (`index` = targets) or out-degree (`index` = sources), optionally weighted, as float32 [numNodes]. */
export function degree(index: Tensor, numNodes: number, weight?: Tensor | null): Tensor {
  return tidy(() => zeros([numNodes]).indexAdd(0, index, weight ?? ones([index.shape[0]!])));
}

/** Drops edges i → i (and their weights). */
export function removeSelfLoops(edgeIndex: Tensor, edgeWeight?: Tensor | null): { edgeIndex: Tensor; edgeWeight: Tensor | null } {
  return tidy(() => {
    const keep = edgeIndex.select(0, 0).ne(edgeIndex.select(0, 1));
    const idx = nonzero(keep).view(-1);
    return { edgeIndex: edgeIndex.indexSelect(1, idx), edgeWeight: edgeWeight ? edgeWeight.indexSelect(0, idx) : null };
  }) as { edgeIndex: Tensor; edgeWeight: Tensor | null };
}

/** Appends one loop i → i per node (weight `fill`), keeping existing loops (PyG's add_self_loops). */
export function addSelfLoops(
  edgeIndex: Tensor,
  numNodes: number,
  edgeWeight?: Tensor | null,
  fill = 1,
): { edgeIndex: Tensor; edgeWeight: Tensor | null } {
  return tidy(() => {
    const loops = arange(0, numNodes, 1, { dtype: "int64" });
    const ei = cat([edgeIndex, stack([loops, loops])], 1);
    const w = edgeWeight ? cat([edgeWeight, full([numNodes], fill, { dtype: edgeWeight.dtype })]) : null;
    return { edgeIndex: ei, edgeWeight: w };
  }) as { edgeIndex: Tensor; edgeWeight: Tensor | null };
}

/**
 * Adds a loop to every node that lacks one (weight `fill`); a node's existing loop keeps its
 * weight (PyG's add_remaining_self_loops, used by GCN normalisation).
 */
export function addRemainingSelfLoops(
  edgeIndex: Tensor,
  numNodes: number,
  edgeWeight: Tensor | null,
  fill = 1,
): { edgeIndex: Tensor; edgeWeight: Tensor } {
  return tidy(() => {
    const isLoop = edgeIndex.select(0, 0).eq(edgeIndex.select(0, 1));
    const keep = nonzero(isLoop.logicalNot()).view(-1);
    const w = edgeWeight ?? ones([edgeIndex.shape[1]!]);
    let loopW = full([numNodes], fill, { dtype: w.dtype });
    const loopIdx = nonzero(isLoop).view(-1);
    if (loopIdx.shape[0]! > 0) loopW = loopW.scatter(0, edgeIndex.select(0, 0).indexSelect(0, loopIdx), w.indexSelect(0, loopIdx));
    const loops = arange(0, numNodes, 1, { dtype: "int64" });
    return {
      edgeIndex: cat([edgeIndex.indexSelect(1, keep), stack([loops, loops])], 1),
      edgeWeight: cat([w.indexSelect(0, keep), loopW]),
    };
  }) as { edgeIndex: Tensor; edgeWeight: Tensor };
}

/** Sorts edges by (source, target) and merges duplicates (weights summed). */
export function coalesce(
  edgeIndex: Tensor,
  numNodes: number,
  edgeWeight?: Tensor | null,
): { edgeIndex: Tensor; edgeWeight: Tensor | null } {
  return tidy(() => {
    const key = edgeIndex.select(0, 0).mul(numNodes).add(edgeIndex.select(0, 1));
    const [values, inverse] = unique(key, { returnInverse: true });
    const ei = stack([values.div(numNodes, "floor"), values.remainder(numNodes)]);
    const w = edgeWeight ? zeros([values.shape[0]!], { dtype: edgeWeight.dtype }).indexAdd(0, inverse, edgeWeight) : null;
    return { edgeIndex: ei, edgeWeight: w };
  }) as { edgeIndex: Tensor; edgeWeight: Tensor | null };
}

/** Adds every reverse edge and coalesces (PyG's to_undirected, weights of duplicates summed). */
export function toUndirected(
  edgeIndex: Tensor,
  numNodes: number,
  edgeWeight?: Tensor | null,
): { edgeIndex: Tensor; edgeWeight: Tensor | null } {
  return tidy(() => {
    const both = cat([edgeIndex, edgeIndex.flip(0)], 1);
    const w = edgeWeight ? cat([edgeWeight, edgeWeight]) : null;
    return coalesce(both, numNodes, w);
  }) as { edgeIndex: Tensor; edgeWeight: Tensor | null };
}

export interface GcnNormOptions {
  edgeWeight?: Tensor | null;
  /** Add a self-loop to each node lacking one (default true). */
  addSelfLoops?: boolean;
  /** Self-loop weight 2 instead of 1 (PyG's `improved`). */
  improved?: boolean;
}

/** D^-1/2 (A + I) D^-1/2 as edge weights: w_ji / sqrt(deg_j · deg_i), degrees counted at targets (PyG's gcn_norm). */
export function gcnNorm(edgeIndex: Tensor, numNodes: number, o: GcnNormOptions = {}): { edgeIndex: Tensor; edgeWeight: Tensor } {
  return tidy(() => {
    let ei = edgeIndex;
    let w = o.edgeWeight ?? ones([edgeIndex.shape[1]!]);
    if (o.addSelfLoops !== false) ({ edgeIndex: ei, edgeWeight: w } = addRemainingSelfLoops(ei, numNodes, w, o.improved ? 2 : 1));
    const deg = degree(ei.select(0, 1), numNodes, w);
    const dis = deg.pow(-0.5);
    const disSafe = dis.maskedFill(isinf(dis), 0);
    const norm = disSafe
      .indexSelect(0, ei.select(0, 0))
      .mul(w)
      .mul(disSafe.indexSelect(0, ei.select(0, 1)));
    return { edgeIndex: ei, edgeWeight: norm };
  }) as { edgeIndex: Tensor; edgeWeight: Tensor };
}

/**
 * Checks a relation id per edge (int64 [E], each in [0, numRelations)) for typed graphs; the
 * error names the first offending edge and its value.
 */
export function checkEdgeType(op: string, edgeType: Tensor, numEdges: number, numRelations: number): Tensor {
  if (edgeType.ndim !== 1 || edgeType.shape[0] !== numEdges)
    throw new FlambeauError(
      "E_SHAPE",
      `${op}: edgeType must have shape [${numEdges}] (one relation per edge), got [${edgeType.shape.join(", ")}]`,
      op,
    );
  if (edgeType.dtype !== "int64") throw new FlambeauError("E_DTYPE", `${op}: edgeType must be int64, got ${edgeType.dtype}`, op);
  if (numEdges === 0) return edgeType;
  const [lo, hi] = tidy(() => [edgeType.min().item(), edgeType.max().item()]) as [number, number];
  if (lo < 0 || hi >= numRelations) {
    const bad = lo < 0 ? lo : hi;
    const at = (edgeType.data() as BigInt64Array).findIndex((v) => Number(v) === bad);
    throw new FlambeauError(
      "E_ARG",
      `${op}: edge ${at} has relation id ${bad}, outside [0, ${numRelations}) (${numRelations} relations)`,
      op,
    );
  }
  return edgeType;
}
