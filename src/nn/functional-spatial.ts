// Spatial and lookup functions of torch.nn.functional without a core wrapper: oneHot,
// gridSample / affineGrid, unfold / fold (im2col / col2im), interpolate in all of PyTorch's
// modes, distances, channelShuffle and embeddingBag.
import { aten } from "../core/aten.js";
import { callT, callTs } from "../core/dispatch.js";
import { argError } from "../core/errors.js";
import { arange, type Tensor, tidy } from "../core/index.js";
import { checkEnum, checkInt, checkOptTensor, checkTensor, checkTuple, optArgs, optionsOf, show } from "../core/validate.js";

const CAP = 2 ** 20;
type Size = number | readonly number[];

const ONE_HOT = aten("one_hot");
/** [..., numClasses] one-hot rows for int64 class indices (numClasses −1: max + 1). */
export function oneHot(x: Tensor, numClasses?: number | { numClasses?: number }): Tensor {
  checkTensor("oneHot", "input", x);
  numClasses = optArgs<{ numClasses?: number }>("oneHot", ["numClasses"], [numClasses]).numClasses ?? -1;
  if (x.dtype !== "int64") argError("oneHot", `input must be an int64 tensor of class indices, got ${x.dtype}`);
  checkInt("oneHot", "numClasses", numClasses, -1, CAP);
  return callT(ONE_HOT, x, numClasses);
}

export interface GridSampleOptions {
  mode?: "bilinear" | "nearest" | "bicubic";
  paddingMode?: "zeros" | "border" | "reflection";
  alignCorners?: boolean;
}
const GRID_SAMPLER = aten("grid_sampler");
/** Samples `input` [N, C, H, W] (or [N, C, D, H, W]) at the normalised coordinates of `grid` [N, H', W', 2]. */
export function gridSample(input: Tensor, grid: Tensor, o: GridSampleOptions = {}): Tensor {
  const op = "gridSample";
  checkTensor(op, "input", input);
  checkTensor(op, "grid", grid);
  o = optionsOf(op, o);
  const mode = checkEnum(op, "mode", o.mode ?? "bilinear", ["bilinear", "nearest", "bicubic"]);
  const pm = checkEnum(op, "paddingMode", o.paddingMode ?? "zeros", ["zeros", "border", "reflection"]);
  const n = input.ndim - 2;
  if (n !== 2 && n !== 3) argError(op, `input must be 4-D or 5-D, got [${input.shape.join(", ")}]`);
  if (grid.ndim !== input.ndim || grid.shape[grid.ndim - 1] !== n || grid.shape[0] !== input.shape[0])
    argError(
      op,
      `grid must be [${input.shape[0]}, …, ${n}] of rank ${input.ndim} for input [${input.shape.join(", ")}], got [${grid.shape.join(", ")}]`,
    );
  if (mode === "bicubic" && n !== 2) argError(op, "mode 'bicubic' needs 4-D input");
  const modes = { bilinear: 0, nearest: 1, bicubic: 2 };
  const pads = { zeros: 0, border: 1, reflection: 2 };
  return callT(GRID_SAMPLER, input, grid, modes[mode], pads[pm], o.alignCorners ?? false);
}

const AFFINE_GRID = aten("affine_grid_generator");
/** The sampling grid [N, H, W, 2] (or [N, D, H, W, 3]) of affine maps `theta` [N, 2, 3] (or [N, 3, 4]). */
export function affineGrid(theta: Tensor, size: readonly number[], alignCorners = false): Tensor {
  const op = "affineGrid";
  checkTensor(op, "theta", theta);
  if (theta.dtype !== "float32" && theta.dtype !== "float64") argError(op, `theta must be floating point, got ${theta.dtype}`);
  if (!Array.isArray(size) || (size.length !== 4 && size.length !== 5))
    argError(op, `size must be [N, C, H, W] or [N, C, D, H, W], got ${show(size)}`);
  for (const s of size) checkInt(op, "size", s, 1, CAP);
  const want = size.length === 4 ? [size[0], 2, 3] : [size[0], 3, 4];
  if (theta.ndim !== 3 || theta.shape.some((d, i) => d !== want[i]))
    argError(op, `theta must be [${want.join(", ")}] for size [${size.join(", ")}], got [${theta.shape.join(", ")}]`);
  return callT(AFFINE_GRID, theta, size, alignCorners);
}

