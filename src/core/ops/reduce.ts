// Reductions over all elements or over dims, with keepdim.
import { aten } from "../aten.js";
import { callT, callTs } from "../dispatch.js";
import { checkDtype, type DType, dtypeCode } from "../dtype.js";
import { argError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { checkInt, checkTensor, normDim, normDims, optionsOf, rankOf } from "../validate.js";

export interface ReduceOptions {
  dim?: number | readonly number[];
  keepdim?: boolean;
}
export interface SumOptions extends ReduceOptions {
  dtype?: DType;
}

const SUM = aten("sum");
const SUM_DIM = aten("sum.dim_IntList");
const MEAN = aten("mean");
const MEAN_DIM = aten("mean.dim");
const code = (op: string, d?: DType): number | null => (d === undefined ? null : dtypeCode[checkDtype(op, d)]);

const SUM_KEYS = ["dim", "keepdim", "dtype"] as const;
/** PyTorch's dim may come positionally (`sum(x, 1)`) or in the options. */
const withDim = <T extends ReduceOptions>(opts: T | number | readonly number[] | undefined, keepdim?: boolean): T =>
  typeof opts === "number" || Array.isArray(opts) ? ({ dim: opts, keepdim } as T) : ((opts ?? {}) as T);

export function sum(a: Tensor, opts: SumOptions | number | readonly number[] = {}, keepdim?: boolean): Tensor {
  opts = optionsOf("sum", withDim<SumOptions>(opts, keepdim), SUM_KEYS);
  if (opts.dim === undefined) return callT(SUM, a, code("sum", opts.dtype));
  return callT(SUM_DIM, a, normDims("sum", opts.dim, rankOf("sum", a)), opts.keepdim ?? false, code("sum", opts.dtype));
}
export function mean(a: Tensor, opts: SumOptions | number | readonly number[] = {}, keepdim?: boolean): Tensor {
  opts = optionsOf("mean", withDim<SumOptions>(opts, keepdim), SUM_KEYS);
  if (opts.dim === undefined) return callT(MEAN, a, code("mean", opts.dtype));
  return callT(MEAN_DIM, a, normDims("mean", opts.dim, rankOf("mean", a)), opts.keepdim ?? false, code("mean", opts.dtype));
}
export interface VarOptions extends ReduceOptions {
  /** Bessel's correction: 1 (unbiased, the default) or 0. */
  correction?: number;
  /** PyTorch's older form of `correction`: false is correction 0. */
  unbiased?: boolean;
}
const VAR_KEYS = ["dim", "keepdim", "correction", "unbiased"] as const;
function correctionOf(op: string, o: VarOptions): number {
  if (o.unbiased !== undefined && o.correction !== undefined) argError(op, "give correction or unbiased, not both");
  if (o.unbiased !== undefined && typeof o.unbiased !== "boolean") argError(op, `unbiased must be a boolean, got ${String(o.unbiased)}`);
  return o.unbiased !== undefined ? (o.unbiased ? 1 : 0) : checkInt(op, "correction", o.correction ?? 1, 0);
}
const VAR = aten("var.correction");
const STD = aten("std.correction");
const dimsOrNull = (op: string, a: Tensor, dim?: number | readonly number[]): number[] | null =>
  dim === undefined ? null : normDims(op, dim, rankOf(op, a));
export function variance(a: Tensor, opts: VarOptions | number | readonly number[] = {}, keepdim?: boolean): Tensor {
  const o = optionsOf("var", withDim<VarOptions>(opts, keepdim), VAR_KEYS);
  return callT(VAR, a, dimsOrNull("var", a, o.dim), correctionOf("var", o), o.keepdim ?? false);
}
export function std(a: Tensor, opts: VarOptions | number | readonly number[] = {}, keepdim?: boolean): Tensor {
  const o = optionsOf("std", withDim<VarOptions>(opts, keepdim), VAR_KEYS);
  return callT(STD, a, dimsOrNull("std", a, o.dim), correctionOf("std", o), o.keepdim ?? false);
}

const PROD = aten("prod");
const PROD_DIM = aten("prod.dim_int");
export function prod(a: Tensor, opts: { dim?: number; keepdim?: boolean; dtype?: DType } | number = {}, keepdim?: boolean): Tensor {
  opts = optionsOf("prod", typeof opts === "number" ? { dim: opts, keepdim } : opts, SUM_KEYS);
  if (opts.dim === undefined) return callT(PROD, a, code("prod", opts.dtype));
  return callT(PROD_DIM, a, normDim("prod", opts.dim, rankOf("prod", a)), opts.keepdim ?? false, code("prod", opts.dtype));
}

const MAX = aten("max");
const MIN = aten("min");
const MAX_DIM = aten("max.dim");
const MIN_DIM = aten("min.dim");
function nonEmpty(op: string, a: Tensor): void {
  if (checkTensor(op, "input", a).numel === 0) argError(op, "cannot reduce an empty tensor without a dim");
}
/** The largest element (no dim). */
const MAXIMUM = aten("maximum");
const MINIMUM = aten("minimum");
/** PyTorch's three forms: the largest element; with a dim, values and indices along it; with a tensor, the elementwise maximum. */
export function max(a: Tensor): Tensor;
export function max(a: Tensor, dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
export function max(a: Tensor, other: Tensor): Tensor;
export function max(a: Tensor, arg?: number | Tensor, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
  if (typeof arg === "number") return maxDim(a, arg, keepdim);
  if (arg !== undefined) return callT(MAXIMUM, a, checkTensor("max", "other", arg));
  nonEmpty("max", a);
  return callT(MAX, a);
}
/** PyTorch's three forms: the smallest element; with a dim, values and indices along it; with a tensor, the elementwise minimum. */
export function min(a: Tensor): Tensor;
export function min(a: Tensor, dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
export function min(a: Tensor, other: Tensor): Tensor;
export function min(a: Tensor, arg?: number | Tensor, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
  if (typeof arg === "number") return minDim(a, arg, keepdim);
  if (arg !== undefined) return callT(MINIMUM, a, checkTensor("min", "other", arg));
  nonEmpty("min", a);
  return callT(MIN, a);
}
/** Values and indices of the maxima along `dim`. */
export function maxDim(a: Tensor, dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
  const [values, indices] = callTs(MAX_DIM, a, normDim("max", dim, rankOf("max", a)), keepdim);
  return { values: values!, indices: indices! };
}
export function minDim(a: Tensor, dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
  const [values, indices] = callTs(MIN_DIM, a, normDim("min", dim, rankOf("min", a)), keepdim);
  return { values: values!, indices: indices! };
}
const AMAX = aten("amax");
const AMIN = aten("amin");
/** Largest values over `dim` (all dims when omitted, as PyTorch's default `dim=()`). */
export const amax = (a: Tensor, dim: number | readonly number[] = [], keepdim = false): Tensor =>
  callT(AMAX, a, normDims("amax", dim, rankOf("amax", a)), keepdim);
export const amin = (a: Tensor, dim: number | readonly number[] = [], keepdim = false): Tensor =>
  callT(AMIN, a, normDims("amin", dim, rankOf("amin", a)), keepdim);
const ARGMAX = aten("argmax");
const ARGMIN = aten("argmin");
export function argmax(a: Tensor, dim?: number, keepdim = false): Tensor {
  if (dim === undefined) nonEmpty("argmax", a);
  return callT(ARGMAX, a, dim === undefined ? null : normDim("argmax", dim, rankOf("argmax", a)), keepdim);
}
export function argmin(a: Tensor, dim?: number, keepdim = false): Tensor {
  if (dim === undefined) nonEmpty("argmin", a);
  return callT(ARGMIN, a, dim === undefined ? null : normDim("argmin", dim, rankOf("argmin", a)), keepdim);
}
const NORM = aten("linalg_vector_norm");
/** Vector p-norm over all elements or `dim` (p = 2 by default; Infinity for max-abs). */
export function norm(a: Tensor, p = 2, opts: ReduceOptions = {}): Tensor {
  opts = optionsOf("norm", opts);
  if (typeof p !== "number" || Number.isNaN(p)) argError("norm", `p must be a number, got ${String(p)}`);
  return callT(NORM, a, p, dimsOrNull("norm", a, opts.dim), opts.keepdim ?? false, null);
}
const LOGSUMEXP = aten("logsumexp");
export const logsumexp = (a: Tensor, dim: number | readonly number[], keepdim = false): Tensor =>
  callT(LOGSUMEXP, a, normDims("logsumexp", dim, rankOf("logsumexp", a)), keepdim);
const CUMSUM = aten("cumsum");
const CUMPROD = aten("cumprod");
export const cumsum = (a: Tensor, dim: number): Tensor => callT(CUMSUM, a, normDim("cumsum", dim, rankOf("cumsum", a)), null);
export const cumprod = (a: Tensor, dim: number): Tensor => callT(CUMPROD, a, normDim("cumprod", dim, rankOf("cumprod", a)), null);
const ALL = aten("all");
const ALL_DIM = aten("all.dim");
const ANY = aten("any");
const ANY_DIM = aten("any.dim");
export const all = (a: Tensor, dim?: number, keepdim = false): Tensor =>
  dim === undefined ? callT(ALL, a) : callT(ALL_DIM, a, normDim("all", dim, rankOf("all", a)), keepdim);
export const any = (a: Tensor, dim?: number, keepdim = false): Tensor =>
  dim === undefined ? callT(ANY, a) : callT(ANY_DIM, a, normDim("any", dim, rankOf("any", a)), keepdim);
const COUNT_NONZERO = aten("count_nonzero");
export const countNonzero = (a: Tensor): Tensor => callT(COUNT_NONZERO, a, null);
