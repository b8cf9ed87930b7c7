// The Tensor class: a handle to a libtorch tensor plus PyTorch's method surface. Methods
// delegate to the op families in ./ops (one file per family); this file holds state only.
import { inspect } from "node:util";
import { aten } from "./aten.js";
import { backward as autogradBackward, type BackwardOptions, type RemovableHandle, registerHook, type TensorHook } from "./autograd.js";
import { callT } from "./dispatch.js";
import { type AnyTypedArray, checkDtype, type DType, dtypeCode, dtypeFromCode, isFloating, itemSize, typedArrayOf } from "./dtype.js";
import { argError, FlambeauError } from "./errors.js";
import { formatTensor } from "./format.js";
import { track } from "./memory.js";
import { type Handle, native } from "./native.js";
import * as E from "./ops/elementwise.js";
import * as I from "./ops/indexing.js";
import * as L from "./ops/linalg.js";
import * as N from "./ops/nn.js";
import * as R from "./ops/reduce.js";
import * as S from "./ops/shape.js";
import { type StftOptions, stft as stftOf } from "./ops/stft.js";
import { registerTensorClass } from "./tensor-class.js";
import { checkTensor, normDim, optArgs, show } from "./validate.js";

type TS = E.TensorOrScalar;
export type NestedNumbers = number | boolean | NestedNumbers[];
/** The options of `Tensor.to`. */
export interface ToOptions {
  dtype?: DType;
  nonBlocking?: boolean;
  copy?: boolean;
  memoryFormat?: "contiguous" | "preserve" | "channelsLast";
  device?: "cpu";
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const TO_DTYPE = aten("to.dtype");
const DETACH = aten("detach");
const TO_MKLDNN = aten("to_mkldnn");
const TO_DENSE = aten("to_dense");
const ALIAS = aten("alias");
const ZERO_ = aten("zero_");
const FILL_ = aten("fill_.Scalar");
const COPY_ = aten("copy_");
const UNIFORM_ = aten("uniform_");
const NORMAL_ = aten("normal_");
const BERNOULLI_ = aten("bernoulli_.float");

/** Most nested arrays and values toArray() builds (each costs a JS heap object or slot). */
export const TO_ARRAY_MAX_ARRAYS = 2 ** 21;
export const TO_ARRAY_MAX_VALUES = 2 ** 27;

export class Tensor {
  #h: Handle | null;
  #shape: readonly number[] | undefined;
  #kept = false;

  /** @internal Wraps a native handle; use the creation functions (`tensor`, `zeros` …). */
  constructor(h: Handle) {
    this.#h = h;
    track(this);
  }

