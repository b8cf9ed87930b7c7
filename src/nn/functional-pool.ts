// Pooling, transposed 3-D convolution and dropout variants of torch.nn.functional that core
// has no wrapper for. Sizes are checked before dispatch, as core's pools do: libtorch 1.13
// crashes on some huge or zero values instead of raising.
import { aten } from "../core/aten.js";
import { callT, callTs } from "../core/dispatch.js";
import { isFloating } from "../core/dtype.js";
import { argError } from "../core/errors.js";
import { rand, type Tensor, tidy } from "../core/index.js";
import { type adaptiveMaxPool2d, adaptiveMaxPoolNd, type MaxPoolOptions, type maxPool2d, maxPoolNd } from "../core/ops/nn.js";
import { type AdaptiveSize, adaptiveSize as coreAdaptiveSize, type DropoutArg, dropoutArgs } from "../core/ops/nn-args.js";
import { checkInt, checkTensor, checkTuple, optArgs, optionsOf, show } from "../core/validate.js";

const CAP = 2 ** 20;
type Size = number | readonly number[];

export interface PoolOptions {
  stride?: Size;
  padding?: Size;
  dilation?: Size;
  ceilMode?: boolean;
}
function poolArgs(op: string, x: Tensor, n: number, kernel: Size, o: PoolOptions) {
  checkTensor(op, "input", x);
  o = optionsOf(op, o);
  if (x.ndim !== n + 1 && x.ndim !== n + 2) argError(op, `input must have rank ${n + 1} or ${n + 2}, got [${x.shape.join(", ")}]`);
  const k = checkTuple(op, "kernelSize", kernel, n, 1, CAP);
  const s = checkTuple(op, "stride", o.stride ?? k, n, 1, CAP);
  const p = checkTuple(op, "padding", o.padding ?? 0, n, 0, CAP);
  const d = checkTuple(op, "dilation", o.dilation ?? 1, n, 1, CAP);
  for (let i = 0; i < n; i++) {
    if (p[i]! * 2 > k[i]!) argError(op, `padding ${p[i]} must be at most half the kernel size ${k[i]}`);
    const size = x.shape[x.ndim - n + i]!;
    if (size + 2 * p[i]! < d[i]! * (k[i]! - 1) + 1)
      argError(op, `kernel ${k[i]} (dilation ${d[i]}) is larger than the padded input size ${size + 2 * p[i]!}`);
  }
  const ceilMode = o.ceilMode ?? false;
  if (typeof ceilMode !== "boolean") argError(op, `ceilMode must be a boolean, got ${show(ceilMode)}`);
  return { k, s, p, d, ceilMode };
}

export const maxPool3d = ((x: Tensor, kernel: Size, o?: MaxPoolOptions) => maxPoolNd(3, x, kernel, o)) as typeof maxPool2d;
/** F.max_pool1d_with_indices: `[output, indices]` (PyTorch's plain tuple; the indices are for maxUnpool). */
export const maxPool1dWithIndices = (x: Tensor, kernel: Size, o: PoolOptions = {}): [output: Tensor, indices: Tensor] =>
  maxPoolNd(1, x, kernel, o, true) as [Tensor, Tensor];
export const maxPool3dWithIndices = (x: Tensor, kernel: Size, o: PoolOptions = {}): [output: Tensor, indices: Tensor] =>
  maxPoolNd(3, x, kernel, o, true) as [Tensor, Tensor];

export interface AvgPool3dOptions extends Omit<PoolOptions, "dilation"> {
  countIncludePad?: boolean;
  /** Divide by this instead of the window size. */
  divisorOverride?: number | null;
}
export function avgPool3d(x: Tensor, kernel: Size, o: AvgPool3dOptions = {}): Tensor {
  const { k, s, p, ceilMode } = poolArgs("avgPool3d", x, 3, kernel, o);
  const div = o.divisorOverride == null ? null : checkInt("avgPool3d", "divisorOverride", o.divisorOverride, -CAP, CAP);
  if (div === 0) argError("avgPool3d", "divisorOverride must not be 0");
  return callT(aten("avg_pool3d"), x, k, s, p, ceilMode, o.countIncludePad ?? true, div);
}

