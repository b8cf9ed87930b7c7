// Scatter reductions along dim 0 (rows of `src` grouped by `index`), the aggregation step of
// message passing and of global pooling, plus the per-group softmax used by attention.
import { FlambeauError } from "../core/errors.js";
import { ones, type Tensor, tidy, zeros } from "../core/index.js";
import { scatterReduce } from "../core/ops/indexing.js";

export type Aggregation = "sum" | "add" | "mean" | "max" | "min";
export const AGGREGATIONS: readonly Aggregation[] = ["sum", "add", "mean", "max", "min"];

function checkIndex(op: string, src: Tensor, index: Tensor, dimSize: number): void {
  if (index.ndim !== 1 || index.shape[0] !== src.shape[0])
    throw new FlambeauError(
      "E_SHAPE",
      `${op}: index must be 1-D with one entry per row of src (${src.shape[0]}), got [${index.shape.join(", ")}]`,
      op,
    );
  if (!Number.isSafeInteger(dimSize) || dimSize < 0)
    throw new FlambeauError("E_ARG", `${op}: dimSize must be a non-negative integer, got ${dimSize}`, op);
}

/** Index [E] broadcast to the shape of src [E, …] for scatter_reduce. */
const expandIndex = (index: Tensor, src: Tensor): Tensor =>
  src.ndim === 1 ? index : index.view([index.shape[0]!, ...src.shape.slice(1).map(() => 1)]).expand(src.shape as number[]);

/**
 * out[i] = reduce over { src[e] : index[e] = i }, out having `dimSize` rows; empty groups are 0
 * (as torch_scatter gives). "add" is an alias of "sum".
 */
export function scatter(src: Tensor, index: Tensor, dimSize: number, reduce: Aggregation = "sum"): Tensor {
  checkIndex("scatter", src, index, dimSize);
  return tidy(() => {
    const out = zeros([dimSize, ...src.shape.slice(1)], { dtype: src.dtype });
    switch (reduce) {
      case "sum":
      case "add":
        return out.indexAdd(0, index, src);
      case "mean": {
        // index_add then divide by the group sizes: cheaper than scatter_reduce("mean") on wide rows.
        const count = zeros([dimSize], { dtype: src.dtype }).indexAdd(0, index, ones([index.shape[0]!], { dtype: src.dtype }));
        return out.indexAdd(0, index, src).div(count.clamp(1).view([dimSize, ...src.shape.slice(1).map(() => 1)]));
      }
      case "max":
        return scatterReduce(out, 0, expandIndex(index, src), src, "amax", false);
      case "min":
        return scatterReduce(out, 0, expandIndex(index, src), src, "amin", false);
      default:
        throw new FlambeauError(
          "E_ARG",
          `scatter: unknown reduce "${String(reduce)}"; expected one of ${AGGREGATIONS.join(", ")}`,
          "scatter",
        );
    }
  });
}

/**
 * Softmax of `src` [E, …] within each group of equal `index` (PyG's utils.softmax): the
 * attention weights of each node's incoming edges sum to 1.
 */
export function segmentSoftmax(src: Tensor, index: Tensor, dimSize: number): Tensor {
  checkIndex("segmentSoftmax", src, index, dimSize);
  return tidy(() => {
    // The max is a constant shift for stability; PyG detaches it too (scatter max has no grad there).
    const max = scatter(src.detach(), index, dimSize, "max");
    const e = src.sub(max.indexSelect(0, index)).exp();
    const denom = scatter(e, index, dimSize, "sum").add(1e-16);
    return e.div(denom.indexSelect(0, index));
  });
}
