// Per-channel intensity histograms: the colour half of the classic image features
// (Swain & Ballard's colour indexing), normalised to frequencies so image size drops out.

import { aten } from "../../core/aten.js";
import { callT } from "../../core/dispatch.js";
import { FlambeauError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import { tidy } from "../../core/memory.js";

/** [B, C, H, W] uint8 (or floats in [0, 1]) → [B, C · bins] float32 frequencies. */
export function colorHistogram(images: Tensor, bins = 16): Tensor {
  if (images.ndim !== 4)
    throw new FlambeauError("E_SHAPE", `colorHistogram: expected images [B, C, H, W], got shape [${images.shape.join(", ")}]`);
  if (!Number.isSafeInteger(bins) || bins < 1 || bins > 256)
    throw new FlambeauError("E_ARG", `colorHistogram: bins must be an integer in [1, 256], got ${bins}`);
  const [b, c, h, w] = images.shape as [number, number, number, number];
  return tidy(() => {
    const x = images.dtype === "uint8" ? images.float().div(256) : images.float().clamp(0, 1 - 1e-7);
    const bin = x
      .mul(bins)
      .floor()
      .long()
      .view([b, c, h * w]);
    const counts = callT(aten("one_hot"), bin, bins).float().sum({ dim: 2 });
    return counts.div(h * w).view([b, c * bins]);
  });
}
