// The functional ops layers are built on: linear, convolution, pooling, normalisation,
// dropout, embedding, resizing, softmax. Conv/pool parameters are checked here because
// libtorch 1.13 crashes on some huge or zero values instead of raising.

import { aten } from "../aten.js";
import { callT, callTs, isMkldnnArg } from "../dispatch.js";
import { argError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import {
  checkEnum,
  checkInt,
  checkNumber,
  checkOptTensor,
  checkShape,
  checkTensor,
  checkTuple,
  normDim,
  optArgs,
  optionsOf,
  rankOf,
  show,
} from "../validate.js";
import { type AdaptiveSize, adaptiveSize, type DropoutArg, dropoutArgs, PARAM_CAP } from "./nn-args.js";

const LINEAR = aten("linear");
/** oneDNN's inner product lost to the dense kernel for one row ([1, 3136] × 128: 0.09 against 0.02 ms) and for small weights. */
const DENSE_LINEAR_BELOW = 16_384;
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (isMkldnnArg(x) && (x.numel === x.shape[x.ndim - 1] || weight.numel < DENSE_LINEAR_BELOW)) {
    const dense = x.toDense();
    try {
      return callT(LINEAR, dense, weight, bias ?? null);
    } finally {
      dense.dispose();
    }
  }
  return callT(LINEAR, x, weight, bias ?? null);
}
const BILINEAR = aten("bilinear");
export const bilinear = (x1: Tensor, x2: Tensor, weight: Tensor, bias?: Tensor | null): Tensor =>
  callT(BILINEAR, x1, x2, weight, bias ?? null);

export interface ConvOptions {
  stride?: number | readonly number[];
  padding?: number | readonly number[] | "same" | "valid";
  dilation?: number | readonly number[];
  groups?: number;
}

function convArgs(op: string, x: Tensor, w: Tensor, n: number, o: ConvOptions, transposed: boolean) {
  checkTensor(op, "input", x);
  checkTensor(op, "weight", w);
  if (x.ndim !== n + 2 && x.ndim !== n + 1) argError(op, `input must have rank ${n + 1} or ${n + 2}, got shape [${x.shape.join(", ")}]`);
  if (w.ndim !== n + 2) argError(op, `weight must have rank ${n + 2}, got shape [${w.shape.join(", ")}]`);
  const stride = checkTuple(op, "stride", o.stride ?? 1, n, 1, PARAM_CAP);
  const dilation = checkTuple(op, "dilation", o.dilation ?? 1, n, 1, PARAM_CAP);
  const groups = checkInt(op, "groups", o.groups ?? 1, 1, PARAM_CAP);
  const cin = x.shape[x.ndim - n - 1]!;
  const expected = transposed ? w.shape[0]! : w.shape[1]! * groups;
  if (cin !== expected)
    argError(op, `input has ${cin} channels but weight [${w.shape.join(", ")}] with groups=${groups} expects ${expected}`);
  if (!transposed && w.shape[0]! % groups !== 0) argError(op, `out channels ${w.shape[0]} not divisible by groups ${groups}`);
  for (let i = 0; i < n; i++) checkInt(op, "kernel size", w.shape[i + 2], 1, PARAM_CAP);
  return { stride, dilation, groups };
}

function convNd(n: 1 | 2 | 3, x: Tensor, w: Tensor, bias: Tensor | null | undefined, o: ConvOptions): Tensor {
  const op = `conv${n}d`;
  o = optionsOf(op, o);
  const { stride, dilation, groups } = convArgs(op, x, w, n, o, false);
  const p = o.padding ?? 0;
  if (typeof p === "string") {
    checkEnum(op, "padding", p, ["same", "valid"]);
    if (p === "same" && stride.some((s) => s !== 1)) argError(op, "padding='same' requires stride 1");
    return callT(aten(`conv${n}d.padding`), x, w, bias ?? null, stride, p, dilation, groups);
  }
  const padding = checkTuple(op, "padding", p, n, 0, PARAM_CAP);
  return callT(aten(`conv${n}d`), x, w, bias ?? null, stride, padding, dilation, groups);
}
export const conv1d = (x: Tensor, w: Tensor, bias?: Tensor | null, o: ConvOptions = {}): Tensor => convNd(1, x, w, bias, o);
export const conv2d = (x: Tensor, w: Tensor, bias?: Tensor | null, o: ConvOptions = {}): Tensor => convNd(2, x, w, bias, o);
export const conv3d = (x: Tensor, w: Tensor, bias?: Tensor | null, o: ConvOptions = {}): Tensor => convNd(3, x, w, bias, o);

