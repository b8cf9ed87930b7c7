// Argument checks made before dispatch. libtorch 1.13 crashes (rather than throws) on
// some argument classes (see shared/RELIABILITY.md), so public ops validate here first.
import { argError, FlambeauError } from "./errors.js";
import type { Tensor } from "./tensor.js";
import { isTensor } from "./tensor-class.js";

/** Largest logical element count a shape may describe (expanded views included). */
export const MAX_ELEMENTS = 2 ** 34;
export const MAX_RANK = 32;

/** A short, always-printable description of a received value (BigInt, symbols and tensors included). */
/** A value as error messages print it (tensors by dtype and shape, arrays up to 8 items). */
export function show(v: unknown): string {
  if (isTensor(v)) {
    if (v.disposed) return "a disposed Tensor";
    let dtype: string;
    try {
      dtype = v.dtype;
    } catch {
      dtype = "complex"; // a dtype Flambeau does not name (complex results of fft): describe it anyway
    }
    return `a Tensor ${dtype}[${v.shape.join(", ")}]`;
  }
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "function") return "a function";
  if (Array.isArray(v)) return `[${v.slice(0, 8).map(show).join(", ")}${v.length > 8 ? ", …" : ""}]`;
  if (v !== null && typeof v === "object") return v.constructor?.name && v.constructor !== Object ? `a ${v.constructor.name}` : "an object";
  return String(v);
}

/** Checks that `v` is a live Tensor before its metadata is read; errors name the op and the argument. */
export function checkTensor(op: string, name: string, v: unknown): Tensor {
  if (!isTensor(v)) argError(op, `${name} must be a Tensor, got ${show(v)}`);
  if (v.disposed) throw new FlambeauError("E_DISPOSED", `${op}: ${name} was disposed (used after dispose() or outside its tidy())`, op);
  return v;
}

/** Checks an optional Tensor argument (null and undefined pass as null). */
export function checkOptTensor(op: string, name: string, v: unknown): Tensor | null {
  return v == null ? null : checkTensor(op, name, v);
}

/** An options argument: null and undefined mean "no options"; anything but a plain object is refused. */
export function optionsOf<T extends object>(op: string, o: T | null | undefined, keys?: readonly (keyof T & string)[]): T {
  if (o == null) return {} as T;
  if (typeof o !== "object" || Array.isArray(o) || isTensor(o)) argError(op, `options must be an object, got ${show(o)}`);
  // An option the op does not know would be silently ignored (a misspelt or a PyTorch-only name): refuse it.
  if (keys !== undefined)
    for (const k of Object.keys(o))
      if (!keys.includes(k as keyof T & string) && (o as Record<string, unknown>)[k] !== undefined)
        argError(op, `unknown option "${k}"; options: ${keys.join(", ")}`);
  return o;
}

/** A plain options object: not null, an array, a typed array or a Tensor. */
export const isOptions = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !ArrayBuffer.isView(v) && !isTensor(v);

/**
 * PyTorch's optional arguments under the calling convention: each positionally, in PyTorch's order
 * (`names`), or in one trailing options object under its name. `args` holds what was received in
 * those positions; `kwOnly` names the options PyTorch takes only by keyword. Returns the values by
 * name (undefined where not given); refuses an unknown key, a value given both ways, and a
 * positional argument after the options object.
 */
export function optArgs<T extends object>(
  op: string,
  names: readonly (keyof T & string)[],
  args: readonly unknown[],
  kwOnly: readonly (keyof T & string)[] = [],
): T {
  const at = args.findIndex(isOptions);
  const out: Record<string, unknown> = {};
  let n = at < 0 ? args.length : at;
  while (n > 0 && args[n - 1] === undefined) n--;
  if (n > names.length) argError(op, `takes at most ${names.length} optional arguments (${names.join(", ")}), got ${n}`);
  for (let i = 0; i < n; i++) if (args[i] !== undefined) out[names[i] as string] = args[i];
  if (at < 0) return out as T;
  for (let i = at + 1; i < args.length; i++)
    if (args[i] !== undefined) argError(op, `the options object must come last, got ${show(args[i])} after it`);
  const o = args[at] as Record<string, unknown>;
  const keys = [...names, ...kwOnly] as string[];
  for (const k of Object.keys(o)) {
    if (o[k] === undefined) continue;
    if (!keys.includes(k)) argError(op, `unknown option "${k}"; options: ${keys.join(", ")}`);
    if (k in out) argError(op, `${k} is given both positionally and in the options`);
    out[k] = o[k];
  }
  return out as T;
}