export interface UnfoldOptions {
  dilation?: Size;
  padding?: Size;
  stride?: Size;
}
function foldArgs(op: string, kernelSize: Size, o: UnfoldOptions) {
  o = optionsOf(op, o);
  return {
    k: checkTuple(op, "kernelSize", kernelSize, 2, 1, CAP),
    d: checkTuple(op, "dilation", o.dilation ?? 1, 2, 1, CAP),
    p: checkTuple(op, "padding", o.padding ?? 0, 2, 0, CAP),
    s: checkTuple(op, "stride", o.stride ?? 1, 2, 1, CAP),
  };
}
const IM2COL = aten("im2col");
const COL2IM = aten("col2im");
/** Sliding local blocks of [N, C, H, W] as columns [N, C·kh·kw, L]. */
const UNFOLD_ARGS = ["dilation", "padding", "stride"] as const;
/** F.unfold: dilation, padding and stride positionally (PyTorch's order) or in the options. */
export function unfold(
  x: Tensor,
  kernelSize: Size,
  dilation?: Size | UnfoldOptions,
  padding?: Size | UnfoldOptions,
  stride?: Size | UnfoldOptions,
): Tensor {
  checkTensor("unfold", "input", x);
  if (x.ndim !== 3 && x.ndim !== 4) argError("unfold", `input must be [N, C, H, W] or [C, H, W], got [${x.shape.join(", ")}]`);
  const o = optArgs<UnfoldOptions>("unfold", UNFOLD_ARGS, [dilation, padding, stride]);
  const { k, d, p, s } = foldArgs("unfold", kernelSize, o);
  return callT(IM2COL, x, k, d, p, s);
}
/** Sums columns [N, C·kh·kw, L] back into [N, C, outputSize…] (the adjoint of unfold). */
/** F.fold: dilation, padding and stride positionally (PyTorch's order) or in the options. */
export function fold(
  x: Tensor,
  outputSize: Size,
  kernelSize: Size,
  dilation?: Size | UnfoldOptions,
  padding?: Size | UnfoldOptions,
  stride?: Size | UnfoldOptions,
): Tensor {
  checkTensor("fold", "input", x);
  const o = optArgs<UnfoldOptions>("fold", UNFOLD_ARGS, [dilation, padding, stride]);
  if (x.ndim !== 2 && x.ndim !== 3) argError("fold", `input must be [N, C·kh·kw, L] or [C·kh·kw, L], got [${x.shape.join(", ")}]`);
  const out = checkTuple("fold", "outputSize", outputSize, 2, 1, CAP);
  const { k, d, p, s } = foldArgs("fold", kernelSize, o);
  return callT(COL2IM, x, out, k, d, p, s);
}

