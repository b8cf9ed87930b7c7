// Views and movement: reshape, permute, squeeze, expand, cat/stack, split, slice, pad, flip …
import { aten } from "../aten.js";
import { callT, callTs } from "../dispatch.js";
import { argError, FlambeauError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { isTensor } from "../tensor-class.js";
import { checkEnum, checkInt, checkShape, checkTensor, MAX_ELEMENTS, normDim, normDims, optArgs, rankOf, show } from "../validate.js";

const VIEW = aten("view");
const RESHAPE = aten("reshape");
export const view = (a: Tensor, shape: readonly number[]): Tensor => callT(VIEW, a, checkShape("view", shape, true));
export const reshape = (a: Tensor, shape: readonly number[]): Tensor => callT(RESHAPE, a, checkShape("reshape", shape, true));
const PERMUTE = aten("permute");
export function permute(a: Tensor, dims: readonly number[]): Tensor {
  const r = rankOf("permute", a);
  if (!Array.isArray(dims) || dims.length !== r) argError("permute", `got dims ${show(dims)} for a tensor of rank ${r}`);
  return callT(PERMUTE, a, normDims("permute", dims, r));
}
const TRANSPOSE = aten("transpose.int");
export function transpose(a: Tensor, d0: number, d1: number): Tensor {
  const r = rankOf("transpose", a);
  return callT(TRANSPOSE, a, normDim("transpose", d0, r), normDim("transpose", d1, r));
}
/** Matrix transpose of a tensor of rank ≤ 2 (PyTorch's `.t()`). */
export function t(a: Tensor): Tensor {
  if (rankOf("t", a) > 2) argError("t", `expects a tensor of rank <= 2, got rank ${a.ndim}; use transpose(d0, d1)`);
  return a.ndim < 2 ? a.view(a.shape) : transpose(a, 0, 1);
}
const SQUEEZE = aten("squeeze");
const SQUEEZE_DIM = aten("squeeze.dim");
export const squeeze = (a: Tensor, dim?: number): Tensor =>
  dim === undefined ? callT(SQUEEZE, a) : callT(SQUEEZE_DIM, a, normDim("squeeze", dim, rankOf("squeeze", a)));
const UNSQUEEZE = aten("unsqueeze");
export const unsqueeze = (a: Tensor, dim: number): Tensor => callT(UNSQUEEZE, a, normDim("unsqueeze", dim, rankOf("unsqueeze", a) + 1));
const FLATTEN = aten("flatten.using_ints");
export interface FlattenOptions {
  startDim?: number;
  endDim?: number;
}
export function flatten(a: Tensor, startDim?: number | FlattenOptions, endDim?: number | FlattenOptions): Tensor {
  const r = rankOf("flatten", a);
  ({ startDim = 0, endDim = -1 } = optArgs<FlattenOptions>("flatten", ["startDim", "endDim"], [startDim, endDim]));
  return callT(FLATTEN, a, normDim("flatten", startDim, r), normDim("flatten", endDim, r));
}
const UNFLATTEN = aten("unflatten.int");
export const unflatten = (a: Tensor, dim: number, sizes: readonly number[]): Tensor =>
  callT(UNFLATTEN, a, normDim("unflatten", dim, rankOf("unflatten", a)), checkShape("unflatten", sizes, true));

const EXPAND = aten("expand");
/** A view of `a` broadcast to `shape`; -1 keeps a dim's size (not in a new leading dim). */
export function expand(a: Tensor, shape: readonly number[]): Tensor {
  const r = rankOf("expand", a);
  if (Array.isArray(shape) && shape.includes(-1)) {
    const lead = shape.length - r;
    shape = shape.map((d, i) => {
      if (d !== -1) return d;
      if (i < lead)
        argError("expand", `-1 is not allowed in a new leading dim (shape [${shape.join(", ")}] for input [${a.shape.join(", ")}])`);
      return a.shape[i - lead]!;
    });
  }
  checkShape("expand", shape, false);
  return callT(EXPAND, a, shape);
}
export const broadcastTo = expand;
const BROADCAST_TENSORS = aten("broadcast_tensors");
/** The tensors expanded to their common shape; given as arguments or as one array (PyTorch takes both). */
export function broadcastTensors(...tensors: Tensor[] | [readonly Tensor[]]): Tensor[] {
  const ts = tensors.length === 1 && Array.isArray(tensors[0]) ? tensors[0] : (tensors as Tensor[]);
  ts.forEach((t, i) => checkTensor("broadcastTensors", `tensors[${i}]`, t));
  return callTs(BROADCAST_TENSORS, ts);
}

/** The shape that tensors of these shapes broadcast to (PyTorch's broadcast_shapes), computed in JS; a number is a 1-D shape. */
export function broadcastShapes(...given: readonly (number | readonly number[])[]): number[] {
  const shapes = given.map((s) => checkShape("broadcastShapes", typeof s === "number" ? [s] : s));
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const d = s[s.length - 1 - i]!;
      const j = rank - 1 - i;
      if (!Number.isSafeInteger(d) || d < 0)
        throw new FlambeauError("E_ARG", `broadcastShapes: sizes must be integers ≥ 0, got [${s.join(", ")}]`, "broadcastShapes");
      if (out[j] === 1) out[j] = d;
      else if (d !== 1 && d !== out[j])
        throw new FlambeauError(
          "E_SHAPE",
          `broadcastShapes: shapes [${shapes.map((x) => x.join(", ")).join("], [")}] do not broadcast (dimension ${j}: ${out[j]} vs ${d})`,
          "broadcastShapes",
        );
    }
  }
  return out;
}

