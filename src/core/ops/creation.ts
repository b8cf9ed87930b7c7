// Creating tensors: from JS data, constant fills, ranges, random draws.
// JS numbers carry no int/float distinction, so creation defaults to float32 (as tfjs does);
// index-producing ops (arange over integers, randint, randperm) give int64 as PyTorch does.
import { aten } from "../aten.js";
import { callT } from "../dispatch.js";
import { checkDtype, type DType, dtypeCode, dtypeOfTypedArray, itemSize } from "../dtype.js";
import { argError, FlambeauError } from "../errors.js";
import { native } from "../native.js";
import type { Tensor } from "../tensor.js";
import { wrapHandle } from "../tensor-class.js";
import { checkInt, checkShape, checkTensor, MAX_RANK, optArgs, optionsOf, show } from "../validate.js";

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  /** Only "cpu" (Flambeau runs on the CPU); accepted for PyTorch's signatures. */
  device?: "cpu";
}

export type NestedArray = number | boolean | bigint | readonly NestedArray[];
export type TensorData = NestedArray | ArrayBufferView;

const CREATE_KEYS = ["dtype", "requiresGrad", "device"] as const;
function finish(t: Tensor, opts: CreateOptions | undefined): Tensor {
  if (opts?.requiresGrad) t.requiresGrad_(true);
  return t;
}

function dt(op: string, opts: CreateOptions | undefined, fallback: DType = "float32"): number {
  opts = optionsOf(op, opts);
  if (opts.device !== undefined && opts.device !== "cpu") argError(op, `device must be "cpu", got ${show(opts.device)}`);
  return dtypeCode[opts?.dtype === undefined ? fallback : checkDtype(op, opts.dtype)];
}

function inferShape(data: NestedArray, shape: number[]): void {
  if (Array.isArray(data)) {
    // A self-containing array would recurse forever; no real tensor nests deeper than MAX_RANK.
    if (shape.length >= MAX_RANK) argError("tensor", `nested arrays deeper than the maximum rank ${MAX_RANK}`);
    shape.push(data.length);
    if (data.length > 0) inferShape(data[0] as NestedArray, shape);
  }
}

function flatten(data: NestedArray, shape: number[], depth: number, out: unknown[]): void {
  if (depth === shape.length) {
    if (Array.isArray(data)) argError("tensor", "ragged nested array: deeper nesting than the first element");
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[depth])
    argError("tensor", `ragged nested array: expected length ${shape[depth]} at depth ${depth}`);
  for (const x of data as NestedArray[]) flatten(x, shape, depth + 1, out);
}

function packValues(values: unknown[], dtype: DType): ArrayBufferView {
  const n = values.length;
  switch (dtype) {
    case "float64":
      return Float64Array.from(values as number[], Number);
    case "int64":
      return BigInt64Array.from(values as (number | bigint)[], (v) => {
        if (typeof v === "bigint") return v;
        if (!Number.isInteger(v)) argError("tensor", `int64 value ${String(v)} is not an integer`);
        return BigInt(v);
      });
    case "int32":
      return Int32Array.from(values as number[], Number);
    case "int16":
      return Int16Array.from(values as number[], Number);
    case "int8":
      return Int8Array.from(values as number[], Number);
    case "uint8":
    case "bool":
      return Uint8Array.from(values as number[], (v) => Number(v));
    default: {
      const f = new Float32Array(n);
      for (let i = 0; i < n; i++) f[i] = Number(values[i]);
      return f;
    }
  }
}

/** Copies bytes into a new tensor; a refusal (the memory budget, a size mismatch) becomes a FlambeauError. */
function fromBuffer(data: ArrayBufferView, shape: number[], dtype: DType): Tensor {
  let h: ReturnType<typeof native.fromBuffer>;
  try {
    h = native.fromBuffer(data, shape, dtypeCode[dtype]);
  } catch (e) {
    if (e instanceof FlambeauError) throw e; // the engine could not load (the first call loads it)
    const msg = (e as Error).message;
    throw new FlambeauError(msg.includes("memory budget") ? "E_MEMORY" : "E_ARG", `tensor: ${msg}`, "tensor");
  }
  return wrapHandle(h);
}

/**
 * A tensor from nested arrays, a scalar or a TypedArray (copied). Numbers default to
 * float32, booleans to bool, BigInts to int64, TypedArrays to their own dtype.
 */
