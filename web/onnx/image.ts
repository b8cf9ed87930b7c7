// An image as the exported classifier's input, prepared as Flambeau's predict prepares one:
// stretched to size×size (sharp's fit "fill"), gray or RGB, values/255, minus mean, divided by
// std per channel, channels first. Only the resampling differs from libvips' (the browser's
// smoothing); an image already at the model's size passes through exactly.
import type { ImagePreprocessing } from "./model-info.js";

// Gray as libvips makes it from sRGB (sharp's toColourspace("b-w")): Rec. 709 luminance of the
// linear-light values, encoded back with the sRGB curve. A gray pixel (r = g = b) keeps its value.
const LINEAR = Float64Array.from({ length: 256 }, (_, v) => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
const toSrgb = (y: number) => 255 * (y <= 0.0031308 ? 12.92 * y : 1.055 * y ** (1 / 2.4) - 0.055);

/** RGBA pixels (size×size, row-major) → float32 [channels, size, size]. */
export function imageInput(rgba: Uint8ClampedArray, pre: ImagePreprocessing): Float32Array {
  const hw = pre.size * pre.size;
  if (rgba.length !== 4 * hw) throw new Error(`expected ${pre.size}×${pre.size} RGBA pixels, got ${rgba.length / 4}`);
  const out = new Float32Array(pre.channels * hw);
  for (let i = 0; i < hw; i++) {
    const [r, g, b] = [rgba[4 * i]!, rgba[4 * i + 1]!, rgba[4 * i + 2]!];
    if (pre.channels === 1) {
      const y = Math.round(toSrgb(0.2126 * LINEAR[r]! + 0.7152 * LINEAR[g]! + 0.0722 * LINEAR[b]!));
      out[i] = (y / 255 - pre.mean[0]!) / pre.std[0]!;
    } else [r, g, b].forEach((v, k) => (out[k * hw + i] = (v / 255 - pre.mean[k]!) / pre.std[k]!));
  }
  return out;
}

/** Draws a picture (any size) stretched onto a size×size canvas and returns its RGBA pixels. */
export function resizedPixels(src: CanvasImageSource, width: number, height: number, size: number): Uint8ClampedArray {
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  if (!ctx) throw new Error("this browser gives no 2D canvas");
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(src, 0, 0, width, height, 0, 0, size, size);
  return ctx.getImageData(0, 0, size, size).data;
}
