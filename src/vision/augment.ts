// Batch augmentation on the engine: one affine-grid resample per batch instead of a loop
// over images. Shifts are whole pixels with nearest sampling, so pixels are moved, not blurred.
import { aten } from "../core/aten.js";
import { callT } from "../core/dispatch.js";
import { argError } from "../core/errors.js";
import { noGrad, ones, randint, stack, type Tensor, tidy, zeros } from "../core/index.js";

const AFFINE_GRID = aten("affine_grid_generator");
const GRID_SAMPLER = aten("grid_sampler_2d");
const NEAREST = 1;
const BORDER = 1;

export interface TranslateOptions {
  /** Largest shift in pixels along each axis. */
  maxShift: number;
  /** Mirror left-right with probability 0.5 (not for digits or text). */
  hflip?: boolean;
}

/** Shifts each image of a float batch [B, C, H, W] by its own random whole-pixel offset (edges replicated). */
export function randomTranslate(x: Tensor, o: TranslateOptions): Tensor {
  if (x.ndim !== 4) argError("randomTranslate", `expects [B, C, H, W], got [${x.shape.join(", ")}]`);
  const [b, , h, w] = x.shape as [number, number, number, number];
  const s = Math.floor(o.maxShift);
  if (s <= 0 && !o.hflip) return x.clone();
  return noGrad(() =>
    tidy(() => {
      const zero = zeros([b]);
      const one = ones([b]);
      const dx =
        s > 0
          ? randint(-s, s + 1, [b])
              .float()
              .mul(2 / w)
          : zero;
      const dy =
        s > 0
          ? randint(-s, s + 1, [b])
              .float()
              .mul(2 / h)
          : zero;
      const sx = o.hflip ? randint(0, 2, [b]).float().mul(-2).add(1) : one;
      // theta: per-image 2×3 affine map from output to input coordinates.
      const theta = stack([stack([sx, zero, dx], 1), stack([zero, one, dy], 1)], 1);
      const grid = callT(AFFINE_GRID, theta, [b, x.shape[1]!, h, w], false);
      return callT(GRID_SAMPLER, x.float(), grid, NEAREST, BORDER, false);
    }),
  );
}
