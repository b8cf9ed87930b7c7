// Histograms of oriented gradients (Dalal & Triggs 2005), the hand-made image feature of
// the shallow baselines, computed on the engine for a whole batch at once. The recipe is
// scikit-image's `feature.hog` (central differences, the strongest channel per pixel,
// unsigned orientations binned without interpolation, cell means, overlapping blocks
// normalised with L2-Hys), so the numbers equal `skimage.feature.hog` for the same options.

import { aten } from "../../core/aten.js";
import { callT } from "../../core/dispatch.js";
import { FlambeauError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import { tidy } from "../../core/memory.js";
import { avgPool2d } from "../../core/ops/nn.js";

export interface HogOptions {
  /** Orientation bins over [0°, 180°); default 9. */
  orientations?: number;
  /** Cell size in pixels (rows, columns); default [8, 8]. */
  pixelsPerCell?: readonly [number, number];
  /** Block size in cells; default [3, 3] (scikit-image's default). */
  cellsPerBlock?: readonly [number, number];
  blockNorm?: "L1" | "L1-sqrt" | "L2" | "L2-Hys";
}

const EPS = 1e-5;

/** Central differences with zero borders, as scikit-image computes them. */
function gradients(x: Tensor): { gRow: Tensor; gCol: Tensor } {
  const [, , h, w] = x.shape as [number, number, number, number];
  const gRow = callT(aten("constant_pad_nd"), x.narrow(2, 2, h - 2).sub(x.narrow(2, 0, h - 2)), [0, 0, 1, 1], 0);
  const gCol = callT(aten("constant_pad_nd"), x.narrow(3, 2, w - 2).sub(x.narrow(3, 0, w - 2)), [1, 1, 0, 0], 0);
  return { gRow, gCol };
}

function normalizeBlocks(b: Tensor, method: NonNullable<HogOptions["blockNorm"]>): Tensor {
  const dims = [-3, -2, -1];
  const l2 = (v: Tensor) =>
    v.div(
      v
        .square()
        .sum({ dim: dims, keepdim: true })
        .add(EPS * EPS)
        .sqrt(),
    );
  switch (method) {
    case "L1":
      return b.div(b.abs().sum({ dim: dims, keepdim: true }).add(EPS));
    case "L1-sqrt":
      return b.div(b.abs().sum({ dim: dims, keepdim: true }).add(EPS)).sqrt();
    case "L2":
      return l2(b);
    case "L2-Hys":
      return l2(l2(b).clamp(null, 0.2));
  }
}

/**
 * HOG descriptors of a batch of images: [B, C, H, W] (any float range; uint8 is scaled to
 * [0, 1]) → [B, F] float32, F = blocksRow · blocksCol · cellsPerBlock² · orientations, in
 * scikit-image's order.
 */
export function hog(images: Tensor, o: HogOptions = {}): Tensor {
  const bins = o.orientations ?? 9;
  const [cr, cc] = o.pixelsPerCell ?? [8, 8];
  const [br, bc] = o.cellsPerBlock ?? [3, 3];
  const method = o.blockNorm ?? "L2-Hys";
  if (images.ndim !== 4) throw new FlambeauError("E_SHAPE", `hog: expected images [B, C, H, W], got shape [${images.shape.join(", ")}]`);
  const [, , h, w] = images.shape as [number, number, number, number];
  for (const [name, v] of [
    ["orientations", bins],
    ["pixelsPerCell", cr],
    ["pixelsPerCell", cc],
    ["cellsPerBlock", br],
    ["cellsPerBlock", bc],
  ] as const)
    if (!Number.isSafeInteger(v) || v < 1) throw new FlambeauError("E_ARG", `hog: ${name} must be a positive integer, got ${v}`);
  const cellsRow = Math.floor(h / cr);
  const cellsCol = Math.floor(w / cc);
  if (h < 3 || w < 3 || cellsRow < br || cellsCol < bc)
    throw new FlambeauError(
      "E_SHAPE",
      `hog: ${h}×${w} images hold ${cellsRow}×${cellsCol} cells of ${cr}×${cc} px, fewer than one block of ${br}×${bc} cells`,
    );
  return tidy(() => {
    // In float64 throughout the gradient: diagonal and axis-aligned gradients land exactly on
    // bin edges, and float32 rounding would move some of them into the neighbouring bin.
    const x = images.dtype === "uint8" ? images.double().div(255) : images.double();
    const { gRow: gr, gCol: gc } = gradients(x);
    // Per pixel, the channel with the largest gradient magnitude speaks for the pixel.
    const magAll = callT(aten("hypot"), gr, gc);
    const pick = magAll.argmax(1, true);
    const gRow = gr.gather(1, pick).squeeze(1);
    const gCol = gc.gather(1, pick).squeeze(1);
    const mag = magAll.gather(1, pick).squeeze(1);
    const degrees = callT(aten("atan2"), gRow, gCol)
      .mul(180 / Math.PI)
      .remainder(180);
    const bin = degrees
      .div(180 / bins)
      .floor()
      .clamp(0, bins - 1)
      .long();
    const votes = callT(aten("one_hot"), bin, bins).double().mul(mag.unsqueeze(-1)).permute([0, 3, 1, 2]);
    const cells = avgPool2d(votes.narrow(2, 0, cellsRow * cr).narrow(3, 0, cellsCol * cc), [cr, cc]);
    // [B, bins, Hc, Wc] → overlapping blocks [B, Hb, Wb, br, bc, bins]
    const blocks = callT(aten("unfold"), callT(aten("unfold"), cells.permute([0, 2, 3, 1]), 1, br, 1), 2, bc, 1).permute([
      0, 1, 2, 4, 5, 3,
    ]);
    return normalizeBlocks(blocks.contiguous(), method).flatten(1).float();
  });
}