export interface ConvTransposeOptions {
  stride?: number | readonly number[];
  padding?: number | readonly number[];
  outputPadding?: number | readonly number[];
  dilation?: number | readonly number[];
  groups?: number;
}
function convTransposeNd(n: 1 | 2, x: Tensor, w: Tensor, bias: Tensor | null | undefined, o: ConvTransposeOptions): Tensor {
  const op = `convTranspose${n}d`;
  o = optionsOf(op, o);
  const { stride, dilation, groups } = convArgs(op, x, w, n, { ...o, padding: 0 }, true);
  const padding = checkTuple(op, "padding", o.padding ?? 0, n, 0, PARAM_CAP);
  const outputPadding = checkTuple(op, "outputPadding", o.outputPadding ?? 0, n, 0, PARAM_CAP);
  for (let i = 0; i < n; i++)
    if (outputPadding[i]! >= Math.max(stride[i]!, dilation[i]!))
      argError(op, `outputPadding ${outputPadding[i]} must be smaller than stride or dilation`);
  const name = n === 1 ? "conv_transpose1d" : "conv_transpose2d.input";
  return callT(aten(name), x, w, bias ?? null, stride, padding, outputPadding, groups, dilation);
}
export const convTranspose1d = (x: Tensor, w: Tensor, bias?: Tensor | null, o: ConvTransposeOptions = {}): Tensor =>
  convTransposeNd(1, x, w, bias, o);
export const convTranspose2d = (x: Tensor, w: Tensor, bias?: Tensor | null, o: ConvTransposeOptions = {}): Tensor =>
  convTransposeNd(2, x, w, bias, o);

