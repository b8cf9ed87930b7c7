// Image transforms take one image [C, H, W] or a batch [N, C, H, W]; these helpers lift
// either to a batch and back, and name the transform in shape errors.
import { argError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";

export interface Batched {
  x: Tensor;
  /** Undoes the lift: drops the batch dim again when the input had none. */
  back: (y: Tensor) => Tensor;
}

export function asBatch(op: string, x: Tensor): Batched {
  if (x.ndim === 3) return { x: x.unsqueeze(0), back: (y) => y.squeeze(0) };
  if (x.ndim === 4) return { x, back: (y) => y };
  return argError(op, `expects an image [C, H, W] or a batch [N, C, H, W], got [${x.shape.join(", ")}]`);
}

/** [height, width] of an image [C, H, W] or a batch [N, C, H, W], checked without making tensors. */
export function imageSize(op: string, x: Tensor): [number, number] {
  if (x.ndim !== 3 && x.ndim !== 4) argError(op, `expects an image [C, H, W] or a batch [N, C, H, W], got [${x.shape.join(", ")}]`);
  return heightWidth(x);
}

export const heightWidth = (x: Tensor): [number, number] => [x.shape[x.ndim - 2]!, x.shape[x.ndim - 1]!];

/** Runs `f` on float pixels; uint8 input comes back rounded and clamped to uint8, as torchvision does. */
export function onFloat(x: Tensor, f: (x: Tensor) => Tensor): Tensor {
  if (x.dtype !== "uint8") return f(x.dtype === "float32" || x.dtype === "float64" ? x : x.float());
  return f(x.float()).round().clamp(0, 255).to("uint8");
}