const SUM_TO_SIZE = aten("sum_to_size");
/** Sums a down to `size` (a shape a broadcasts from), as PyTorch's `x.sum_to_size`. */
export function sumToSize(a: Tensor, size: readonly number[]): Tensor {
  return callT(SUM_TO_SIZE, checkTensor("sumToSize", "input", a), checkShape("sumToSize", size));
}

const CAT = aten("cat");
const STACK = aten("stack");
export function cat(ts: readonly Tensor[], dim?: number | { dim?: number }): Tensor {
  dim = optArgs<{ dim?: number }>("cat", ["dim"], [dim]).dim ?? 0;
  if (!Array.isArray(ts) || ts.length === 0) argError("cat", `expects a non-empty array of tensors, got ${show(ts)}`);
  ts.forEach((t, i) => checkTensor("cat", `tensors[${i}]`, t));
  return callT(CAT, ts, normDim("cat", dim, ts[0]!.ndim));
}
export function stack(ts: readonly Tensor[], dim?: number | { dim?: number }): Tensor {
  dim = optArgs<{ dim?: number }>("stack", ["dim"], [dim]).dim ?? 0;
  if (!Array.isArray(ts) || ts.length === 0) argError("stack", `expects a non-empty array of tensors, got ${show(ts)}`);
  ts.forEach((t, i) => checkTensor("stack", `tensors[${i}]`, t));
  return callT(STACK, ts, normDim("stack", dim, ts[0]!.ndim + 1));
}
const SPLIT = aten("split.Tensor");
const SPLIT_SIZES = aten("split_with_sizes");
/** Splits into chunks of `size` (a number) or of the given sizes (an array) along `dim`. */
export function split(a: Tensor, size: number | readonly number[], dim = 0): Tensor[] {
  const d = normDim("split", dim, rankOf("split", a));
  if (typeof size === "number") return callTs(SPLIT, a, checkInt("split", "size", size, 1), d);
  return callTs(SPLIT_SIZES, a, checkShape("split", size), d);
}
const CHUNK = aten("chunk");
export const chunk = (a: Tensor, chunks: number, dim = 0): Tensor[] =>
  callTs(CHUNK, a, checkInt("chunk", "chunks", chunks, 1), normDim("chunk", dim, rankOf("chunk", a)));
const UNBIND = aten("unbind.int");
export const unbind = (a: Tensor, dim = 0): Tensor[] => callTs(UNBIND, a, normDim("unbind", dim, rankOf("unbind", a)));
const NARROW = aten("narrow");
/** `length` elements of `dim` from `start` (a number or, as PyTorch allows, a 0-dim integer tensor). */
export const narrow = (a: Tensor, dim: number, start: number | Tensor, length: number): Tensor =>
  callT(
    NARROW,
    a,
    normDim("narrow", dim, rankOf("narrow", a)),
    checkInt("narrow", "start", isTensor(start) ? scalarIndex("narrow", "start", start) : start),
    checkInt("narrow", "length", length, 0),
  );