const adaptiveSize = (op: string, x: Tensor, n: number, size: AdaptiveSize): number[] => coreAdaptiveSize(op, x, n, size, CAP);
export const adaptiveAvgPool3d = (x: Tensor, size: AdaptiveSize): Tensor =>
  callT(aten("adaptive_avg_pool3d"), x, adaptiveSize("adaptiveAvgPool3d", x, 3, size));
export const adaptiveMaxPool1d = ((x, size, ri) => adaptiveMaxPoolNd(1, x, size, ri)) as typeof adaptiveMaxPool2d;
export const adaptiveMaxPool3d = ((x, size, ri) => adaptiveMaxPoolNd(3, x, size, ri)) as typeof adaptiveMaxPool2d;
/** F.adaptive_max_poolNd_with_indices: `[output, indices]` (PyTorch's plain tuple). */
export const adaptiveMaxPool1dWithIndices = (x: Tensor, size: AdaptiveSize) => adaptiveMaxPoolNd(1, x, size, true) as [Tensor, Tensor];
export const adaptiveMaxPool2dWithIndices = (x: Tensor, size: AdaptiveSize) => adaptiveMaxPoolNd(2, x, size, true) as [Tensor, Tensor];
export const adaptiveMaxPool3dWithIndices = (x: Tensor, size: AdaptiveSize) => adaptiveMaxPoolNd(3, x, size, true) as [Tensor, Tensor];

export interface LPPoolOptions {
  stride?: Size;
  ceilMode?: boolean;
}
function lpPool(n: 1 | 2, x: Tensor, normType: number, kernel: Size, o: LPPoolOptions): Tensor {
  const op = `lpPool${n}d`;
  if (typeof normType !== "number" || !(normType > 0)) argError(op, `normType must be > 0, got ${show(normType)}`);
  o = optionsOf(op, o);
  const { k, s, ceilMode } = poolArgs(op, x, n, kernel, { stride: o.stride, ceilMode: o.ceilMode });
  return tidy(() => {
    const pooled =
      n === 1
        ? callT(aten("avg_pool1d"), x.pow(normType), k, s, [0], ceilMode, true)
        : callT(aten("avg_pool2d"), x.pow(normType), k, s, [0, 0], ceilMode, true, null);
    const window = k.reduce((a, b) => a * b, 1);
    return pooled
      .sign()
      .mul(pooled.abs().relu())
      .mul(window)
      .pow(1 / normType);
  });
}
/** Power-average pooling: (Σ xᵖ over the window)^(1/p). */
export const lpPool1d = (x: Tensor, normType: number, kernel: Size, o: LPPoolOptions = {}): Tensor => lpPool(1, x, normType, kernel, o);
export const lpPool2d = (x: Tensor, normType: number, kernel: Size, o: LPPoolOptions = {}): Tensor => lpPool(2, x, normType, kernel, o);

