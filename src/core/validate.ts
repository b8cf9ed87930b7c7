// Argument checks made before dispatch. libtorch 1.13 crashes (rather than throws) on
// some argument classes (see shared/RELIABILITY.md), so public ops validate here first.
import { argError } from "./errors.js";

/** Largest logical element count a shape may describe (expanded views included). */
export const MAX_ELEMENTS = 2 ** 34;
export const MAX_RANK = 32;

export function checkInt(op: string, name: string, v: unknown, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v)) argError(op, `${name} must be a safe integer, got ${String(v)}`);
  if (v < min || v > max) argError(op, `${name} must be in [${min}, ${max}], got ${v}`);
  return v;
}

export function checkNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== "number") argError(op, `${name} must be a number, got ${typeof v}`);
  return v;
}

/** Validates a shape: safe non-negative integers (-1 once where `allowInfer`), rank and size caps. */
export function checkShape(op: string, shape: unknown, allowInfer = false): number[] {
  if (!Array.isArray(shape)) argError(op, `shape must be an array of integers, got ${String(shape)}`);
  if (shape.length > MAX_RANK) argError(op, `rank ${shape.length} exceeds the maximum of ${MAX_RANK}`);
  let product = 1;
  let inferred = false;
  for (const d of shape) {
    if (typeof d !== "number" || !Number.isSafeInteger(d)) argError(op, `shape [${shape.join(", ")}] has a non-integer size ${String(d)}`);
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
  const r = Math.max(rank, 1);
  if (typeof dim !== "number" || !Number.isSafeInteger(dim) || dim < -r || dim >= r)
    argError(op, `dim ${String(dim)} is out of range for a tensor of rank ${rank} (expected in [${-r}, ${r - 1}])`);
  return dim < 0 ? dim + r : dim;
}

export function normDims(op: string, dims: number | readonly number[], rank: number): number[] {
  const list = typeof dims === "number" ? [dims] : dims;
  if (!Array.isArray(list)) argError(op, `dims must be a number or an array, got ${String(dims)}`);
  const out = list.map((d) => normDim(op, d, rank));
  if (new Set(out).size !== out.length) argError(op, `dims [${list.join(", ")}] repeat a dimension`);
  return out;
}

/** A list of `n` positive integers from a number or an array (kernel sizes, strides). */
export function checkTuple(op: string, name: string, v: number | readonly number[], n: number, min: number, max = 2 ** 31 - 1): number[] {
  const list = typeof v === "number" ? new Array<number>(n).fill(v) : [...v];
  if (list.length !== n) argError(op, `${name} must have ${n} values, got [${list.join(", ")}]`);
  for (const x of list) checkInt(op, name, x, min, max);
  return list;
}

export const REDUCTIONS = { none: 0, mean: 1, sum: 2 } as const;
export type Reduction = keyof typeof REDUCTIONS;
export function reductionCode(op: string, r: unknown): number {
  if (typeof r === "string" && r in REDUCTIONS) return REDUCTIONS[r as Reduction];
  argError(op, `reduction must be 'none', 'mean' or 'sum', got ${JSON.stringify(r)}`);
}

export function checkEnum<T extends string>(op: string, name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v === "string" && (allowed as readonly string[]).includes(v)) return v as T;
  argError(op, `${name} must be one of ${allowed.map((a) => `'${a}'`).join(", ")}, got ${JSON.stringify(v)}`);
}