export interface PoolOptions {
  stride?: number | readonly number[];
  padding?: number | readonly number[];
  dilation?: number | readonly number[];
  ceilMode?: boolean;
}
function poolArgs(op: string, x: Tensor, n: number, kernel: number | readonly number[], o: PoolOptions) {
  checkTensor(op, "input", x);
  o = optionsOf(op, o);
  if (x.ndim !== n + 1 && x.ndim !== n + 2) argError(op, `input must have rank ${n + 1} or ${n + 2}, got [${x.shape.join(", ")}]`);
  const k = checkTuple(op, "kernelSize", kernel, n, 1, PARAM_CAP);
  // PyTorch reads a missing stride (None or []) as the kernel size.
  const stride = o.stride == null || (Array.isArray(o.stride) && o.stride.length === 0) ? k : o.stride;
  const s = checkTuple(op, "stride", single(stride), n, 1, PARAM_CAP);
  const p = checkTuple(op, "padding", single(o.padding ?? 0), n, 0, PARAM_CAP);
  const d = checkTuple(op, "dilation", o.dilation ?? 1, n, 1, PARAM_CAP);
  for (let i = 0; i < n; i++) {
    if (p[i]! * 2 > k[i]!) argError(op, `padding ${p[i]} must be at most half the kernel size ${k[i]}`);
    const size = x.shape[x.ndim - n + i]!;
    if (size + 2 * p[i]! < d[i]! * (k[i]! - 1) + 1)
      argError(op, `kernel ${k[i]} (dilation ${d[i]}) is larger than the padded input size ${size + 2 * p[i]!}`);
  }
  return { k, s, p, d, ceilMode: checkBool(op, "ceilMode", o.ceilMode ?? false) };
}
/** ATen reads a one-element list as that value in every dim. */
const single = (v: number | readonly number[]): number | readonly number[] => (Array.isArray(v) && v.length === 1 ? (v[0] as number) : v);
function checkBool(op: string, name: string, v: unknown): boolean {
  if (typeof v !== "boolean") argError(op, `${name} must be a boolean, got ${show(v)}`);
  return v;
}
export interface MaxPoolOptions extends PoolOptions {
  /** Also return the flat index of each maximum in its plane (for maxUnpool): `[output, indices]`, PyTorch's plain tuple. */
  returnIndices?: boolean;
}
type MaxPoolFn = {
  (x: Tensor, kernel: number | readonly number[], o: MaxPoolOptions & { returnIndices: true }): [output: Tensor, indices: Tensor];
  (x: Tensor, kernel: number | readonly number[], o?: MaxPoolOptions & { returnIndices?: false }): Tensor;
  (x: Tensor, kernel: number | readonly number[], o?: MaxPoolOptions): Tensor | [output: Tensor, indices: Tensor];
};
/** Max pooling over the last n dims: the output, or with returnIndices (or `withIndices`) `[output, indices]`. */
export function maxPoolNd(
  n: 1 | 2 | 3,
  x: Tensor,
  kernel: number | readonly number[],
  o: MaxPoolOptions | undefined,
  withIndices?: true,
): Tensor | [output: Tensor, indices: Tensor] {
  const op = `maxPool${n}d`;
  const { k, s, p, d, ceilMode } = poolArgs(op, x, n, kernel, o ?? {});
  if (!(withIndices ?? checkBool(op, "returnIndices", optionsOf(op, o).returnIndices ?? false)))
    return callT(aten(`max_pool${n}d`), x, k, s, p, d, ceilMode);
  return callTs(aten(`max_pool${n}d_with_indices`), x, k, s, p, d, ceilMode) as [Tensor, Tensor];
}
export const maxPool1d = ((x, kernel, o) => maxPoolNd(1, x, kernel, o)) as MaxPoolFn;
export const maxPool2d = ((x, kernel, o) => maxPoolNd(2, x, kernel, o)) as MaxPoolFn;
/** F.max_pool2d_with_indices: `[output, indices]`, PyTorch's plain tuple. */
export const maxPool2dWithIndices = (
  x: Tensor,
  kernel: number | readonly number[],
  o: PoolOptions = {},
): [output: Tensor, indices: Tensor] => maxPoolNd(2, x, kernel, o, true) as [Tensor, Tensor];
export interface AvgPoolOptions extends Omit<PoolOptions, "dilation"> {
  countIncludePad?: boolean;
}
export interface AvgPool2dOptions extends AvgPoolOptions {
  /** Divide by this instead of the window size. */
  divisorOverride?: number | null;
}
const AVG_POOL2D_ARGS = ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"] as const;
type AvgPool2dArg<T> = T | AvgPool2dOptions;
export function avgPool1d(x: Tensor, kernel: number | readonly number[], o: AvgPoolOptions = {}): Tensor {
  const { k, s, p, ceilMode } = poolArgs("avgPool1d", x, 1, kernel, o);
  return callT(aten("avg_pool1d"), x, k, s, p, ceilMode, optionsOf("avgPool1d", o).countIncludePad ?? true);
}
/** F.avg_pool2d: stride, padding, ceilMode, countIncludePad and divisorOverride positionally or in the options. */
export function avgPool2d(
  x: Tensor,
  kernel: number | readonly number[],
  stride?: AvgPool2dArg<number | readonly number[] | null>,
  padding?: AvgPool2dArg<number | readonly number[]>,
  ceilMode?: AvgPool2dArg<boolean>,
  countIncludePad?: AvgPool2dArg<boolean>,
  divisorOverride?: AvgPool2dArg<number | null>,
): Tensor {
  const o = optArgs<AvgPool2dOptions>("avgPool2d", AVG_POOL2D_ARGS, [stride, padding, ceilMode, countIncludePad, divisorOverride]);
  const { k, s, p, ceilMode: ceil } = poolArgs("avgPool2d", x, 2, kernel, o);
  const div = o.divisorOverride == null ? null : checkInt("avgPool2d", "divisorOverride", o.divisorOverride, -PARAM_CAP, PARAM_CAP);
  if (div === 0) argError("avgPool2d", "divisorOverride must not be 0");
  return callT(aten("avg_pool2d"), x, k, s, p, ceil, o.countIncludePad ?? true, div);
}
export const adaptiveAvgPool1d = (x: Tensor, size: AdaptiveSize): Tensor =>
  callT(aten("adaptive_avg_pool1d"), x, adaptiveSize("adaptiveAvgPool1d", x, 1, size));