export type InterpolateMode = "nearest" | "nearest-exact" | "linear" | "bilinear" | "bicubic" | "trilinear" | "area";
export interface InterpolateOptions {
  size?: Size | null;
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  /** Align the corner pixels (linear modes only; default false). */
  alignCorners?: boolean | null;
  /** Compute the output size from scaleFactor and use it alone (default false; always for 'area'). */
  recomputeScaleFactor?: boolean | null;
  /** Anti-aliased downsampling (bilinear and bicubic only). */
  antialias?: boolean;
}
const RESIZE: Record<string, readonly (string | null)[]> = {
  nearest: ["upsample_nearest1d.vec", "upsample_nearest2d.vec", "upsample_nearest3d.vec"],
  "nearest-exact": ["_upsample_nearest_exact1d.vec", "_upsample_nearest_exact2d.vec", "_upsample_nearest_exact3d.vec"],
  area: ["adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d"],
  linear: ["upsample_linear1d.vec", null, null],
  bilinear: [null, "upsample_bilinear2d.vec", null],
  bicubic: [null, "upsample_bicubic2d.vec", null],
  trilinear: [null, null, "upsample_trilinear3d.vec"],
};
/** Resizes the spatial dims of [N, C, L], [N, C, H, W] or [N, C, D, H, W] input, as F.interpolate. */
const INTERPOLATE_ARGS = ["size", "scaleFactor", "mode", "alignCorners", "recomputeScaleFactor", "antialias"] as const;
type InterpolateArg<T> = T | InterpolateOptions;
export function interpolate(
  x: Tensor,
  size?: InterpolateArg<Size | null>,
  scaleFactor?: InterpolateArg<number | readonly number[] | null>,
  mode?: InterpolateArg<InterpolateMode>,
  alignCorners?: InterpolateArg<boolean | null>,
  recomputeScaleFactor?: InterpolateArg<boolean | null>,
  antialias?: InterpolateArg<boolean>,
): Tensor {
  const op = "interpolate";
  checkTensor(op, "input", x);
  const o = optArgs<InterpolateOptions>(op, INTERPOLATE_ARGS, [size, scaleFactor, mode, alignCorners, recomputeScaleFactor, antialias]);
  const n = x.ndim - 2;
  if (n < 1 || n > 3) argError(op, `input must be 3-D, 4-D or 5-D, got [${x.shape.join(", ")}]`);
  const m = checkEnum(op, "mode", o.mode ?? "nearest", ["nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area"]);
  const interpolating = m !== "nearest" && m !== "nearest-exact" && m !== "area";
  if (!interpolating && o.alignCorners != null)
    argError(op, "alignCorners can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear");
  if ((o.size == null) === (o.scaleFactor == null)) argError(op, "give exactly one of size and scaleFactor");
  let outSize: number[] | null = null;
  let scales: number[] | null = null;
  if (o.size != null) {
    if (o.recomputeScaleFactor) argError(op, "recomputeScaleFactor is not meaningful with an explicit size");
    outSize = checkTuple(op, "size", o.size, n, 1, CAP);
  } else {
    const sf = o.scaleFactor;
    if (typeof sf !== "number" && !Array.isArray(sf)) argError(op, `scaleFactor must be a number or an array, got ${show(sf)}`);
    scales = typeof sf === "number" ? new Array<number>(n).fill(sf) : [...(sf as number[])];
    if (scales.length !== n) argError(op, `scaleFactor needs ${n} values for input [${x.shape.join(", ")}], got ${show(sf)}`);
    scales.forEach((s, i) => {
      if (typeof s !== "number" || !(s > 0) || !Number.isFinite(s) || x.shape[i + 2]! * s > CAP)
        argError(op, `bad scaleFactor ${show(s)}: must be positive and keep each size under 2^20`);
    });
    if (m === "area" || o.recomputeScaleFactor) {
      outSize = scales.map((s, i) => Math.floor(x.shape[i + 2]! * s));
      scales = null;
    }
  }
  if (o.antialias && !((m === "bilinear" || m === "bicubic") && n === 2))
    argError(op, "antialias is only supported for bilinear and bicubic modes on 4-D input");
  let name = RESIZE[m]![n - 1];
  if (!name) argError(op, `mode '${m}' needs ${m === "linear" ? 3 : m === "trilinear" ? 5 : 4}-D input, got [${x.shape.join(", ")}]`);
  if (m === "area") return callT(aten(name), x, outSize);
  if (!interpolating) return callT(aten(name), x, outSize, scales);
  if (o.antialias) name = m === "bilinear" ? "_upsample_bilinear2d_aa.vec" : "_upsample_bicubic2d_aa.vec";
  return callT(aten(name), x, outSize, o.alignCorners ?? false, scales);
}
/** F.upsample (deprecated in PyTorch for interpolate, which it calls). */
export const upsample = interpolate;

