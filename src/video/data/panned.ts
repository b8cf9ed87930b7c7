// Windows of K frames made from one still photo: a camera panning over it by a random velocity
// and, optionally, an elliptical cut-out of the photo crossing the frames at its own velocity.
// At low resolution the panned frames are sub-pixel shifts of one scene, the signal multi-frame
// super-resolution uses; the moving cut-out adds local motion and occlusion, as people and cars
// bring to real footage, so that a model also learns where its neighbours do not line up.
import { FlambeauError } from "../../core/errors.js";
import { arange, stack, type Tensor } from "../../core/index.js";
import { where } from "../../core/ops/elementwise.js";
import { pad } from "../../core/ops/shape.js";
import type { Random } from "../../data/random.js";

export interface PanOptions {
  /** Side of the square crops, px. */
  patch: number;
  /** The largest drift of the camera, px per frame (each axis uniform in ±panSpeed; offsets rounded to whole px). */
  panSpeed: number;
  /** The largest speed of the moving cut-out, px per frame (0: none). */
  objectSpeed?: number;
}

/** The moving cut-out's side is uniform in [OBJECT_MIN, OBJECT_MAX] px. */
const OBJECT_MIN = 12;
const OBJECT_MAX = 32;

/** The smallest photo side a window of `k` frames can pan over. */
export const panMargin = (k: number, o: PanOptions): number => o.patch + 2 * Math.ceil(o.panSpeed * (k >> 1));

/** A window [K, C, patch, patch] panned over `photo` ([C, H, W], any dtype), frame K/2 in the middle of the drift. */
export function pannedWindow(photo: Tensor, k: number, rng: Random, o: PanOptions): Tensor {
  const [h, w] = [photo.shape[1]!, photo.shape[2]!];
  if (Math.min(h, w) < panMargin(k, o))
    throw new FlambeauError(
      "E_SHAPE",
      `pannedWindow: a ${h}×${w} photo is too small for ${k} frames of ${o.patch} px panned at up to ${o.panSpeed} px a frame (needs ${panMargin(k, o)} px a side)`,
    );
  const r = k >> 1;
  const [vx, vy] = [(2 * rng.nextFloat() - 1) * o.panSpeed, (2 * rng.nextFloat() - 1) * o.panSpeed];
  const m = Math.ceil(o.panSpeed * r);
  const [y0, x0] = [m + rng.int(h - o.patch - 2 * m + 1), m + rng.int(w - o.patch - 2 * m + 1)];
  const frames = Array.from({ length: k }, (_, i) =>
    photo.narrow(1, y0 + Math.round(vy * (i - r)), o.patch).narrow(2, x0 + Math.round(vx * (i - r)), o.patch),
  );
  return stack(o.objectSpeed ? withMovingObject(frames, photo, rng, o.patch, o.objectSpeed) : frames);
}

/** The frames with an elliptical cut-out of `photo` crossing them at up to `speed` px a frame (kept inside the crop). */
function withMovingObject(frames: Tensor[], photo: Tensor, rng: Random, patch: number, speed: number): Tensor[] {
  const r = frames.length >> 1;
  const side = Math.min(patch, OBJECT_MIN + rng.int(OBJECT_MAX - OBJECT_MIN + 1));
  const [vx, vy] = [(2 * rng.nextFloat() - 1) * speed, (2 * rng.nextFloat() - 1) * speed];
  const [py, px] = [rng.int(photo.shape[1]! - side + 1), rng.int(photo.shape[2]! - side + 1)];
  const object = photo.narrow(1, py, side).narrow(2, px, side);
  // An ellipse whose semi-axes are 60–100 % of the half side.
  const c = (side - 1) / 2;
  const axis = arange(side, undefined, 1, { dtype: "float32" })
    .sub(c)
    .div(c + 0.5)
    .square();
  const [ay, ax] = [0.6 + 0.4 * rng.nextFloat(), 0.6 + 0.4 * rng.nextFloat()];
  const mask = axis
    .div(ay * ay)
    .view([side, 1])
    .add(axis.div(ax * ax).view([1, side]))
    .le(1)
    .unsqueeze(0);
  const [cy, cx] = [rng.int(patch - side + 1), rng.int(patch - side + 1)];
  const inside = (v: number) => Math.min(patch - side, Math.max(0, v));
  return frames.map((f, i) => {
    const [y, x] = [inside(cy + Math.round(vy * (i - r))), inside(cx + Math.round(vx * (i - r)))];
    const place = (t: Tensor) => pad(t, [x, patch - side - x, y, patch - side - y]);
    return where(place(mask), place(object), f);
  });
}