export const adaptiveAvgPool2d = (x: Tensor, size: AdaptiveSize): Tensor =>
  callT(aten("adaptive_avg_pool2d"), x, adaptiveSize("adaptiveAvgPool2d", x, 2, size));
type AdaptiveMaxPoolFn = {
  (x: Tensor, size: AdaptiveSize, returnIndices: true | { returnIndices: true }): [output: Tensor, indices: Tensor];
  (x: Tensor, size: AdaptiveSize, returnIndices?: false | { returnIndices?: false }): Tensor;
  (x: Tensor, size: AdaptiveSize, returnIndices?: boolean | { returnIndices?: boolean }): Tensor | [output: Tensor, indices: Tensor];
};
/** Adaptive max pooling over the last n dims: the output, or with returnIndices `[output, indices]` (PyTorch's plain tuple). */
export function adaptiveMaxPoolNd(
  n: 1 | 2 | 3,
  x: Tensor,
  size: AdaptiveSize,
  returnIndices: boolean | { returnIndices?: boolean } | undefined,
): Tensor | [output: Tensor, indices: Tensor] {
  const op = `adaptiveMaxPool${n}d`;
  const ri = checkBool(
    op,
    "returnIndices",
    optArgs<{ returnIndices?: boolean }>(op, ["returnIndices"], [returnIndices]).returnIndices ?? false,
  );
  const [out, indices] = callTs(aten(`adaptive_max_pool${n}d`), x, adaptiveSize(op, x, n, size)) as [Tensor, Tensor];
  if (ri) return [out, indices];
  indices.dispose();
  return out;
}
export const adaptiveMaxPool2d = ((x, size, ri) => adaptiveMaxPoolNd(2, x, size, ri)) as AdaptiveMaxPoolFn;