export interface MaxUnpoolOptions {
  stride?: Size;
  padding?: Size;
  /** The size to restore (default: the pooled input's size computed from kernel, stride and padding). */
  outputSize?: readonly number[];
}
function unpoolSize(op: string, x: Tensor, indices: Tensor, n: number, kernel: Size, o: MaxUnpoolOptions) {
  checkTensor(op, "input", x);
  checkTensor(op, "indices", indices);
  o = optionsOf(op, o);
  if (x.ndim !== n + 1 && x.ndim !== n + 2) argError(op, `input must have rank ${n + 1} or ${n + 2}, got [${x.shape.join(", ")}]`);
  if (indices.dtype !== "int64" || indices.shape.join() !== x.shape.join())
    argError(op, `indices must be int64 with input's shape [${x.shape.join(", ")}], got ${indices.dtype}[${indices.shape.join(", ")}]`);
  const k = checkTuple(op, "kernelSize", kernel, n, 1, CAP);
  const s = checkTuple(op, "stride", o.stride ?? k, n, 1, CAP);
  const p = checkTuple(op, "padding", o.padding ?? 0, n, 0, CAP);
  const dflt = k.map((ki, i) => (x.shape[x.ndim - n + i]! - 1) * s[i]! + ki - 2 * p[i]!);
  let size = dflt;
  if (o.outputSize !== undefined) {
    if (!Array.isArray(o.outputSize)) argError(op, `outputSize must be an array, got ${show(o.outputSize)}`);
    size = o.outputSize.slice(-n).map((v) => checkInt(op, "outputSize", v, 1, CAP));
    if (size.length !== n) argError(op, `outputSize needs ${n} spatial sizes, got ${show(o.outputSize)}`);
    size.forEach((v, i) => {
      if (v < dflt[i]! - s[i]! || v > dflt[i]! + s[i]!)
        argError(op, `outputSize ${show(size)} must be within a stride of the default [${dflt.join(", ")}]`);
    });
  }
  // Out-of-range indices are read out of bounds by some libtorch kernels: check them here.
  if (indices.numel > 0) {
    const plane = size.reduce((a, b) => a * b, 1);
    const [lo, hi] = tidy(() => [indices.min().item(), indices.max().item()]);
    if (lo < 0 || hi >= plane)
      argError(op, `indices must be in [0, ${plane - 1}] for output size [${size.join(", ")}], found [${lo}, ${hi}]`);
  }
  return { s, p, size };
}
/** Puts each value back at the index its max pooling took it from; zeros elsewhere. */
export function maxUnpool1d(x: Tensor, indices: Tensor, kernel: Size, o: MaxUnpoolOptions = {}): Tensor {
  const { size } = unpoolSize("maxUnpool1d", x, indices, 1, kernel, o);
  return tidy(() => callT(aten("max_unpool2d"), x.unsqueeze(-1), indices.unsqueeze(-1), [size[0]!, 1]).squeeze(-1));
}
export function maxUnpool2d(x: Tensor, indices: Tensor, kernel: Size, o: MaxUnpoolOptions = {}): Tensor {
  const { size } = unpoolSize("maxUnpool2d", x, indices, 2, kernel, o);
  return callT(aten("max_unpool2d"), x, indices, size);
}
export function maxUnpool3d(x: Tensor, indices: Tensor, kernel: Size, o: MaxUnpoolOptions = {}): Tensor {
  const { s, p, size } = unpoolSize("maxUnpool3d", x, indices, 3, kernel, o);
  return callT(aten("max_unpool3d"), x, indices, size, s, p);
}

export interface ConvTranspose3dOptions {
  stride?: Size;
  padding?: Size;
  outputPadding?: Size;
  dilation?: Size;
  groups?: number;
}
/** Transposed 3-D convolution of [N, Cin, D, H, W] with weight [Cin, Cout / groups, kd, kh, kw]. */
export function convTranspose3d(x: Tensor, w: Tensor, bias?: Tensor | null, o: ConvTranspose3dOptions = {}): Tensor {
  const op = "convTranspose3d";
  checkTensor(op, "input", x);
  checkTensor(op, "weight", w);
  o = optionsOf(op, o);
  if (x.ndim !== 4 && x.ndim !== 5) argError(op, `input must have rank 4 or 5, got [${x.shape.join(", ")}]`);
  if (w.ndim !== 5) argError(op, `weight must have rank 5, got [${w.shape.join(", ")}]`);
  const stride = checkTuple(op, "stride", o.stride ?? 1, 3, 1, CAP);
  const dilation = checkTuple(op, "dilation", o.dilation ?? 1, 3, 1, CAP);
  const padding = checkTuple(op, "padding", o.padding ?? 0, 3, 0, CAP);
  const outputPadding = checkTuple(op, "outputPadding", o.outputPadding ?? 0, 3, 0, CAP);
  const groups = checkInt(op, "groups", o.groups ?? 1, 1, CAP);
  const cin = x.shape[x.ndim - 4]!;
  if (cin !== w.shape[0]) argError(op, `input has ${cin} channels but weight [${w.shape.join(", ")}] expects ${w.shape[0]}`);
  if (cin % groups !== 0) argError(op, `input channels ${cin} not divisible by groups ${groups}`);
  for (let i = 0; i < 3; i++) {
    checkInt(op, "kernel size", w.shape[i + 2], 1, CAP);
    if (outputPadding[i]! >= Math.max(stride[i]!, dilation[i]!))
      argError(op, `outputPadding ${outputPadding[i]} must be smaller than stride or dilation`);
  }
  return callT(aten("conv_transpose3d.input"), x, w, bias ?? null, stride, padding, outputPadding, groups, dilation);
}