export interface UpsampleOptions {
  size?: Size | null;
  scaleFactor?: number | readonly number[] | null;
}
function upsampleAs(op: string, mode: "nearest" | "bilinear", x: Tensor, args: unknown[]): Tensor {
  checkTensor(op, "input", x);
  const o = optArgs<UpsampleOptions>(op, ["size", "scaleFactor"], args);
  if (mode === "bilinear" && x.ndim !== 4) argError(op, `input must be 4-D [N, C, H, W], got [${x.shape.join(", ")}]`);
  return interpolate(x, { size: o.size, scaleFactor: o.scaleFactor, mode, ...(mode === "bilinear" ? { alignCorners: true } : {}) });
}
/** F.upsample_nearest (deprecated in PyTorch): interpolate with mode "nearest". */
export const upsampleNearest = (
  x: Tensor,
  size?: Size | null | UpsampleOptions,
  scaleFactor?: number | readonly number[] | null | UpsampleOptions,
): Tensor => upsampleAs("upsampleNearest", "nearest", x, [size, scaleFactor]);
/** F.upsample_bilinear (deprecated in PyTorch): interpolate of [N, C, H, W] with mode "bilinear" and alignCorners. */
export const upsampleBilinear = (
  x: Tensor,
  size?: Size | null | UpsampleOptions,
  scaleFactor?: number | readonly number[] | null | UpsampleOptions,
): Tensor => upsampleAs("upsampleBilinear", "bilinear", x, [size, scaleFactor]);

const PAIRWISE_DISTANCE = aten("pairwise_distance");
/** ‖x1 − x2 + eps‖ₚ along the last dim. */
export function pairwiseDistance(x1: Tensor, x2: Tensor, o: { p?: number; eps?: number; keepdim?: boolean } = {}): Tensor {
  o = optionsOf("pairwiseDistance", o);
  return callT(PAIRWISE_DISTANCE, x1, x2, o.p ?? 2, o.eps ?? 1e-6, o.keepdim ?? false);
}
const PDIST = aten("pdist");
/** The p-norm distance between every pair of rows of [N, M], as a condensed [N(N−1)/2] vector. */
export function pdist(x: Tensor, p?: number | { p?: number }): Tensor {
  checkTensor("pdist", "input", x);
  p = optArgs<{ p?: number }>("pdist", ["p"], [p]).p ?? 2;
  if (x.ndim !== 2) argError("pdist", `input must be 2-D, got [${x.shape.join(", ")}]`);
  if (typeof p !== "number" || !(p >= 0)) argError("pdist", `p must be ≥ 0, got ${show(p)}`);
  return callT(PDIST, x, p);
}
/**
 * Interleaves the channels of [N, C, …] from `groups` groups. Built from views (ATen's
 * channel_shuffle has no derivative in 1.13), so the values are PyTorch's and gradients flow.
 */
export function channelShuffle(x: Tensor, groups: number): Tensor {
  checkTensor("channelShuffle", "input", x);
  checkInt("channelShuffle", "groups", groups, 1, CAP);
  if (x.ndim < 3 || x.shape[1]! % groups !== 0)
    argError("channelShuffle", `input [${x.shape.join(", ")}] must be [N, C, …] with C divisible by groups ${groups}`);
  const [n, c, ...rest] = x.shape as number[];
  return tidy(() =>
    x
      .reshape([n!, groups, c! / groups, ...rest])
      .transpose(1, 2)
      .reshape(x.shape),
  );
}