/** Checks that `fn` is a function (tidy, noGrad and friends). */
export function checkFunction(op: string, fn: unknown): void {
  if (typeof fn !== "function") argError(op, `expects a function, got ${show(fn)}`);
}

export function checkInt(op: string, name: string, v: unknown, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v)) argError(op, `${name} must be a safe integer, got ${show(v)}`);
  if (v < min || v > max) argError(op, `${name} must be in [${min}, ${max}], got ${v}`);
  return v;
}

export function checkNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== "number") argError(op, `${name} must be a number, got ${show(v)}`);
  return v;
}

/** Validates a shape: safe non-negative integers (-1 once where `allowInfer`), rank and size caps. */
export function checkShape(op: string, shape: unknown, allowInfer = false): number[] {
  if (!Array.isArray(shape)) argError(op, `shape must be an array of integers, got ${show(shape)}`);
  if (shape.length > MAX_RANK) argError(op, `rank ${shape.length} exceeds the maximum of ${MAX_RANK}`);
  let product = 1;
  let inferred = false;
  for (const d of shape) {
    if (typeof d !== "number" || !Number.isSafeInteger(d))
      argError(op, `shape [${shape.map(show).join(", ")}] has a non-integer size ${show(d)}`);
    if (d === -1 && allowInfer && !inferred) {
      inferred = true;
      continue;
    }
    if (d < 0) argError(op, `shape [${shape.join(", ")}] has a negative size ${d}`);
    product *= Math.max(d, 1);
    if (product > MAX_ELEMENTS) argError(op, `shape [${shape.join(", ")}] exceeds the cap of ${MAX_ELEMENTS} elements`);
  }
  return shape as number[];
}

/** Normalises a dim to [0, rank); rank 0 accepts -1 and 0 like PyTorch. */
export function normDim(op: string, dim: unknown, rank: number): number {
  if (typeof rank !== "number") argError(op, `expects a Tensor (got an input of rank ${show(rank)})`);
  const r = Math.max(rank, 1);
  if (typeof dim !== "number" || !Number.isSafeInteger(dim) || dim < -r || dim >= r)
    argError(op, `dim ${show(dim)} is out of range for a tensor of rank ${rank} (expected in [${-r}, ${r - 1}])`);
  return dim < 0 ? dim + r : dim;
}

export function normDims(op: string, dims: number | readonly number[], rank: number): number[] {
  const list = typeof dims === "number" ? [dims] : dims;
  if (!Array.isArray(list)) argError(op, `dims must be a number or an array, got ${show(dims)}`);
  const out = list.map((d) => normDim(op, d, rank));
  if (new Set(out).size !== out.length) argError(op, `dims [${list.map(show).join(", ")}] repeat a dimension`);
  return out;
}

/** A list of `n` positive integers from a number or an array (kernel sizes, strides). */
export function checkTuple(op: string, name: string, v: number | readonly number[], n: number, min: number, max = 2 ** 31 - 1): number[] {
  if (typeof v !== "number" && !Array.isArray(v)) argError(op, `${name} must be an integer or an array of ${n} integers, got ${show(v)}`);
  const list = typeof v === "number" ? new Array<number>(n).fill(v) : [...v];
  if (list.length !== n) argError(op, `${name} must have ${n} values, got [${list.map(show).join(", ")}]`);
  for (const x of list) checkInt(op, name, x, min, max);
  return list;
}

export const REDUCTIONS = { none: 0, mean: 1, sum: 2 } as const;
export type Reduction = keyof typeof REDUCTIONS;
export function reductionCode(op: string, r: unknown): number {
  if (typeof r === "string" && Object.hasOwn(REDUCTIONS, r)) return REDUCTIONS[r as Reduction];
  argError(op, `reduction must be 'none', 'mean' or 'sum', got ${show(r)}`);
}

export function checkEnum<T extends string>(op: string, name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v === "string" && (allowed as readonly string[]).includes(v)) return v as T;
  argError(op, `${name} must be one of ${allowed.map((a) => `'${a}'`).join(", ")}, got ${show(v)}`);
}

/** The rank of a tensor argument named "input", checked to be a live Tensor first. */
export function rankOf(op: string, a: unknown): number {
  return checkTensor(op, "input", a).ndim;
}
