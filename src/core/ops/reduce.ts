// Reductions over all elements or over dims, with keepdim.
import { aten } from "../aten.js";
import { callT, callTs } from "../dispatch.js";
import { checkDtype, type DType, dtypeCode } from "../dtype.js";
import { argError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { checkInt, checkTensor, normDim, normDims, optArgs, optionsOf, rankOf, show } from "../validate.js";

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
const withDim = <T extends { dim?: unknown; keepdim?: boolean }>(opts: T | number | readonly number[] | undefined, keepdim?: boolean): T =>
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
export interface VarOptions extends Omit<ReduceOptions, "dim"> {
  /** The dims to reduce; null or absent: all. */
  dim?: number | readonly number[] | null;
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
const dimsOrNull = (op: string, a: Tensor, dim?: number | readonly number[] | null): number[] | null =>
  dim == null ? null : normDims(op, dim, rankOf(op, a));
/** var/std's second argument: the dims, the options, or (PyTorch's `var(input, unbiased)`) a boolean. */
type VarArg = VarOptions | number | readonly number[] | boolean;
function varOptions(op: string, opts: VarArg, keepdim?: boolean): VarOptions {
  if (typeof opts === "boolean") {
    if (keepdim !== undefined) argError(op, "with unbiased given positionally, give the dims and keepdim in the options");
    return { unbiased: opts };
  }
  return optionsOf(op, withDim<VarOptions>(opts as VarOptions | number | readonly number[], keepdim), VAR_KEYS);
}
export function variance(a: Tensor, opts: VarArg = {}, keepdim?: boolean): Tensor {
  const o = varOptions("var", opts, keepdim);
  return callT(VAR, a, dimsOrNull("var", a, o.dim), correctionOf("var", o), o.keepdim ?? false);
}
export function std(a: Tensor, opts: VarArg = {}, keepdim?: boolean): Tensor {
  const o = varOptions("std", opts, keepdim);
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
const DIM_KEEPDIM = ["dim", "keepdim"] as const;
type DimArg<D> = D | ReduceOptions;
function amaxAmin(op: "amax" | "amin", a: Tensor, dim?: DimArg<number | readonly number[]>, keepdim?: DimArg<boolean>): Tensor {
  const o = optArgs<ReduceOptions>(op, DIM_KEEPDIM, [dim, keepdim]);
  return callT(op === "amax" ? AMAX : AMIN, a, normDims(op, o.dim ?? [], rankOf(op, a)), o.keepdim ?? false);
}
export const amax = (a: Tensor, dim?: DimArg<number | readonly number[]>, keepdim?: DimArg<boolean>): Tensor =>
  amaxAmin("amax", a, dim, keepdim);
export const amin = (a: Tensor, dim?: DimArg<number | readonly number[]>, keepdim?: DimArg<boolean>): Tensor =>
  amaxAmin("amin", a, dim, keepdim);
const ARGMAX = aten("argmax");
const ARGMIN = aten("argmin");
/** A single optional dim (null: all elements) and keepdim: argmax, argmin, all, any. */
export interface ArgReduceOptions {
  dim?: number | null;
  keepdim?: boolean;
}
function argReduce(
  op: "argmax" | "argmin",
  a: Tensor,
  dim?: number | null | ArgReduceOptions,
  keepdim?: boolean | ArgReduceOptions,
): Tensor {
  const o = optArgs<ArgReduceOptions>(op, DIM_KEEPDIM, [dim, keepdim]);
  if (o.dim == null) nonEmpty(op, a);
  const d = o.dim == null ? null : normDim(op, o.dim, rankOf(op, a));
  return callT(op === "argmax" ? ARGMAX : ARGMIN, a, d, o.keepdim ?? false);
}
export const argmax = (a: Tensor, dim?: number | null | ArgReduceOptions, keepdim?: boolean | ArgReduceOptions): Tensor =>
  argReduce("argmax", a, dim, keepdim);
export const argmin = (a: Tensor, dim?: number | null | ArgReduceOptions, keepdim?: boolean | ArgReduceOptions): Tensor =>
  argReduce("argmin", a, dim, keepdim);
const NORM = aten("linalg_vector_norm");
const MATRIX_NORM = aten("linalg_matrix_norm.str_ord");
export interface NormOptions extends SumOptions {
  p?: number | "fro" | "nuc";
}
type NormArg<T> = T | NormOptions;
/**
 * PyTorch's torch.norm: the vector p-norm over all elements or `dim` (p = 2 or "fro" by default;
 * Infinity for max-abs), or the nuclear norm of matrices ("nuc", over the last two dims or `dim`).
 * p, dim and keepdim positionally or in the options.
 */
export function norm(
  a: Tensor,
  p?: NormArg<number | "fro" | "nuc">,
  dim?: NormArg<number | readonly number[]>,
  keepdim?: NormArg<boolean>,
): Tensor {
  const o = optArgs<NormOptions>("norm", ["p", "dim", "keepdim"], [p, dim, keepdim], ["dtype"]);
  const ord = o.p ?? 2;
  const dt = code("norm", o.dtype);
  if (ord === "nuc") {
    const dims = normDims("norm", o.dim ?? [-2, -1], rankOf("norm", a));
    if (dims.length !== 2) argError("norm", `the nuclear norm needs 2 dims, got ${dims.length}`);
    return callT(MATRIX_NORM, a, "nuc", dims, o.keepdim ?? false, dt);
  }
  if (ord !== "fro" && (typeof ord !== "number" || Number.isNaN(ord)))
    argError("norm", `p must be a number, "fro" or "nuc", got ${show(ord)}`);
  return callT(NORM, a, ord === "fro" ? 2 : ord, dimsOrNull("norm", a, o.dim), o.keepdim ?? false, dt);
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
function allAny(op: "all" | "any", a: Tensor, dim?: number | ArgReduceOptions, keepdim?: boolean | ArgReduceOptions): Tensor {
  const o = optArgs<ArgReduceOptions>(op, DIM_KEEPDIM, [dim, keepdim]);
  if (o.dim == null) return callT(op === "all" ? ALL : ANY, a);
  return callT(op === "all" ? ALL_DIM : ANY_DIM, a, normDim(op, o.dim, rankOf(op, a)), o.keepdim ?? false);
}
export const all = (a: Tensor, dim?: number | ArgReduceOptions, keepdim?: boolean | ArgReduceOptions): Tensor =>
  allAny("all", a, dim, keepdim);
export const any = (a: Tensor, dim?: number | ArgReduceOptions, keepdim?: boolean | ArgReduceOptions): Tensor =>
  allAny("any", a, dim, keepdim);
const COUNT_NONZERO = aten("count_nonzero");
export const countNonzero = (a: Tensor): Tensor => callT(COUNT_NONZERO, a, null);
