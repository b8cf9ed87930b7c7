// Resizing on ATen's upsample kernels (torchvision.transforms.functional.resize semantics:
// align_corners=False; antialias optional and used when shrinking photos).
import { aten } from "../../core/aten.js";
import { callT } from "../../core/dispatch.js";
import { argError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import { asBatch, heightWidth, onFloat } from "./shape.js";

export type Interpolation = "nearest" | "bilinear" | "bicubic";

export interface ResizeOptions {
  interpolation?: Interpolation;
  /** Low-pass filter when shrinking (bilinear/bicubic only), as PIL and torchvision's antialias=True. */
  antialias?: boolean;
}

const OPS = {
  nearest: aten("upsample_nearest2d.vec"),
  bilinear: aten("upsample_bilinear2d.vec"),
  bicubic: aten("upsample_bicubic2d.vec"),
  bilinearAA: aten("_upsample_bilinear2d_aa.vec"),
  bicubicAA: aten("_upsample_bicubic2d_aa.vec"),
};
const MAX_SIDE = 2 ** 15;

/** The output [height, width]: a number resizes the shorter side and keeps the aspect ratio. */
export function outputSize(h: number, w: number, size: number | readonly [number, number]): [number, number] {
  if (typeof size === "number") {
    if (!Number.isInteger(size) || size < 1 || size > MAX_SIDE)
      argError("resize", `size must be an integer in [1, ${MAX_SIDE}], got ${size}`);
    return h <= w ? [size, Math.max(1, Math.floor((size * w) / h))] : [Math.max(1, Math.floor((size * h) / w)), size];
  }
  if (!Array.isArray(size) || size.length !== 2 || size.some((s) => !Number.isInteger(s) || s < 1 || s > MAX_SIDE))
    argError("resize", `size must be a number or [height, width] of integers in [1, ${MAX_SIDE}], got ${JSON.stringify(size)}`);
  return [size[0], size[1]];
}

/** Resizes an image [C, H, W] or batch [N, C, H, W] (float or uint8). */
export function resize(x: Tensor, size: number | readonly [number, number], o: ResizeOptions = {}): Tensor {
  const mode = o.interpolation ?? "bilinear";
  if (!(mode in OPS) || mode.endsWith("AA"))
    argError("resize", `interpolation must be nearest, bilinear or bicubic, got ${JSON.stringify(mode)}`);
  const b = asBatch("resize", x);
  const [h, w] = heightWidth(x);
  const out = outputSize(h, w, size);
  if (h === 0 || w === 0) argError("resize", `cannot resize an empty image [${x.shape.join(", ")}]`);
  const op = o.antialias && mode !== "nearest" ? (mode === "bilinear" ? OPS.bilinearAA : OPS.bicubicAA) : OPS[mode];
  const y = onFloat(b.x, (f) => (mode === "nearest" ? callT(op, f, out, null) : callT(op, f, out, false, null)));
  return b.back(y);
}

/** Bicubic upscale by an integer factor (the baseline every super-resolution model must beat). */
export function upsampleBicubic(x: Tensor, scale: number): Tensor {
  if (scale === 1) return x;
  const [h, w] = heightWidth(x);
  return resize(x, [h * scale, w * scale], { interpolation: "bicubic" });
}

export class Resize {
  constructor(
    readonly size: number | readonly [number, number],
    readonly options: ResizeOptions = {},
  ) {}
  apply(x: Tensor): Tensor {
    return resize(x, this.size, this.options);
  }
  toString(): string {
    return `Resize(size=${JSON.stringify(this.size)}, interpolation=${this.options.interpolation ?? "bilinear"})`;
  }
}
