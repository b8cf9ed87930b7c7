// Layers that move or resample elements: PixelShuffle / PixelUnshuffle, ChannelShuffle,
// Upsample, Fold / Unfold, and the distance layers CosineSimilarity / PairwiseDistance.
import { argError } from "../core/errors.js";
import type { Tensor } from "../core/index.js";
import { cosineSimilarity, pixelShuffle, pixelUnshuffle } from "../core/ops/nn.js";
import { checkInt } from "../core/validate.js";
import {
  channelShuffle,
  fold,
  type InterpolateMode,
  interpolate,
  pairwiseDistance,
  type UnfoldOptions,
  unfold,
} from "./functional-spatial.js";
import { Module, pyFloat } from "./module.js";

type Size = number | readonly number[];
const pyTuple = (v: Size): string => (typeof v === "number" ? String(v) : `(${v.join(", ")}${v.length === 1 ? "," : ""})`);

/** [*, C·r², H, W] → [*, C, H·r, W·r]. */
export class PixelShuffle extends Module {
  readonly upscaleFactor: number;
  constructor(upscaleFactor: number) {
    super();
    this.upscaleFactor = checkInt("PixelShuffle", "upscaleFactor", upscaleFactor, 1, 64);
  }
  forward(x: Tensor): Tensor {
    return pixelShuffle(x, this.upscaleFactor);
  }
  override extraRepr(): string {
    return `upscale_factor=${this.upscaleFactor}`;
  }
}
/** [*, C, H·r, W·r] → [*, C·r², H, W]. */
export class PixelUnshuffle extends Module {
  readonly downscaleFactor: number;
  constructor(downscaleFactor: number) {
    super();
    this.downscaleFactor = checkInt("PixelUnshuffle", "downscaleFactor", downscaleFactor, 1, 64);
  }
  forward(x: Tensor): Tensor {
    return pixelUnshuffle(x, this.downscaleFactor);
  }
  override extraRepr(): string {
    return `downscale_factor=${this.downscaleFactor}`;
  }
}
export class ChannelShuffle extends Module {
  readonly groups: number;
  constructor(groups: number) {
    super();
    this.groups = checkInt("ChannelShuffle", "groups", groups, 1);
  }
  forward(x: Tensor): Tensor {
    return channelShuffle(x, this.groups);
  }
  override extraRepr(): string {
    return `groups=${this.groups}`;
  }
}

export interface UpsampleOptions {
  size?: Size;
  scaleFactor?: number | readonly number[];
  mode?: InterpolateMode;
  alignCorners?: boolean;
  recomputeScaleFactor?: boolean;
}
/** Resizes the spatial dims (F.interpolate as a layer). */
export class Upsample extends Module {
  readonly options: Readonly<UpsampleOptions>;
  constructor(o: UpsampleOptions) {
    super();
    if (o === null || typeof o !== "object" || (o.size === undefined) === (o.scaleFactor === undefined))
      argError(this.constructor.name, "give exactly one of size and scaleFactor");
    this.options = { ...o };
  }
  forward(x: Tensor): Tensor {
    return interpolate(x, this.options);
  }
  override extraRepr(): string {
    const o = this.options;
    const sf = o.scaleFactor;
    const info =
      sf !== undefined
        ? `scale_factor=${typeof sf === "number" ? pyFloat(sf) : `(${sf.map(pyFloat).join(", ")})`}`
        : `size=${pyTuple(o.size!)}`;
    return `${info}, mode=${o.mode ?? "nearest"}`;
  }
}
/** Nearest-neighbour upsampling of [N, C, H, W]. */
export class UpsamplingNearest2d extends Upsample {
  constructor(o: { size?: Size; scaleFactor?: number | readonly number[] }) {
    super({ ...o, mode: "nearest" });
  }
}
/** Bilinear upsampling of [N, C, H, W] with aligned corners (as PyTorch's). */
export class UpsamplingBilinear2d extends Upsample {
  constructor(o: { size?: Size; scaleFactor?: number | readonly number[] }) {
    super({ ...o, mode: "bilinear", alignCorners: true });
  }
}

/** Extracts sliding blocks: [N, C, H, W] → [N, C·kh·kw, L]. */
export class Unfold extends Module {
  readonly kernelSize: Size;
  readonly options: Readonly<UnfoldOptions>;
  constructor(kernelSize: Size, o: UnfoldOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.options = { ...o };
  }
  forward(x: Tensor): Tensor {
    return unfold(x, this.kernelSize, this.options);
  }
  override extraRepr(): string {
    const o = this.options;
    return `kernel_size=${pyTuple(this.kernelSize)}, dilation=${pyTuple(o.dilation ?? 1)}, padding=${pyTuple(o.padding ?? 0)}, stride=${pyTuple(o.stride ?? 1)}`;
  }
}
/** Sums blocks back: [N, C·kh·kw, L] → [N, C, outputSize…]. */
export class Fold extends Module {
  readonly outputSize: Size;
  readonly kernelSize: Size;
  readonly options: Readonly<UnfoldOptions>;
  constructor(outputSize: Size, kernelSize: Size, o: UnfoldOptions = {}) {
    super();
    this.outputSize = outputSize;
    this.kernelSize = kernelSize;
    this.options = { ...o };
  }
  forward(x: Tensor): Tensor {
    return fold(x, this.outputSize, this.kernelSize, this.options);
  }
  override extraRepr(): string {
    const o = this.options;
    return `output_size=${pyTuple(this.outputSize)}, kernel_size=${pyTuple(this.kernelSize)}, dilation=${pyTuple(o.dilation ?? 1)}, padding=${pyTuple(o.padding ?? 0)}, stride=${pyTuple(o.stride ?? 1)}`;
  }
}

export class CosineSimilarity extends Module {
  readonly dim: number;
  readonly eps: number;
  constructor(o: { dim?: number; eps?: number } = {}) {
    super();
    this.dim = o.dim ?? 1;
    this.eps = o.eps ?? 1e-8;
  }
  forward(x1: Tensor, x2: Tensor): Tensor {
    return cosineSimilarity(x1, x2, this.dim, this.eps);
  }
}
export class PairwiseDistance extends Module {
  readonly norm: number;
  readonly eps: number;
  readonly keepdim: boolean;
  constructor(o: { p?: number; eps?: number; keepdim?: boolean } = {}) {
    super();
    this.norm = o.p ?? 2;
    this.eps = o.eps ?? 1e-6;
    this.keepdim = o.keepdim ?? false;
  }
  forward(x1: Tensor, x2: Tensor): Tensor {
    return pairwiseDistance(x1, x2, { p: this.norm, eps: this.eps, keepdim: this.keepdim });
  }
}
