// Pixel-value transforms: uint8 ↔ float, normalisation, and torchvision's colour
// adjustments (blends with black, the mean grey level, or the grey image; float in [0, 1]).
import { argError } from "../../core/errors.js";
import { type Tensor, tensor } from "../../core/index.js";
import { asBatch } from "./shape.js";

/** uint8 HWC (as decoders give) or CHW → float CHW in [0, 1]. */
export function toTensor(x: Tensor, o: { layout?: "HWC" | "CHW" } = {}): Tensor {
  if (x.ndim !== 3 && x.ndim !== 2) argError("toTensor", `expects an image [H, W, C], [C, H, W] or [H, W], got [${x.shape.join(", ")}]`);
  const img = x.ndim === 2 ? x.unsqueeze(0) : (o.layout ?? "HWC") === "HWC" ? x.permute([2, 0, 1]) : x;
  const f = img.contiguous().float();
  return x.dtype === "uint8" ? f.div(255) : f;
}

/** Float in [0, 1] → uint8 (rounded, clamped). */
export const toUint8 = (x: Tensor): Tensor => x.mul(255).round().clamp(0, 255).to("uint8");

/** (x − mean) / std per channel. */
export function normalize(x: Tensor, mean: readonly number[], std: readonly number[]): Tensor {
  const c = x.shape[x.ndim - 3];
  if (x.ndim < 3) argError("normalize", `expects [C, H, W] or [N, C, H, W], got [${x.shape.join(", ")}]`);
  if (mean.length !== c || std.length !== c)
    argError("normalize", `${c} channels need ${c} means and stds, got ${mean.length} and ${std.length}`);
  if (std.some((s) => s === 0)) argError("normalize", `std must not contain 0, got [${std.join(", ")}]`);
  const shape = [c, 1, 1];
  return x
    .float()
    .sub(tensor([...mean], { shape }))
    .div(tensor([...std], { shape }));
}

/** ITU-R 601-2 luma (torchvision's rgb_to_grayscale), keeping a channel dim of 1. */
export function rgbToGrayscale(x: Tensor): Tensor {
  const c = x.shape[x.ndim - 3];
  if (c === 1) return x;
  if (c !== 3) argError("rgbToGrayscale", `expects 1 or 3 channels, got ${c} in [${x.shape.join(", ")}]`);
  const [r, g, b] = x.split(1, -3) as [Tensor, Tensor, Tensor];
  return r.mul(0.2989).add(g.mul(0.587)).add(b.mul(0.114));
}

const blend = (a: Tensor, b: Tensor, ratio: number): Tensor =>
  a
    .mul(ratio)
    .add(b.mul(1 - ratio))
    .clamp(0, 1);
function checkFactor(op: string, f: number): number {
  if (!(f >= 0) || !Number.isFinite(f)) argError(op, `factor must be a finite number >= 0, got ${f}`);
  return f;
}

export const adjustBrightness = (x: Tensor, factor: number): Tensor => x.mul(checkFactor("adjustBrightness", factor)).clamp(0, 1);

export function adjustContrast(x: Tensor, factor: number): Tensor {
  checkFactor("adjustContrast", factor);
  const b = asBatch("adjustContrast", x);
  const mean = rgbToGrayscale(b.x).mean({ dim: [-3, -2, -1], keepdim: true });
  return b.back(blend(b.x, mean, factor));
}

export function adjustSaturation(x: Tensor, factor: number): Tensor {
  checkFactor("adjustSaturation", factor);
  if (x.shape[x.ndim - 3] === 1) return x;
  return blend(x, rgbToGrayscale(x), factor);
}