export function tensor(data: TensorData, opts: CreateOptions & { shape?: readonly number[] } = {}): Tensor {
  opts = optionsOf("tensor", opts);
  if (ArrayBuffer.isView(data)) {
    const own = dtypeOfTypedArray(data);
    if (own === undefined) argError("tensor", `unsupported TypedArray ${data.constructor.name}`);
    const shape = checkShape("tensor", opts.shape ?? [data.byteLength / itemSize[own]]);
    const t = fromBuffer(data, shape, own);
    if (opts.dtype !== undefined && checkDtype("tensor", opts.dtype) !== own) {
      const c = t.to(opts.dtype);
      t.dispose();
      return finish(c, opts);
    }
    return finish(t, opts);
  }
  const inferred: number[] = [];
  inferShape(data, inferred);
  checkShape("tensor", inferred);
  const values: unknown[] = [];
  flatten(data, inferred, 0, values);
  const shape = opts.shape === undefined ? inferred : checkShape("tensor", opts.shape);
  if (opts.shape !== undefined && shape.reduce((a, b) => a * b, 1) !== values.length)
    argError("tensor", `shape [${shape.join(", ")}] does not fit ${values.length} values`);
  const first = values[0];
  const guessed: DType = typeof first === "boolean" ? "bool" : typeof first === "bigint" ? "int64" : "float32";
  const dtype = opts.dtype === undefined ? guessed : checkDtype("tensor", opts.dtype);
  for (const v of values)
    if (typeof v !== "number" && typeof v !== "boolean" && typeof v !== "bigint") argError("tensor", `unsupported element ${String(v)}`);
  const storage: DType = dtype === "float16" || dtype === "bfloat16" ? "float32" : dtype;
  const t = fromBuffer(packValues(values, storage), shape, storage);
  if (storage !== dtype) {
    const c = t.to(dtype);
    t.dispose();
    return finish(c, opts);
  }
  return finish(t, opts);
}

const SCALAR_TENSOR = aten("scalar_tensor");
/** @internal A 0-dim tensor holding `v` in the dtype of `like` (scalar-first binary ops). */
export function scalarTensor(v: number | boolean, like: Tensor): Tensor {
  return callT(SCALAR_TENSOR, v, dtypeCode[checkTensor("scalarTensor", "like", like).dtype]);
}

const ZEROS = aten("zeros");
const ONES = aten("ones");
const FULL = aten("full");
const EMPTY = aten("empty.memory_format");
const RAND = aten("rand");
const RANDN = aten("randn");
export const zeros = (shape: readonly number[], opts?: CreateOptions): Tensor =>
  finish(callT(ZEROS, checkShape("zeros", shape), dt("zeros", opts)), opts);
export const ones = (shape: readonly number[], opts?: CreateOptions): Tensor =>
  finish(callT(ONES, checkShape("ones", shape), dt("ones", opts)), opts);
export const empty = (shape: readonly number[], opts?: CreateOptions): Tensor =>
  finish(callT(EMPTY, checkShape("empty", shape), dt("empty", opts)), opts);
export function full(shape: readonly number[], value: number | boolean, opts?: CreateOptions): Tensor {
  return finish(callT(FULL, checkShape("full", shape), value, dt("full", opts, typeof value === "boolean" ? "bool" : "float32")), opts);
}
/** Uniform samples in [0, 1). */
export const rand = (shape: readonly number[], opts?: CreateOptions): Tensor =>
  finish(callT(RAND, checkShape("rand", shape), dt("rand", opts)), opts);
/** Standard normal samples. */
export const randn = (shape: readonly number[], opts?: CreateOptions): Tensor =>
  finish(callT(RANDN, checkShape("randn", shape), dt("randn", opts)), opts);

const RANDINT = aten("randint.low");
/** Integers uniformly drawn from [low, high); int64 unless a dtype is given. */
export function randint(low: number, high: number, shape: readonly number[], opts?: CreateOptions): Tensor {
  checkInt("randint", "low", low);
  checkInt("randint", "high", high);
  if (high <= low) argError("randint", `high (${high}) must be greater than low (${low})`);
  return callT(RANDINT, low, high, checkShape("randint", shape), dt("randint", opts, "int64"));
}
const RANDPERM = aten("randperm");
export const randperm = (n: number, opts?: CreateOptions): Tensor =>
  callT(RANDPERM, checkInt("randperm", "n", n, 0, 2 ** 34), dt("randperm", opts, "int64"));