function scalarIndex(op: string, name: string, t: Tensor): number {
  if (checkTensor(op, name, t).ndim !== 0 || !/int/.test(t.dtype)) argError(op, `${name} must be a 0-dim integer Tensor, got ${show(t)}`);
  return t.item();
}
const SLICE = aten("slice.Tensor");
/** `a[start:end:step]` along `dim` (Python slice semantics, negative indices count from the end). */
export const slice = (a: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor =>
  callT(
    SLICE,
    a,
    normDim("slice", dim, rankOf("slice", a)),
    optInt("slice", "start", start),
    optInt("slice", "end", end),
    checkInt("slice", "step", step, 1),
  );
const optInt = (op: string, name: string, v: number | null | undefined): number | null => (v == null ? null : checkInt(op, name, v));
const SELECT = aten("select.int");
export function select(a: Tensor, dim: number, index: number): Tensor {
  const d = normDim("select", dim, rankOf("select", a));
  const n = a.shape[d] ?? 1;
  checkInt("select", "index", index);
  if (index < -n || index >= n) argError("select", `index ${index} is out of range for dim ${d} of size ${n}`);
  return callT(SELECT, a, d, index);
}

const PAD = aten("pad");
export type PadMode = "constant" | "reflect" | "replicate" | "circular";
/** Pads the last dims: `pad` = [left, right, top, bottom, …] as in torch.nn.functional.pad. */
export function pad(a: Tensor, amounts: readonly number[], mode: PadMode = "constant", value = 0): Tensor {
  const r = rankOf("pad", a);
  if (!Array.isArray(amounts) || amounts.length % 2 !== 0 || amounts.length / 2 > r)
    argError("pad", `pad must have an even length of at most 2 × rank (${2 * r}), got ${show(amounts)}`);
  for (const p of amounts) checkInt("pad", "padding", p, -(2 ** 31), 2 ** 31);
  checkEnum("pad", "mode", mode, ["constant", "reflect", "replicate", "circular"]);
  return callT(PAD, a, amounts, mode, mode === "constant" ? value : null);
}
const REPEAT = aten("repeat");
export function repeat(a: Tensor, repeats: readonly number[]): Tensor {
  checkTensor("repeat", "input", a);
  const shape = checkShape("repeat", repeats);
  if (shape.length < a.ndim) argError("repeat", `needs at least ${a.ndim} repeats (the input's rank), got ${shape.length}`);
  const out = [...a.shape];
  while (out.length < shape.length) out.unshift(1);
  let n = 1;
  for (let i = 0; i < out.length; i++) n *= out[i]! * shape[i - (out.length - shape.length)]!;
  if (n > MAX_ELEMENTS) argError("repeat", `result would have ${n} elements`);
  return callT(REPEAT, a, shape);
}
const FLIP = aten("flip");
export const flip = (a: Tensor, dims: number | readonly number[]): Tensor => callT(FLIP, a, normDims("flip", dims, rankOf("flip", a)));
const ROLL = aten("roll");
export function roll(a: Tensor, shifts: number | readonly number[], dims: number | readonly number[]): Tensor {
  if (typeof shifts !== "number" && !Array.isArray(shifts)) argError("roll", `shifts must be a number or an array, got ${show(shifts)}`);
  const s = typeof shifts === "number" ? [shifts] : [...shifts];
  const d = normDims("roll", dims, rankOf("roll", a));
  if (s.length !== d.length) argError("roll", "shifts and dims must have the same length");
  for (const x of s) checkInt("roll", "shift", x);
  return callT(ROLL, a, s, d);
}
const TRIL = aten("tril");
const TRIU = aten("triu");
export const tril = (a: Tensor, diagonal = 0): Tensor => callT(TRIL, a, checkInt("tril", "diagonal", diagonal));
export const triu = (a: Tensor, diagonal = 0): Tensor => callT(TRIU, a, checkInt("triu", "diagonal", diagonal));
const DIAGONAL = aten("diagonal");
export interface DiagonalOptions {
  offset?: number;
  dim1?: number;
  dim2?: number;
}
export function diagonal(
  a: Tensor,
  offset?: number | DiagonalOptions,
  dim1?: number | DiagonalOptions,
  dim2?: number | DiagonalOptions,
): Tensor {
  const r = rankOf("diagonal", a);
  ({ offset = 0, dim1 = 0, dim2 = 1 } = optArgs<DiagonalOptions>("diagonal", ["offset", "dim1", "dim2"], [offset, dim1, dim2]));
  return callT(DIAGONAL, a, checkInt("diagonal", "offset", offset), normDim("diagonal", dim1, r), normDim("diagonal", dim2, r));
}
const CONTIGUOUS = aten("contiguous");
export const contiguous = (a: Tensor): Tensor => callT(CONTIGUOUS, a, "contiguous");
const CLONE = aten("clone");
export const clone = (a: Tensor): Tensor => callT(CLONE, a, null);
