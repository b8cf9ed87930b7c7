// Indexing with tensors: gather/scatter, index_select, boolean masks, advanced indexing.
import { aten } from "../aten.js";
import { call, callInplace, callT, callTs } from "../dispatch.js";
import { isIntegral } from "../dtype.js";
import { argError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { checkEnum, checkInt, checkNumber, checkOptTensor, checkTensor, normDim, optArgs, optionsOf, rankOf, show } from "../validate.js";

const INDEX_SELECT = aten("index_select");
export const indexSelect = (a: Tensor, dim: number, index: Tensor): Tensor =>
  callT(INDEX_SELECT, a, normDim("indexSelect", dim, rankOf("indexSelect", a)), index);
const GATHER = aten("gather");
export const gather = (a: Tensor, dim: number, index: Tensor): Tensor =>
  callT(GATHER, a, normDim("gather", dim, rankOf("gather", a)), index, false);
const SCATTER = aten("scatter.src");
const SCATTER_V = aten("scatter.value");
export const scatter = (a: Tensor, dim: number, index: Tensor, src: Tensor | number): Tensor =>
  typeof src === "number"
    ? callT(SCATTER_V, a, normDim("scatter", dim, rankOf("scatter", a)), index, src)
    : callT(SCATTER, a, normDim("scatter", dim, rankOf("scatter", a)), index, src);
const SCATTER_ADD = aten("scatter_add");
export const scatterAdd = (a: Tensor, dim: number, index: Tensor, src: Tensor): Tensor =>
  callT(SCATTER_ADD, a, normDim("scatterAdd", dim, rankOf("scatterAdd", a)), index, src);
const SCATTER_REDUCE = aten("scatter_reduce.two");
export type ScatterReduce = "sum" | "prod" | "mean" | "amax" | "amin";
export const scatterReduce = (
  a: Tensor,
  dim: number,
  index: Tensor,
  src: Tensor,
  reduce: ScatterReduce,
  includeSelf?: boolean | { includeSelf?: boolean },
): Tensor =>
  callT(
    SCATTER_REDUCE,
    a,
    normDim("scatterReduce", dim, rankOf("scatterReduce", a)),
    index,
    src,
    checkEnum("scatterReduce", "reduce", reduce, ["sum", "prod", "mean", "amax", "amin"]),
    optArgs<{ includeSelf?: boolean }>("scatterReduce", ["includeSelf"], [includeSelf]).includeSelf ?? true,
  );
const INDEX_ADD = aten("index_add");
export const indexAdd = (a: Tensor, dim: number, index: Tensor, source: Tensor, alpha?: number | { alpha?: number }): Tensor =>
  callT(
    INDEX_ADD,
    a,
    normDim("indexAdd", dim, rankOf("indexAdd", a)),
    index,
    source,
    checkNumber("indexAdd", "alpha", optArgs<{ alpha?: number }>("indexAdd", ["alpha"], [alpha]).alpha ?? 1),
  );
const MASKED_FILL = aten("masked_fill.Scalar");
const MASKED_FILL_T = aten("masked_fill.Tensor");
export const maskedFill = (a: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor =>
  typeof value === "object" ? callT(MASKED_FILL_T, a, mask, value) : callT(MASKED_FILL, a, mask, value);
const MASKED_SELECT = aten("masked_select");
export const maskedSelect = (a: Tensor, mask: Tensor): Tensor => callT(MASKED_SELECT, a, mask);
const NONZERO = aten("nonzero");
export const nonzero = (a: Tensor): Tensor => callT(NONZERO, a);
const INDEX = aten("index.Tensor");
/** Advanced indexing `a[i0, i1, …]` with index tensors (null keeps a dim whole). */
export function index(a: Tensor, indices: readonly (Tensor | null)[]): Tensor {
  const r = rankOf("index", a);
  if (!Array.isArray(indices)) argError("index", `indices must be an array of tensors or nulls, got ${show(indices)}`);
  if (indices.length > r) argError("index", `too many indices (${indices.length}) for a tensor of rank ${a.ndim}`);
  return callT(INDEX, a, indices);
}
const INDEX_PUT_ = aten("index_put_");
export const indexPut_ = (a: Tensor, indices: readonly (Tensor | null)[], values: Tensor, accumulate = false): Tensor =>
  callInplace(INDEX_PUT_, a, indices, values, accumulate);

const SORT = aten("sort.stable");
export function sort(a: Tensor, dim = -1, descending = false, stable = false): { values: Tensor; indices: Tensor } {
  const [values, indices] = callTs(SORT, a, stable, normDim("sort", dim, rankOf("sort", a)), descending);
  return { values: values!, indices: indices! };
}
const ARGSORT = aten("argsort");
export const argsort = (a: Tensor, dim = -1, descending = false): Tensor =>
  callT(ARGSORT, a, normDim("argsort", dim, rankOf("argsort", a)), descending);
const TOPK = aten("topk");
export function topk(a: Tensor, k: number, dim = -1, largest = true, sorted = true): { values: Tensor; indices: Tensor } {
  const d = normDim("topk", dim, rankOf("topk", a));
  const size = a.ndim === 0 ? 1 : a.shape[d]!;
  checkInt("topk", "k", k, 0, size);
  const [values, indices] = callTs(TOPK, a, k, d, largest, sorted);
  return { values: values!, indices: indices! };
}
const UNIQUE = aten("_unique2");
/** Sorted unique values, with the inverse map and counts when asked. */
export function unique(
  a: Tensor,
  opts: { returnInverse?: boolean; returnCounts?: boolean } = {},
): {
  values: Tensor;
  inverse: Tensor;
  counts: Tensor;
} {
  opts = optionsOf("unique", opts);
  const [values, inverse, counts] = callTs(UNIQUE, a, true, opts.returnInverse ?? false, opts.returnCounts ?? false);
  return { values: values!, inverse: inverse!, counts: counts! };
}
const MULTINOMIAL = aten("multinomial");
export function multinomial(probs: Tensor, numSamples: number, replacement?: boolean | { replacement?: boolean }): Tensor {
  replacement = optArgs<{ replacement?: boolean }>("multinomial", ["replacement"], [replacement]).replacement ?? false;
  const r = rankOf("multinomial", probs);
  if (r < 1 || r > 2) argError("multinomial", `probs must have rank 1 or 2, got ${probs.ndim}`);
  checkInt("multinomial", "numSamples", numSamples, 1, 2 ** 24);
  if (!replacement && numSamples > probs.shape[probs.ndim - 1]!)
    argError("multinomial", `cannot draw ${numSamples} samples without replacement from ${probs.shape[probs.ndim - 1]} categories`);
  return callT(MULTINOMIAL, probs, numSamples, replacement);
}
const SEARCHSORTED = aten("searchsorted.Tensor");
export interface SearchsortedOptions {
  outInt32?: boolean;
  right?: boolean;
  side?: "left" | "right" | null;
  sorter?: Tensor | null;
}
const SEARCHSORTED_KEYS = ["outInt32", "right", "side", "sorter"] as const;
/** Insertion points of `values` in the last dim of `sorted`; PyTorch's keyword options (or `right` positionally). */
export function searchsorted(sorted: Tensor, values: Tensor, opts?: boolean | SearchsortedOptions): Tensor {
  const o = optArgs<SearchsortedOptions>("searchsorted", ["right"], [opts], SEARCHSORTED_KEYS);
  const side = o.side == null ? null : checkEnum("searchsorted", "side", o.side, ["left", "right"]);
  return callT(
    SEARCHSORTED,
    sorted,
    values,
    o.outInt32 ?? false,
    o.right ?? false,
    side,
    checkOptTensor("searchsorted", "sorter", o.sorter),
  );
}
const BINCOUNT = aten("bincount");
export interface BincountOptions {
  weights?: Tensor | null;
  minlength?: number;
}
export function bincount(a: Tensor, weights?: Tensor | null | BincountOptions, minlength?: number | BincountOptions): Tensor {
  const o = optArgs<BincountOptions>("bincount", ["weights", "minlength"], [weights, minlength]);
  weights = checkOptTensor("bincount", "weights", o.weights);
  minlength = o.minlength ?? 0;
  checkInt("bincount", "minlength", minlength, 0, 2 ** 31);
  if (checkTensor("bincount", "input", a).numel > 0 && a.ndim === 1 && isIntegral(a.dtype)) {
    const m = call(aten("max"), a) as Tensor;
    const top = m.item();
    m.dispose();
    if (top > 2 ** 31) argError("bincount", "values above 2^31 would allocate an enormous histogram");
  }
  return callT(BINCOUNT, a, weights ?? null, minlength);
}