const ARANGE = aten("arange.start_step");
/** `arange(end)` or `arange(start, end, step)`; int64 when all arguments are integers. */
type ArangeOptions = CreateOptions & { end?: number | boolean; step?: number | boolean };
/**
 * `[start, end)` in steps (one argument: `[0, start)`); end and step positionally or in the options
 * with the dtype. Booleans count as 0 and 1, as PyTorch's Scalars do.
 */
export function arange(
  start: number | boolean,
  end?: number | boolean | ArangeOptions,
  step?: number | boolean | ArangeOptions,
  opts?: ArangeOptions,
): Tensor {
  const o = optArgs<ArangeOptions>("arange", ["end", "step"], [end, step, opts], CREATE_KEYS);
  const num = (v: unknown): unknown => (typeof v === "boolean" ? Number(v) : v);
  const [s, e] = o.end === undefined ? [0, num(start)] : [num(start), num(o.end)];
  const st = num(o.step ?? 1);
  for (const [k, v] of [
    ["start", s],
    ["end", e],
    ["step", st],
  ] as const)
    if (typeof v !== "number" || !Number.isFinite(v)) argError("arange", `${k} must be a finite number or a boolean, got ${show(v)}`);
  return arangeOf(s as number, e as number, st as number, o);
}
function arangeOf(s: number, e: number, step: number, opts: CreateOptions): Tensor {
  if (step === 0) argError("arange", "step must be nonzero");
  const count = Math.ceil((e - s) / step);
  if (count > 2 ** 34) argError("arange", `would create ${count} elements`);
  const allInt = Number.isInteger(s) && Number.isInteger(e) && Number.isInteger(step);
  return finish(callT(ARANGE, s, e, step, dt("arange", opts, allInt ? "int64" : "float32")), opts);
}
const LINSPACE = aten("linspace");
export const linspace = (start: number, end: number, steps: number, opts?: CreateOptions): Tensor =>
  finish(callT(LINSPACE, start, end, checkInt("linspace", "steps", steps, 0, 2 ** 34), dt("linspace", opts)), opts);
const EYE = aten("eye.m");
/** An n × m identity matrix; m (default n) positionally or in the options. */
export function eye(n: number, m?: number | (CreateOptions & { m?: number }), opts?: CreateOptions): Tensor {
  const o = optArgs<CreateOptions & { m?: number }>("eye", ["m"], [m, opts], CREATE_KEYS);
  const cols = o.m ?? n;
  return finish(callT(EYE, checkInt("eye", "n", n, 0, 2 ** 20), checkInt("eye", "m", cols, 0, 2 ** 20), dt("eye", o)), o);
}

const likeOp = (name: string) => {
  const op = aten(name);
  return (t: Tensor, opts?: CreateOptions): Tensor => {
    opts = optionsOf(name, opts);
    return finish(callT(op, t, opts.dtype === undefined ? null : dt(name, opts)), opts);
  };
};
export const zerosLike = likeOp("zeros_like");
export const onesLike = likeOp("ones_like");
export const emptyLike = likeOp("empty_like");
export const randLike = likeOp("rand_like");
export const randnLike = likeOp("randn_like");
const FULL_LIKE = aten("full_like");
export function fullLike(t: Tensor, value: number | boolean, opts?: CreateOptions): Tensor {
  opts = optionsOf("fullLike", opts);
  return finish(callT(FULL_LIKE, t, value, opts.dtype === undefined ? null : dt("fullLike", opts)), opts);
}

/** Seeds libtorch's default CPU generator (all random ops and dropout draw from it). */
export function manualSeed(seed: number | bigint): void {
  if (typeof seed === "bigint") {
    if (seed < 0n || seed >= 2n ** 64n) argError("manualSeed", `seed must be in [0, 2^64), got ${seed}n`);
    // The binding takes an int64: seeds past 2^63 wrap to the same 64 bits.
    native.manualSeed(BigInt.asIntN(64, seed));
  } else {
    native.manualSeed(checkInt("manualSeed", "seed", seed, 0));
  }
}