export interface EmbeddingBagOptions {
  /** Start of each bag in 1-D `input` (int64); must be left out for 2-D input (one bag per row). */
  offsets?: Tensor | null;
  /** How a bag's vectors are reduced (default 'mean'). */
  mode?: "sum" | "mean" | "max";
  /** A weight per index, same shape as input ('sum' mode only). */
  perSampleWeights?: Tensor | null;
  /** offsets has one more entry, the end of the last bag (default false). */
  includeLastOffset?: boolean;
  /** This row contributes nothing to its bag. */
  paddingIdx?: number | null;
  scaleGradByFreq?: boolean;
}
const EMBEDDING_BAG = aten("embedding_bag");
// This overload wraps a padding index of −1 to the last row, so it is used only for a given index.
const EMBEDDING_BAG_PADDING = aten("embedding_bag.padding_idx");
/** Sums, means or maxes the embedding rows of each bag of indices, without materialising them. */
export function embeddingBag(input: Tensor, weight: Tensor, o: EmbeddingBagOptions = {}): Tensor {
  const op = "embeddingBag";
  checkTensor(op, "input", input);
  checkTensor(op, "weight", weight);
  o = optionsOf(op, o);
  if (weight.ndim !== 2) argError(op, `weight must be 2-D, got [${weight.shape.join(", ")}]`);
  if (input.dtype !== "int64" && input.dtype !== "int32") argError(op, `input must hold int64 or int32 indices, got ${input.dtype}`);
  const mode = checkEnum(op, "mode", o.mode ?? "mean", ["sum", "mean", "max"]);
  const psw = checkOptTensor(op, "perSampleWeights", o.perSampleWeights);
  if (psw && psw.shape.join() !== input.shape.join())
    argError(op, `perSampleWeights [${psw.shape.join(", ")}] must have input's shape [${input.shape.join(", ")}]`);
  if (psw && mode !== "sum") argError(op, `perSampleWeights is only supported for mode 'sum', got mode '${mode}'`);
  if (mode === "max" && o.scaleGradByFreq) argError(op, "scaleGradByFreq is not supported with mode 'max'");
  const n = weight.shape[0]!;
  const pi = o.paddingIdx == null ? null : checkInt(op, "paddingIdx", o.paddingIdx, -n, n - 1);
  const paddingIdx = pi === null ? null : pi < 0 ? pi + n : pi;
  const includeLast = o.includeLastOffset ?? false;
  return tidy(() => {
    let idx = input;
    let offsets = checkOptTensor(op, "offsets", o.offsets);
    let w = psw;
    if (input.ndim === 2) {
      if (offsets) argError(op, "offsets must be left out for 2-D input (each row is a bag)");
      offsets = arange(0, input.numel, Math.max(input.shape[1]!, 1), { dtype: input.dtype });
      idx = input.reshape([-1]);
      if (w) w = w.reshape([-1]);
    } else if (input.ndim === 1) {
      if (!offsets) argError(op, "1-D input needs offsets, a 1-D tensor of bag starts");
      if (offsets.ndim !== 1 || offsets.dtype !== input.dtype)
        argError(op, `offsets must be 1-D with input's dtype ${input.dtype}, got ${offsets.dtype}[${offsets.shape.join(", ")}]`);
      const starts = Array.from(offsets.data() as ArrayLike<number | bigint>, Number);
      if (starts.length > 0 && starts[0] !== 0) argError(op, `offsets[0] must be 0, got ${starts[0]}`);
      for (let i = 1; i < starts.length; i++)
        if (starts[i]! < starts[i - 1]! || starts[i]! > input.numel)
          argError(op, `offsets must be non-decreasing and at most ${input.numel}, got ${show(starts)}`);
    } else argError(op, `input must be 1-D (with offsets) or 2-D, got [${input.shape.join(", ")}]`);
    if (idx.numel > 0) {
      const lo = idx.min().item();
      const hi = idx.max().item();
      if (lo < 0 || hi >= n) argError(op, `indices must be in [0, ${n - 1}], found range [${lo}, ${hi}]`);
    }
    const modes = { sum: 0, mean: 1, max: 2 };
    const args = [weight, idx, offsets, o.scaleGradByFreq ?? false, modes[mode], false, w, includeLast];
    return (paddingIdx === null ? callTs(EMBEDDING_BAG, ...args) : callTs(EMBEDDING_BAG_PADDING, ...args, paddingIdx))[0]!;
  });
}