  /** @internal The native handle; throws if the tensor was disposed. */
  get handle(): Handle {
    if (this.#h === null)
      throw new FlambeauError(
        "E_DISPOSED",
        "this tensor was disposed: it was used after dispose() or after its tidy() scope ended (return it from tidy, or keep() it)",
      );
    return this.#h;
  }
  get disposed(): boolean {
    return this.#h === null;
  }
  /** Releases this handle's reference to the native tensor now (views and autograd may keep the memory alive). */
  dispose(): void {
    if (this.#h !== null) {
      native.dispose(this.#h);
      this.#h = null;
    }
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
  /** Whether tidy() scopes leave this tensor alone. */
  get kept(): boolean {
    return this.#kept;
  }
  /** Marks the tensor to survive every enclosing tidy() scope. */
  keep(): this {
    this.#kept = true;
    return this;
  }
  /** @internal Drops cached metadata after an in-place op. */
  invalidate(): void {
    this.#shape = undefined;
  }

  // ------------------------------------------------------------ metadata
  get shape(): readonly number[] {
    if (this.#shape === undefined) this.#shape = Object.freeze(native.shape(this.handle));
    return this.#shape;
  }
  /** Size of one dim, or the shape when no dim is given. */
  size(dim: number): number {
    const s = this.shape;
    if (s.length === 0) argError("size", `a 0-dim tensor has no dims (got dim ${show(dim)})`);
    return s[normDim("size", dim, s.length)]!;
  }
  get ndim(): number {
    return this.shape.length;
  }
  get numel(): number {
    let n = 1;
    for (const d of this.shape) n *= d;
    return n;
  }
  get dtype(): DType {
    return dtypeFromCode(native.dtype(this.handle));
  }
  get strides(): number[] {
    return native.strides(this.handle);
  }
  isContiguous(): boolean {
    return native.isContiguous(this.handle);
  }

  // ------------------------------------------------------------ autograd
  get requiresGrad(): boolean {
    return native.requiresGrad(this.handle);
  }
  set requiresGrad(on: boolean) {
    this.requiresGrad_(on);
  }
  requiresGrad_(on = true): this {
    if (typeof on !== "boolean") throw new FlambeauError("E_ARG", `requiresGrad_: expects a boolean, got ${show(on)}`, "requiresGrad_");
    try {
      native.setRequiresGrad(this.handle, on);
    } catch (e) {
      throw new FlambeauError("E_ARG", `requiresGrad_: ${(e as Error).message} (dtype ${this.dtype})`, "requiresGrad_");
    }
    return this;
  }
  /** The accumulated gradient (a new handle each read), or null. */
  get grad(): Tensor | null {
    const g = native.grad(this.handle);
    return g === null ? null : new Tensor(g);
  }
  set grad(g: Tensor | null) {
    // PyTorch's checks on `x.grad = g`: libtorch's mutable_grad() makes none.
    if (g != null) {
      checkTensor("grad", "the assigned gradient", g);
      if (g.dtype !== this.dtype) argError("grad", `assigned grad has dtype ${g.dtype}, the tensor has ${this.dtype}`);
      const own = native.shape(this.handle); // not the cached shape: set_data may have changed it
      if (g.shape.join() !== own.join())
        argError("grad", `assigned grad has shape [${g.shape.join(", ")}], the tensor has [${own.join(", ")}]`);
    }
    try {
      native.setGrad(this.handle, g == null ? null : g.handle);
    } catch (e) {
      throw new FlambeauError("E_ARG", (e as Error).message, "grad");
    }
  }
  get isLeaf(): boolean {
    return native.isLeaf(this.handle);
  }
  /** Name of the autograd node that produced this tensor (e.g. "AddBackward0"), or null. */
  get gradFn(): string | null {
    return native.gradFnName(this.handle);
  }
  /** Version counter bumped by in-place ops (autograd uses it to detect stale saved tensors). */
  get version(): number {
    return native.version(this.handle);
  }
  retainGrad(): this {
    try {
      native.retainGrad(this.handle);
    } catch (e) {
      throw new FlambeauError("E_ARG", (e as Error).message, "retainGrad");
    }
    return this;
  }
  /**
   * Calls `fn(grad)` each time the gradient of this tensor is computed; a Tensor it returns
   * replaces the gradient. The hook lives with the graph until `remove()`.
   */
  registerHook(fn: TensorHook): RemovableHandle {
    return registerHook(this, fn);
  }
  backward(gradient?: Tensor | null, opts: BackwardOptions = {}): void {
    autogradBackward([this], gradient ? [gradient] : [null], opts);
  }
  detach(): Tensor {
    return callT(DETACH, this);
  }

  // ------------------------------------------------------------ data out
  /** A copy of the elements in row-major order (int64: BigInt64Array; bool: Uint8Array; float16/bfloat16: raw Uint16Array bits). */
  data(): AnyTypedArray {
    const d = this.dtype;
    return typedArrayOf(d, native.toBuffer(this.handle));
  }
  /** The elements as nested arrays of numbers (booleans for bool). */
  toArray(): NestedNumbers {
    // Nested arrays cost a JS object per row: a zero dim beside huge ones (an empty tensor
    // of shape [2, 2^20, 2, 0]) takes seconds per million rows, and a huge tensor exhausts
    // V8's heap (a fatal error, not an exception).
    const shape0 = this.shape;
    let arrays = 1;
    let prefix = 1;
    for (let k = 0; k + 1 < shape0.length; k++) {
      prefix *= shape0[k]!;
      arrays += prefix;
    }
    const values = this.numel;
    if (arrays > TO_ARRAY_MAX_ARRAYS || values > TO_ARRAY_MAX_VALUES)
      throw new FlambeauError(
        "E_MEMORY",
        `toArray: a tensor of shape [${shape0.join(", ")}] would build ${arrays} nested arrays of ${values} values (caps ${TO_ARRAY_MAX_ARRAYS} and ${TO_ARRAY_MAX_VALUES}); read it with data() instead`,
        "toArray",
      );
    let src: ArrayLike<number | bigint> = this.data();
    const d = this.dtype;
    if (d === "float16" || d === "bfloat16") {
      const f = this.to("float32");
      src = f.data() as Float32Array;
      f.dispose();
    }
    const conv = d === "bool" ? (v: number | bigint) => v !== 0 : (v: number | bigint) => Number(v);
    const shape = this.shape;
    let i = 0;
    const build = (depth: number): NestedNumbers => {
      if (depth === shape.length) return conv(src[i++]!);
      const out: NestedNumbers[] = [];
      for (let k = 0; k < shape[depth]!; k++) out.push(build(depth + 1));
      return out;
    };
    return build(0);
  }
  /**
   * The value of a one-element tensor as a number, whatever its dtype, so `loss.item()` and
   * `correct.sum().item()` (int64, as PyTorch's sum of a mask is) read as they do in PyTorch.
   * int64 values convert exactly; one past ±(2^53 − 1), where a number would lose digits, is an
   * error that points to itemBigInt(). A bool is 1 or 0 (Python's bool is an int too; use
   * itemBool() for a boolean).
   */
  item(): number {
    const v = this.#rawItem("item");
    if (typeof v === "number") return v;
    if (typeof v === "boolean") return v ? 1 : 0;
    if (v > MAX_SAFE || v < -MAX_SAFE)
      throw new FlambeauError(
        "E_ARG",
        `item: the int64 value ${v} is past ±(2^53 − 1), where a number loses digits; use itemBigInt()`,
        "item",
      );
    return Number(v);
  }
  /** The exact value of a one-element integer or bool tensor as a BigInt (int64 past 2^53 included). */
  itemBigInt(): bigint {
    const v = this.#rawItem("itemBigInt");
    if (typeof v === "bigint") return v;
    if (typeof v === "boolean") return v ? 1n : 0n;
    if (!Number.isInteger(v) || isFloating(this.dtype))
      throw new FlambeauError("E_ARG", `itemBigInt: a ${this.dtype} tensor holds no integer; use item()`, "itemBigInt");
    return BigInt(v);
  }
  /** Whether a one-element tensor's value is nonzero, as PyTorch's `bool(t)` (a bool tensor's own value). */
  itemBool(): boolean {
    const v = this.#rawItem("itemBool");
    return typeof v === "boolean" ? v : typeof v === "bigint" ? v !== 0n : v !== 0;
  }
  #rawItem(op: string): number | bigint | boolean {
    try {
      return native.item(this.handle);
    } catch (e) {
      throw new FlambeauError("E_ARG", (e as Error).message.replace(/^item\b/, op), op);
    }
  }
  toString(): string {
    return this.disposed ? "tensor(<disposed>)" : formatTensor(this);
  }
  [inspect.custom](): string {
    return this.toString();
  }

  // ------------------------------------------------------------ dtype and copies
  /**
   * A copy in another dtype, as PyTorch's `x.to(dtype)` or `x.to("cpu", dtype?, nonBlocking?, copy?)`
   * (the device can only be "cpu"); options `{ dtype, nonBlocking, copy, memoryFormat }`. Without a
   * change (and without copy) the result shares this tensor's storage.
   */
  to(dtypeOrDevice?: DType | "cpu" | ToOptions, ...rest: (DType | boolean | ToOptions | undefined)[]): Tensor {
    const args: unknown[] = dtypeOrDevice === "cpu" ? rest : [dtypeOrDevice, ...rest];
    const o = optArgs<ToOptions>("to", ["dtype", "nonBlocking", "copy"], args, ["memoryFormat", "device"]);
    if (o.device !== undefined && o.device !== "cpu") argError("to", `device must be "cpu", got ${show(o.device)}`);
    const dtype = dtypeCode[checkDtype("to", o.dtype ?? this.dtype)];
    return callT(TO_DTYPE, this, dtype, o.nonBlocking ?? false, o.copy ?? false, o.memoryFormat ?? null);
  }
  float(): Tensor {
    return this.to("float32");
  }
  double(): Tensor {
    return this.to("float64");
  }
  long(): Tensor {
    return this.to("int64");
  }
  int(): Tensor {
    return this.to("int32");
  }
  bool(): Tensor {
    return this.to("bool");
  }
  half(): Tensor {
    return this.to("float16");
  }
  bfloat16(): Tensor {
    return this.to("bfloat16");
  }
  byte(): Tensor {
    return this.to("uint8");
  }
  char(): Tensor {
    return this.to("int8");
  }
  short(): Tensor {
    return this.to("int16");
  }
  /** Tensors live on the CPU (Debian's libtorch is CPU-only): returns this tensor, as PyTorch does for one already there. */
  cpu(): Tensor {
    return this;
  }
  /** -1: the CPU, as PyTorch answers for a CPU tensor. */
  getDevice(): number {
    return -1;
  }
  /** The number of dimensions (PyTorch's `dim()`; also the `ndim` property). */
  dim(): number {
    return this.ndim;
  }
  /** The number of elements (PyTorch's `nelement()`; also the `numel` property). */
  nelement(): number {
    return this.numel;
  }
  /** Bytes per element. */
  elementSize(): number {
    return itemSize[this.dtype];
  }
  clone(): Tensor {
    return S.clone(this);
  }
  contiguous(): Tensor {
    return S.contiguous(this);
  }
  /** Whether the tensor lives in oneDNN's blocked layout (PyTorch's `is_mkldnn`); see `toMkldnn`. */
  get isMkldnn(): boolean {
    return native.isMkldnn(this.handle);
  }
  /**
   * A copy in oneDNN's blocked layout (PyTorch's `to_mkldnn`), for inference: convolution,
   * pooling, batch norm, linear and most activations take and give that layout, so a chain of
   * them skips the reorders each eager NCHW kernel pays (4× a small CNN's batched forward here).
   * Ops without a oneDNN kernel take a dense copy (dispatch.ts); `toDense()` ends the chain.
   */
  toMkldnn(): Tensor {
    if (this.dtype !== "float32") argError("toMkldnn", `oneDNN tensors are float32 here, got ${this.dtype}`);
    return callT(TO_MKLDNN, this, null);
  }
  /** A strided copy of a oneDNN tensor (PyTorch's `to_dense`); an alias of a strided one. */
  toDense(): Tensor {
    return this.isMkldnn ? callT(TO_DENSE, this, null) : callT(ALIAS, this);
  }

  // ------------------------------------------------------------ in-place
  zero_(): this {
    callT(ZERO_, this).dispose();
    return this;
  }
  fill_(v: number | boolean): this {
    callT(FILL_, this, v).dispose();
    return this;
  }
  copy_(src: Tensor): this {
    callT(COPY_, this, src, false).dispose();
    return this;
  }
  uniform_(from = 0, to = 1): this {
    callT(UNIFORM_, this, from, to).dispose();
    return this;
  }
  normal_(mean = 0, std = 1): this {
    callT(NORMAL_, this, mean, std).dispose();
    return this;
  }
  bernoulli_(p = 0.5): this {
    callT(BERNOULLI_, this, p).dispose();
    return this;
  }
  add_(o: TS, alpha = 1): this {
    E.add_(this, o, alpha);
    return this;
  }
  sub_(o: TS, alpha = 1): this {
    E.sub_(this, o, alpha);
    return this;
  }
  mul_(o: TS): this {
    E.mul_(this, o);
    return this;
  }
  div_(o: TS): this {
    E.div_(this, o);
    return this;
  }
  clamp_(min?: TS | null, max?: TS | null): this {
    E.clamp_(this, min, max);
    return this;
  }
  maskedFill_(mask: Tensor, v: number | boolean): this {
    E.maskedFill_(this, mask, v);
    return this;
  }

  // ------------------------------------------------------------ elementwise
  add(o: TS, alpha = 1): Tensor {
    return E.add(this, o, alpha);
  }
  sub(o: TS, alpha = 1): Tensor {
    return E.sub(this, o, alpha);
  }
  mul(o: TS): Tensor {
    return E.mul(this, o);
  }
  div(o: TS, roundingMode?: E.RoundingMode | null | E.DivOptions): Tensor {
    return E.div(this, o, roundingMode);
  }
  remainder(o: TS): Tensor {
    return E.remainder(this, o);
  }
  pow(o: TS): Tensor {
    return E.pow(this, o);
  }
  maximum(o: Tensor): Tensor {
    return E.maximum(this, o);
  }
  minimum(o: Tensor): Tensor {
    return E.minimum(this, o);
  }
  eq(o: TS): Tensor {
    return E.eq(this, o);
  }
  ne(o: TS): Tensor {
    return E.ne(this, o);
  }
  lt(o: TS): Tensor {
    return E.lt(this, o);
  }
  le(o: TS): Tensor {
    return E.le(this, o);
  }
  gt(o: TS): Tensor {
    return E.gt(this, o);
  }
  ge(o: TS): Tensor {
    return E.ge(this, o);
  }
  logicalAnd(o: Tensor): Tensor {
    return E.logicalAnd(this, o);
  }
  logicalOr(o: Tensor): Tensor {
    return E.logicalOr(this, o);
  }
  logicalNot(): Tensor {
    return E.logicalNot(this);
  }
  clamp(min?: TS | null, max?: TS | null): Tensor {
    return E.clamp(this, min, max);
  }
  neg(): Tensor {
    return E.neg(this);
  }
  abs(): Tensor {
    return E.abs(this);
  }
  exp(): Tensor {
    return E.exp(this);
  }
  log(): Tensor {
    return E.log(this);
  }
  log1p(): Tensor {
    return E.log1p(this);
  }
  sqrt(): Tensor {
    return E.sqrt(this);
  }
  rsqrt(): Tensor {
    return E.rsqrt(this);
  }
  square(): Tensor {
    return E.square(this);
  }
  sin(): Tensor {
    return E.sin(this);
  }
  cos(): Tensor {
    return E.cos(this);
  }
  tanh(): Tensor {
    return E.tanh(this);
  }
  sigmoid(): Tensor {
    return E.sigmoid(this);
  }
  relu(): Tensor {
    return E.relu(this);
  }
  gelu(approximate?: "none" | "tanh" | E.GeluOptions): Tensor {
    return E.gelu(this, approximate);
  }
  silu(): Tensor {
    return E.silu(this);
  }
  floor(): Tensor {
    return E.floor(this);
  }
  ceil(): Tensor {
    return E.ceil(this);
  }
  round(opts?: { decimals?: number } | number): Tensor {
    return E.round(this, opts);
  }
  sign(): Tensor {
    return E.sign(this);
  }
  reciprocal(): Tensor {
    return E.reciprocal(this);
  }
  isnan(): Tensor {
    return E.isnan(this);
  }
  where(cond: Tensor, other: TS): Tensor {
    return E.where(cond, this, other);
  }
  softmax(dim: number): Tensor {
    return N.softmax(this, dim);
  }
  logSoftmax(dim: number): Tensor {
    return N.logSoftmax(this, dim);
  }

  // ------------------------------------------------------------ reductions
  sum(opts?: R.SumOptions | number | readonly number[], keepdim?: boolean): Tensor {
    return R.sum(this, opts, keepdim);
  }
  mean(opts?: R.SumOptions | number | readonly number[], keepdim?: boolean): Tensor {
    return R.mean(this, opts, keepdim);
  }
  var(opts?: R.VarOptions | number | readonly number[] | boolean, keepdim?: boolean): Tensor {
    return R.variance(this, opts, keepdim);
  }
  std(opts?: R.VarOptions | number | readonly number[] | boolean, keepdim?: boolean): Tensor {
    return R.std(this, opts, keepdim);
  }
  prod(opts?: { dim?: number; keepdim?: boolean } | number, keepdim?: boolean): Tensor {
    return R.prod(this, opts, keepdim);
  }
  /** PyTorch's three forms: the largest element; with a dim, values and indices along it; with a tensor, the elementwise maximum. */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  max(other: Tensor): Tensor;
  max(arg?: number | Tensor, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    if (arg === undefined) return R.max(this);
    if (typeof arg === "number") return R.maxDim(this, arg, keepdim);
    return E.maximum(this, arg);
  }
  /** PyTorch's three forms: the smallest element; with a dim, values and indices along it; with a tensor, the elementwise minimum. */
  min(): Tensor;
  min(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  min(other: Tensor): Tensor;
  min(arg?: number | Tensor, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    if (arg === undefined) return R.min(this);
    if (typeof arg === "number") return R.minDim(this, arg, keepdim);
    return E.minimum(this, arg);
  }
  maxDim(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    return R.maxDim(this, dim, keepdim);
  }
  minDim(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    return R.minDim(this, dim, keepdim);
  }
  amax(dim?: number | readonly number[] | R.ReduceOptions, keepdim?: boolean | R.ReduceOptions): Tensor {
    return R.amax(this, dim, keepdim);
  }
  argmax(dim?: number | null | R.ArgReduceOptions, keepdim?: boolean | R.ArgReduceOptions): Tensor {
    return R.argmax(this, dim, keepdim);
  }
  argmin(dim?: number | null | R.ArgReduceOptions, keepdim?: boolean | R.ArgReduceOptions): Tensor {
    return R.argmin(this, dim, keepdim);
  }
  norm(
    p?: number | "fro" | "nuc" | R.NormOptions,
    dim?: number | readonly number[] | R.NormOptions,
    keepdim?: boolean | R.NormOptions,
  ): Tensor {
    return R.norm(this, p, dim, keepdim);
  }
  logsumexp(dim: number | readonly number[], keepdim = false): Tensor {
    return R.logsumexp(this, dim, keepdim);
  }
  cumsum(dim: number): Tensor {
    return R.cumsum(this, dim);
  }
  all(dim?: number | R.ArgReduceOptions, keepdim?: boolean | R.ArgReduceOptions): Tensor {
    return R.all(this, dim, keepdim);
  }
  any(dim?: number | R.ArgReduceOptions, keepdim?: boolean | R.ArgReduceOptions): Tensor {
    return R.any(this, dim, keepdim);
  }

  // ------------------------------------------------------------ shape
  view(...shape: number[] | [readonly number[]]): Tensor {
    return S.view(this, flatArgs(shape));
  }
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    return S.reshape(this, flatArgs(shape));
  }
  permute(...dims: number[] | [readonly number[]]): Tensor {
    return S.permute(this, flatArgs(dims));
  }
  transpose(d0: number, d1: number): Tensor {
    return S.transpose(this, d0, d1);
  }
  t(): Tensor {
    return S.t(this);
  }
  /** The sizes as arguments or as one array, as PyTorch's `x.sum_to_size(*size)`. */
  sumToSize(...size: number[] | [readonly number[]]): Tensor {
    return S.sumToSize(this, flatArgs(size));
  }
  /** PyTorch's `x.T`: all dims reversed. */
  get T(): Tensor {
    return S.permute(this, [...Array(this.ndim).keys()].reverse());
  }
  /** PyTorch's `x.mT`: the last two dims swapped (a batch of matrices transposed); a 0-d tensor as itself. */
  get mT(): Tensor {
    return matrixView(this, "mT");
  }
  /** PyTorch's `x.mH`: mT conjugated (the adjoint of a batch of matrices). */
  get mH(): Tensor {
    return matrixView(this, "mH");
  }
  /** PyTorch's `x.H`: the conjugate transpose of a matrix (2-D) or a 0-d tensor. */
  get H(): Tensor {
    return matrixView(this, "H");
  }
  squeeze(dim?: number): Tensor {
    return S.squeeze(this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return S.unsqueeze(this, dim);
  }
  flatten(startDim?: number | S.FlattenOptions, endDim?: number | S.FlattenOptions): Tensor {
    return S.flatten(this, startDim, endDim);
  }
  unflatten(dim: number, sizes: readonly number[]): Tensor {
    return S.unflatten(this, dim, sizes);
  }
  expand(...shape: number[] | [readonly number[]]): Tensor {
    return S.expand(this, flatArgs(shape));
  }
  expandAs(o: Tensor): Tensor {
    return S.expand(this, checkTensor("expandAs", "other", o).shape);
  }
  split(size: number | readonly number[], dim = 0): Tensor[] {
    return S.split(this, size, dim);
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return S.chunk(this, chunks, dim);
  }
  unbind(dim = 0): Tensor[] {
    return S.unbind(this, dim);
  }
  narrow(dim: number, start: number | Tensor, length: number): Tensor {
    return S.narrow(this, dim, start, length);
  }
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
    return S.slice(this, dim, start, end, step);
  }
  select(dim: number, index: number): Tensor {
    return S.select(this, dim, index);
  }
  repeat(...repeats: number[] | [readonly number[]]): Tensor {
    return S.repeat(this, flatArgs(repeats));
  }
  flip(dims: number | readonly number[]): Tensor {
    return S.flip(this, dims);
  }
  roll(shifts: number | readonly number[], dims: number | readonly number[]): Tensor {
    return S.roll(this, shifts, dims);
  }
  tril(diagonal = 0): Tensor {
    return S.tril(this, diagonal);
  }
  triu(diagonal = 0): Tensor {
    return S.triu(this, diagonal);
  }

  // ------------------------------------------------------------ indexing
  index(indices: readonly (Tensor | null)[]): Tensor {
    return I.index(this, indices);
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return I.indexSelect(this, dim, index);
  }
  gather(dim: number, index: Tensor): Tensor {
    return I.gather(this, dim, index);
  }
  scatter(dim: number, index: Tensor, src: Tensor | number): Tensor {
    return I.scatter(this, dim, index, src);
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return I.scatterAdd(this, dim, index, src);
  }
  indexAdd(dim: number, index: Tensor, source: Tensor, alpha?: number | { alpha?: number }): Tensor {
    return I.indexAdd(this, dim, index, source, alpha);
  }
  maskedFill(mask: Tensor, value: number | boolean | Tensor): Tensor {
    return I.maskedFill(this, mask, value);
  }
  maskedSelect(mask: Tensor): Tensor {
    return I.maskedSelect(this, mask);
  }
  sort(
    dim?: number | I.SortOptions,
    descending?: boolean | I.SortOptions,
    stable?: boolean | I.SortOptions,
  ): { values: Tensor; indices: Tensor } {
    return I.sort(this, dim, descending, stable);
  }
  nonzero(options: { asTuple: true }): Tensor[];
  nonzero(options?: { asTuple?: false }): Tensor;
  nonzero(options?: { asTuple?: boolean }): Tensor | Tensor[] {
    return I.nonzero(this, options);
  }
  unique<O extends I.UniqueOptions = Record<string, never>>(options?: O): I.UniqueResult<O>;
  unique(...args: (boolean | number | null | I.UniqueOptions | undefined)[]): Tensor | Tensor[];
  unique(...args: unknown[]): Tensor | Tensor[] {
    return (I.unique as (a: Tensor, ...r: unknown[]) => Tensor | Tensor[])(this, ...args);
  }
  uniqueConsecutive<O extends I.UniqueConsecutiveOptions = Record<string, never>>(options?: O): I.UniqueResult<O>;
  uniqueConsecutive(...args: (boolean | number | null | I.UniqueConsecutiveOptions | undefined)[]): Tensor | Tensor[];
  uniqueConsecutive(...args: unknown[]): Tensor | Tensor[] {
    return (I.uniqueConsecutive as (a: Tensor, ...r: unknown[]) => Tensor | Tensor[])(this, ...args);
  }
  argsort(dim = -1, descending = false): Tensor {
    return I.argsort(this, dim, descending);
  }
  topk(k: number, dim = -1, largest = true, sorted = true): { values: Tensor; indices: Tensor } {
    return I.topk(this, k, dim, largest, sorted);
  }

  // ------------------------------------------------------------ linear algebra
  matmul(o: Tensor): Tensor {
    return L.matmul(this, o);
  }
  mm(o: Tensor): Tensor {
    return L.mm(this, o);
  }
  bmm(o: Tensor): Tensor {
    return L.bmm(this, o);
  }
  dot(o: Tensor): Tensor {
    return L.dot(this, o);
  }
  /** torch.stft of this signal; the optional arguments positionally or in the options. */
  stft(nFft: number, ...rest: (number | boolean | string | Tensor | null | undefined | StftOptions)[]): Tensor {
    return (stftOf as (x: Tensor, n: number, ...r: unknown[]) => Tensor)(this, nFft, ...rest);
  }
  lu(options: L.LuOptions & { getInfos: true }): { LU: Tensor; pivots: Tensor; info: Tensor };
  lu(pivot: boolean, getInfos: true): { LU: Tensor; pivots: Tensor; info: Tensor };
  lu(pivot?: boolean | (L.LuOptions & { getInfos?: false }), getInfos?: false): [LU: Tensor, pivots: Tensor];
  lu(
    pivot?: boolean | L.LuOptions,
    getInfos?: boolean | L.LuOptions,
  ): [LU: Tensor, pivots: Tensor] | { LU: Tensor; pivots: Tensor; info: Tensor } {
    return L.lu(this, pivot, getInfos);
  }
}
registerTensorClass(Tensor);

const MATRIX_VIEWS = { mT: aten("mT"), mH: aten("mH"), H: aten("matrix_H") } as const;
/** The views behind `x.mT`, `x.mH` (last two dims swapped, conjugated for mH) and `x.H` (matrices only); a 0-d tensor is its own. */
function matrixView(a: Tensor, which: "mT" | "mH" | "H"): Tensor {
  const r = checkTensor(which, "input", a).ndim;
  if (which === "H" ? r !== 0 && r !== 2 : r === 1)
    argError(
      which,
      `needs ${which === "H" ? "a matrix (rank 2) or a 0-d tensor" : "a (batch of) matrices (rank >= 2) or a 0-d tensor"}, got rank ${r}`,
    );
  return callT(MATRIX_VIEWS[which], a);
}

function flatArgs(a: number[] | [readonly number[]]): number[] {
  return a.length === 1 && Array.isArray(a[0]) ? [...(a[0] as readonly number[])] : (a as number[]);
}

/** Anything that can be stored in a typed element array. */
export type { AnyTypedArray };