const BATCH_NORM = aten("batch_norm");
export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}
const BATCH_NORM_ARGS = ["weight", "bias", "training", "momentum", "eps"] as const;
type BatchNormArg<T> = T | BatchNormOptions;
/** F.batch_norm: weight, bias, training, momentum and eps positionally (PyTorch's order) or in the options. */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight?: BatchNormArg<Tensor | null>,
  bias?: BatchNormArg<Tensor | null>,
  training?: BatchNormArg<boolean>,
  momentum?: BatchNormArg<number>,
  eps?: BatchNormArg<number>,
): Tensor {
  checkTensor("batchNorm", "input", x);
  const o = optArgs<BatchNormOptions>("batchNorm", BATCH_NORM_ARGS, [weight, bias, training, momentum, eps]);
  // PyTorch also normalises an empty 1-D input (zero channels: the statistics must be empty too).
  if (x.ndim < 2 && !(x.ndim === 1 && x.numel === 0))
    argError("batchNorm", `input must have rank >= 2 (or be empty and 1-D), got [${x.shape.join(", ")}]`);
  const c = x.ndim >= 2 ? x.shape[1]! : 0;
  for (const [name, t] of [
    ["runningMean", runningMean],
    ["runningVar", runningVar],
    ["weight", o.weight],
    ["bias", o.bias],
  ] as const) {
    // A short running_mean is read out of bounds by libtorch 1.13 instead of raising.
    if (checkOptTensor("batchNorm", name, t) && t && (t.ndim !== 1 || t.shape[0] !== c))
      argError("batchNorm", `${name} must have shape [${c}], got [${t.shape.join(", ")}]`);
  }
  const isTraining = o.training ?? false;
  if (!isTraining && (!runningMean || !runningVar)) argError("batchNorm", "running statistics are required when not training");
  return callT(
    BATCH_NORM,
    x,
    o.weight ?? null,
    o.bias ?? null,
    runningMean,
    runningVar,
    isTraining,
    o.momentum ?? 0.1,
    o.eps ?? 1e-5,
    false,
  );
}
const LAYER_NORM = aten("layer_norm");
export interface NormAffineOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}
type NormArg<T> = T | NormAffineOptions;
const NORM_ARGS = ["weight", "bias", "eps"] as const;
/** F.layer_norm: weight, bias and eps positionally or in the options. */
export function layerNorm(
  x: Tensor,
  normalizedShape: readonly number[],
  weight?: NormArg<Tensor | null>,
  bias?: NormArg<Tensor | null>,
  eps?: NormArg<number>,
): Tensor {
  checkShape("layerNorm", normalizedShape);
  const o = optArgs<NormAffineOptions>("layerNorm", NORM_ARGS, [weight, bias, eps]);
  return callT(LAYER_NORM, x, normalizedShape, o.weight ?? null, o.bias ?? null, checkNumber("layerNorm", "eps", o.eps ?? 1e-5), false);
}
const GROUP_NORM = aten("group_norm");
/** F.group_norm: weight, bias and eps positionally or in the options. */
export function groupNorm(
  x: Tensor,
  numGroups: number,
  weight?: NormArg<Tensor | null>,
  bias?: NormArg<Tensor | null>,
  eps?: NormArg<number>,
): Tensor {
  checkTensor("groupNorm", "input", x);
  const o = optArgs<NormAffineOptions>("groupNorm", NORM_ARGS, [weight, bias, eps]);
  checkInt("groupNorm", "numGroups", numGroups, 1);
  if (x.ndim < 2 || x.shape[1]! % numGroups !== 0)
    argError("groupNorm", `channels of [${x.shape.join(", ")}] must be divisible by numGroups ${numGroups}`);
  return callT(GROUP_NORM, x, numGroups, o.weight ?? null, o.bias ?? null, checkNumber("groupNorm", "eps", o.eps ?? 1e-5), false);
}

const DROPOUT = aten("dropout");

export type { AdaptiveSize, DropoutArg, DropoutOptions } from "./nn-args.js";
export function dropout(x: Tensor, p?: DropoutArg<number>, training?: DropoutArg<boolean>): Tensor {
  const a = dropoutArgs("dropout", p, training, true);
  return callT(DROPOUT, x, a.p, a.training);
}
const FEATURE_DROPOUT = aten("feature_dropout");
export function dropout2d(x: Tensor, p?: DropoutArg<number>, training?: DropoutArg<boolean>): Tensor {
  const a = dropoutArgs("dropout2d", p, training, true);
  return callT(FEATURE_DROPOUT, x, a.p, a.training);
}

const EMBEDDING = aten("embedding");
export function embedding(indices: Tensor, weight: Tensor, paddingIdx?: number | null): Tensor {
  if (rankOf("embedding", weight) !== 2) argError("embedding", `weight must be 2-D, got shape [${weight.shape.join(", ")}]`);
  const n = weight.shape[0]!;
  // As in PyTorch's Python wrapper: a negative paddingIdx counts from the end (ATen reads -1 as "none").
  const given = paddingIdx == null ? null : checkInt("embedding", "paddingIdx", paddingIdx, -n, n - 1);
  const p = given === null ? -1 : given < 0 ? given + n : given;
  return callT(EMBEDDING, weight, indices, p, false, false);
}

const SOFTMAX = aten("softmax.int");
const LOG_SOFTMAX = aten("log_softmax.int");
export const softmax = (x: Tensor, dim: number): Tensor => callT(SOFTMAX, x, normDim("softmax", dim, rankOf("softmax", x)), null);
export const logSoftmax = (x: Tensor, dim: number): Tensor =>
  callT(LOG_SOFTMAX, x, normDim("logSoftmax", dim, rankOf("logSoftmax", x)), null);