const FEATURE_DROPOUT = aten("feature_dropout");
function featureDropout(
  op: string,
  x: Tensor,
  pArg: DropoutArg<number> | undefined,
  trainArg: DropoutArg<boolean> | undefined,
  ranks: [number, number],
): Tensor {
  checkTensor(op, "input", x);
  const { p, training } = dropoutArgs(op, pArg, trainArg, true);
  if (x.ndim !== ranks[0] && x.ndim !== ranks[1])
    argError(op, `input must have rank ${ranks[0]} (unbatched) or ${ranks[1]} (batched), got [${x.shape.join(", ")}]`);
  if (x.ndim === ranks[1]) return callT(FEATURE_DROPOUT, x, p, training);
  return tidy(() => callT(FEATURE_DROPOUT, x.unsqueeze(0), p, training).squeeze(0));
}
/** Zeroes whole channels of [N, C, L] (or [C, L]) with probability p, scaling the rest by 1/(1 − p). */
export const dropout1d = (x: Tensor, p?: DropoutArg<number>, training?: DropoutArg<boolean>): Tensor =>
  featureDropout("dropout1d", x, p, training, [2, 3]);
/** Zeroes whole channels of [N, C, D, H, W] (or [C, D, H, W]) with probability p. */
export const dropout3d = (x: Tensor, p?: DropoutArg<number>, training?: DropoutArg<boolean>): Tensor =>
  featureDropout("dropout3d", x, p, training, [4, 5]);
/** Dropout that keeps SELU's mean and variance (drops to its negative saturation value). */
export function alphaDropout(x: Tensor, p?: DropoutArg<number>, training?: DropoutArg<boolean>): Tensor {
  const a = dropoutArgs("alphaDropout", p, training, false);
  return callT(aten("alpha_dropout"), checkTensor("alphaDropout", "input", x), a.p, a.training);
}
/** Alpha dropout of whole channels. */
export function featureAlphaDropout(x: Tensor, p?: DropoutArg<number>, training?: DropoutArg<boolean>): Tensor {
  const a = dropoutArgs("featureAlphaDropout", p, training, false);
  return callT(aten("feature_alpha_dropout"), checkTensor("featureAlphaDropout", "input", x), a.p, a.training);
}

export interface FractionalMaxPoolOptions {
  /** The output's spatial size (a number for every dim), or … */
  outputSize?: Size | null;
  /** … its ratio to the input's, in (0, 1) (sizes rounded down). */
  outputRatio?: number | readonly number[] | null;
  /** Also return the flat index of each maximum: `[output, indices]` (PyTorch's plain tuple). */
  returnIndices?: boolean;
  /** PyTorch's `_random_samples`: [N (1 unbatched), C, dims] values in [0, 1) that place the windows; default drawn with rand. */
  randomSamples?: Tensor | null;
}
const FRACTIONAL_ARGS = ["outputSize", "outputRatio", "returnIndices", "randomSamples"] as const;
type FractionalArg<T> = T | FractionalMaxPoolOptions;
type FractionalMaxPoolFn = {
  (x: Tensor, kernel: Size, options: FractionalMaxPoolOptions & { returnIndices: true }): [output: Tensor, indices: Tensor];
  (x: Tensor, kernel: Size, options?: FractionalMaxPoolOptions & { returnIndices?: false }): Tensor;
  (
    x: Tensor,
    kernel: Size,
    outputSize?: FractionalArg<Size | null>,
    outputRatio?: FractionalArg<number | readonly number[] | null>,
    returnIndices?: FractionalArg<boolean>,
    randomSamples?: FractionalArg<Tensor | null>,
  ): Tensor | [output: Tensor, indices: Tensor];
};

