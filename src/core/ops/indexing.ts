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
const NONZERO_NUMPY = aten("nonzero_numpy");
/** The indices of the nonzero elements: one row per element ([n, rank]), or with `asTuple` one index tensor per dim, as PyTorch's tuple. */
export function nonzero(a: Tensor, options: { asTuple: true }): Tensor[];
export function nonzero(a: Tensor, options?: { asTuple?: false }): Tensor;
export function nonzero(a: Tensor, options?: { asTuple?: boolean }): Tensor | Tensor[];
export function nonzero(a: Tensor, options?: { asTuple?: boolean }): Tensor | Tensor[] {
  checkTensor("nonzero", "input", a);
  const asTuple = optionsOf("nonzero", options, ["asTuple"]).asTuple ?? false;
  if (typeof asTuple !== "boolean") argError("nonzero", `asTuple must be a boolean, got ${show(asTuple)}`);
  return asTuple ? callTs(NONZERO_NUMPY, a) : callT(NONZERO, a);
}
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
export interface SortOptions {
  dim?: number;
  descending?: boolean;
  stable?: boolean;
}
/** Sorted values and their indices along a dim (PyTorch's named tuple `(values, indices)`). */
export function sort(
  a: Tensor,
  dim?: number | SortOptions,
  descending?: boolean | SortOptions,
  stable?: boolean | SortOptions,
): { values: Tensor; indices: Tensor } {
  const o = optArgs<SortOptions>("sort", ["dim", "descending", "stable"], [dim, descending, stable]);
  const desc = o.descending ?? false;
  const st = o.stable ?? false;
  if (typeof desc !== "boolean" || typeof st !== "boolean")
    argError("sort", `descending and stable must be booleans, got ${show(desc)} and ${show(st)}`);
  const [values, indices] = callTs(SORT, a, st, normDim("sort", o.dim ?? -1, rankOf("sort", a)), desc);
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
const UNIQUE_DIM = aten("unique_dim");
const UNIQUE_CONSECUTIVE = aten("unique_consecutive");
export interface UniqueOptions {
  sorted?: boolean;
  returnInverse?: boolean;
  returnCounts?: boolean;
  dim?: number | null;
}
/** 1: the option is true, 0: false or absent, 2: not known statically. */
type Flag<O, K extends string> = K extends keyof O ? ([O[K]] extends [true] ? 1 : [O[K]] extends [false | undefined] ? 0 : 2) : 0;
type Flags<O> = [Flag<O, "returnInverse">, Flag<O, "returnCounts">];
/** The return shape of unique/uniqueConsecutive, as PyTorch's: the values alone, or a tuple. */
export type UniqueResult<O> =
  Flags<O> extends [0, 0]
    ? Tensor
    : Flags<O> extends [1, 1]
      ? [values: Tensor, inverse: Tensor, counts: Tensor]
      : Flags<O> extends [1, 0] | [0, 1]
        ? [values: Tensor, inverseOrCounts: Tensor]
        : Tensor | Tensor[];

/** PyTorch's torch.functional._return_output: the asked-for outputs; the rest are freed. */
function uniqueOutputs(all: Tensor[], inverse: boolean, counts: boolean): Tensor | Tensor[] {
  const [values, inv, cnt] = all as [Tensor, Tensor, Tensor];
  if (!inverse) inv.dispose();
  if (!counts) cnt.dispose();
  if (!inverse && !counts) return values;
  return [values, ...(inverse ? [inv] : []), ...(counts ? [cnt] : [])];
}
function flag(op: string, name: string, v: unknown): boolean {
  if (v === undefined) return name === "sorted";
  if (typeof v !== "boolean") argError(op, `${name} must be a boolean, got ${show(v)}`);
  return v;
}

/**
 * The distinct values (sorted unless `sorted: false`), as torch.unique: a Tensor, or with
 * `returnInverse` / `returnCounts` an array `[values, inverse?, counts?]` (PyTorch's plain tuple).
 * With `dim`, the distinct slices along it. Arguments positionally or in the options.
 */
export function unique<O extends UniqueOptions = Record<string, never>>(a: Tensor, options?: O): UniqueResult<O>;
export function unique(
  a: Tensor,
  sorted?: boolean | UniqueOptions,
  returnInverse?: boolean | UniqueOptions,
  returnCounts?: boolean | UniqueOptions,
  dim?: number | null | UniqueOptions,
): Tensor | Tensor[];
export function unique(a: Tensor, ...args: unknown[]): Tensor | Tensor[] {
  checkTensor("unique", "input", a);
  const o = optArgs<UniqueOptions>("unique", ["sorted", "returnInverse", "returnCounts", "dim"], args);
  const sorted = flag("unique", "sorted", o.sorted);
  const inverse = flag("unique", "returnInverse", o.returnInverse);
  const counts = flag("unique", "returnCounts", o.returnCounts);
  const all =
    o.dim == null
      ? callTs(UNIQUE, a, sorted, inverse, counts)
      : callTs(UNIQUE_DIM, a, normDim("unique", o.dim, rankOf("unique", a)), sorted, inverse, counts);
  return uniqueOutputs(all, inverse, counts);
}

export type UniqueConsecutiveOptions = Omit<UniqueOptions, "sorted">;
/** Collapses runs of equal values (or slices along `dim`), as torch.unique_consecutive; returns as unique. */
export function uniqueConsecutive<O extends UniqueConsecutiveOptions = Record<string, never>>(a: Tensor, options?: O): UniqueResult<O>;
export function uniqueConsecutive(
  a: Tensor,
  returnInverse?: boolean | UniqueConsecutiveOptions,
  returnCounts?: boolean | UniqueConsecutiveOptions,
  dim?: number | null | UniqueConsecutiveOptions,
): Tensor | Tensor[];
export function uniqueConsecutive(a: Tensor, ...args: unknown[]): Tensor | Tensor[] {
  const op = "uniqueConsecutive";
  checkTensor(op, "input", a);
  const o = optArgs<UniqueConsecutiveOptions>(op, ["returnInverse", "returnCounts", "dim"], args);
  const inverse = flag(op, "returnInverse", o.returnInverse);
  const counts = flag(op, "returnCounts", o.returnCounts);
  const dim = o.dim == null ? null : normDim(op, o.dim, rankOf(op, a));
  return uniqueOutputs(callTs(UNIQUE_CONSECUTIVE, a, inverse, counts, dim), inverse, counts);
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