const GLU = aten("glu");
export const glu = (x: Tensor, dim = -1): Tensor => callT(GLU, x, normDim("glu", dim, rankOf("glu", x)));
const COSINE_SIMILARITY = aten("cosine_similarity");
export interface CosineSimilarityOptions {
  dim?: number;
  eps?: number;
}
/** Cosine similarity along `dim` (default 1); dim and eps positionally or in the options. */
export function cosineSimilarity(
  a: Tensor,
  b: Tensor,
  dim?: number | CosineSimilarityOptions,
  eps?: number | CosineSimilarityOptions,
): Tensor {
  const o = optArgs<CosineSimilarityOptions>("cosineSimilarity", ["dim", "eps"], [dim, eps]);
  return callT(
    COSINE_SIMILARITY,
    a,
    b,
    checkInt("cosineSimilarity", "dim", o.dim ?? 1),
    checkNumber("cosineSimilarity", "eps", o.eps ?? 1e-8),
  );
}
const PIXEL_SHUFFLE = aten("pixel_shuffle");
export const pixelShuffle = (x: Tensor, factor: number): Tensor =>
  callT(PIXEL_SHUFFLE, x, checkInt("pixelShuffle", "factor", factor, 1, 64));
const PIXEL_UNSHUFFLE = aten("pixel_unshuffle");
export const pixelUnshuffle = (x: Tensor, factor: number): Tensor =>
  callT(PIXEL_UNSHUFFLE, x, checkInt("pixelUnshuffle", "factor", factor, 1, 64));

export interface InterpolateOptions {
  size?: number | readonly number[];
  scaleFactor?: number | readonly number[];
  mode?: "nearest" | "bilinear" | "linear";
  alignCorners?: boolean;
}
/** Resizes the spatial dims of [N, C, L] (linear, nearest) or [N, C, H, W] (bilinear, nearest) input. */
export function interpolate(x: Tensor, o: InterpolateOptions): Tensor {
  const n = rankOf("interpolate", x) - 2;
  o = optionsOf("interpolate", o);
  if (n !== 1 && n !== 2) argError("interpolate", `input must be [N, C, L] or [N, C, H, W], got [${x.shape.join(", ")}]`);
  const mode = checkEnum("interpolate", "mode", o.mode ?? "nearest", ["nearest", "bilinear", "linear"]);
  if ((o.size === undefined) === (o.scaleFactor === undefined)) argError("interpolate", "give exactly one of size and scaleFactor");
  let size: number[] | null = null;
  let scales: number[] | null = null;
  if (o.size !== undefined) size = checkTuple("interpolate", "size", o.size, n, 1, 2 ** 20);
  else {
    if (typeof o.scaleFactor !== "number" && !Array.isArray(o.scaleFactor))
      argError("interpolate", `scaleFactor must be a number or an array, got ${show(o.scaleFactor)}`);
    scales = typeof o.scaleFactor === "number" ? new Array<number>(n).fill(o.scaleFactor) : [...(o.scaleFactor as number[])];
    if (scales.length !== n) argError("interpolate", `scaleFactor needs ${n} values`);
    for (let i = 0; i < n; i++) {
      const s = scales[i]!;
      if (typeof s !== "number" || !(s > 0) || !Number.isFinite(s) || x.shape[i + 2]! * s > 2 ** 20)
        argError("interpolate", `bad scaleFactor ${show(s)}: must be positive and keep each size under 2^20`);
    }
  }
  if (n === 1) {
    if (mode === "nearest") return callT(aten("upsample_nearest1d.vec"), x, size, scales);
    if (mode !== "linear") argError("interpolate", `mode '${mode}' needs 2 spatial dims`);
    return callT(aten("upsample_linear1d.vec"), x, size, o.alignCorners ?? false, scales);
  }
  if (mode === "nearest") return callT(aten("upsample_nearest2d.vec"), x, size, scales);
  if (mode !== "bilinear") argError("interpolate", `mode '${mode}' needs 1 spatial dim`);
  return callT(aten("upsample_bilinear2d.vec"), x, size, o.alignCorners ?? false, scales);
}