/** Fractional max pooling (Graham 2014) over the last n dims, as F.fractional_max_pool{2,3}d. */
function fractionalMaxPool(n: 2 | 3, x: Tensor, kernel: Size, args: unknown[]): Tensor | [output: Tensor, indices: Tensor] {
  const op = `fractionalMaxPool${n}d`;
  checkTensor(op, "input", x);
  const o = optArgs<FractionalMaxPoolOptions>(op, FRACTIONAL_ARGS, args);
  if (x.ndim !== n + 1 && x.ndim !== n + 2) argError(op, `input must have rank ${n + 1} or ${n + 2}, got [${x.shape.join(", ")}]`);
  if (!isFloating(x.dtype)) argError(op, `input must be floating point, got ${x.dtype}`);
  const k = checkTuple(op, "kernelSize", kernel, n, 1, CAP);
  const spatial = x.shape.slice(-n);
  let out: number[];
  if (o.outputSize != null) out = checkTuple(op, "outputSize", o.outputSize, n, 0, CAP);
  else if (o.outputRatio != null) {
    const r = typeof o.outputRatio === "number" ? new Array<number>(n).fill(o.outputRatio) : o.outputRatio;
    if (!Array.isArray(r) || r.length !== n || !r.every((v) => typeof v === "number" && v > 0 && v < 1))
      argError(op, `outputRatio must be a number or ${n} numbers in (0, 1), got ${show(o.outputRatio)}`);
    out = spatial.map((s, i) => Math.trunc(s * r[i]!));
  } else argError(op, "give outputSize or outputRatio");
  out.forEach((v, i) => {
    if (v + k[i]! - 1 > spatial[i]!)
      argError(op, `kernel ${k[i]} is too large for output size ${v} from input size ${spatial[i]} (needs output + kernel − 1 ≤ input)`);
  });
  const returnIndices = o.returnIndices ?? false;
  if (typeof returnIndices !== "boolean") argError(op, `returnIndices must be a boolean, got ${show(returnIndices)}`);
  const batch = x.ndim === n + 2 ? x.shape[0]! : 1;
  const channels = x.shape[x.ndim - n - 1]!;
  const given = o.randomSamples ?? null;
  if (given !== null) {
    checkTensor(op, "randomSamples", given);
    if (given.dtype !== x.dtype || given.shape.join() !== [batch, channels, n].join())
      argError(op, `randomSamples must be ${x.dtype} [${batch}, ${channels}, ${n}], got ${show(given)}`);
    // Samples outside [0, 1) (or NaN) place windows outside the input: libtorch reads out of bounds.
    if (given.numel > 0) {
      const [lo, hi] = tidy(() => [Number(given.min().item()), Number(given.max().item())]);
      if (!(lo >= 0 && hi < 1)) argError(op, `randomSamples must lie in [0, 1), found [${lo}, ${hi}]`);
    }
  }
  return tidy(() => {
    // Drawn as PyTorch draws them, so the same seed places the same windows.
    const samples = given ?? rand([batch, channels, n], { dtype: x.dtype });
    const [y, indices] = callTs(aten(`fractional_max_pool${n}d`), x, k, out, samples) as [Tensor, Tensor];
    return returnIndices ? [y, indices] : y;
  });
}
export const fractionalMaxPool2d = ((x: Tensor, kernel: Size, ...args: unknown[]) =>
  fractionalMaxPool(2, x, kernel, args)) as FractionalMaxPoolFn;
export const fractionalMaxPool3d = ((x: Tensor, kernel: Size, ...args: unknown[]) =>
  fractionalMaxPool(3, x, kernel, args)) as FractionalMaxPoolFn;
/** F.fractional_max_pool{2,3}d_with_indices: `[output, indices]` (PyTorch's plain tuple). */
export const fractionalMaxPool2dWithIndices = (x: Tensor, kernel: Size, options: Omit<FractionalMaxPoolOptions, "returnIndices"> = {}) =>
  fractionalMaxPool2d(x, kernel, { ...optionsOf("fractionalMaxPool2d", options), returnIndices: true });
export const fractionalMaxPool3dWithIndices = (x: Tensor, kernel: Size, options: Omit<FractionalMaxPoolOptions, "returnIndices"> = {}) =>
  fractionalMaxPool3d(x, kernel, { ...optionsOf("fractionalMaxPool3d", options), returnIndices: true });
