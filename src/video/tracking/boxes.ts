// Boxes as trackers see them: [x, y, w, h] in pixels (COCO's convention, as the clips and the
// detector report them), their IoU, and SORT's measurement z = [cx, cy, s, r] (centre, area,
// aspect ratio w / h) with its inverse.
import { FlambeauError } from "../../core/errors.js";

export type Box = [number, number, number, number];

/** Refuses a box that is not four finite numbers with positive width and height. */
export function checkBox(op: string, b: readonly number[]): void {
  if (b.length !== 4 || !b.every(Number.isFinite) || !(b[2]! > 0) || !(b[3]! > 0))
    throw new FlambeauError("E_ARG", `${op}: a box is [x, y, w, h] with finite values and w, h > 0, got [${b.join(", ")}]`, op);
}

/** Intersection over union of two [x, y, w, h] boxes (0 when either is empty): the scenes' own. */
export { boxIou as iou } from "../../vision/scenes/metrics.js";

/** [x, y, w, h] → SORT's [cx, cy, s = w·h, r = w / h]. */
export function boxToZ(b: readonly number[]): number[] {
  const [x, y, w, h] = b as Box;
  return [x + w / 2, y + h / 2, w * h, w / h];
}

/** SORT's [cx, cy, s, r] → [x, y, w, h] (w = √(s·r), h = s / w; a non-positive area gives a zero box). */
export function zToBox(z: readonly number[]): Box {
  const [cx, cy, s, r] = z as [number, number, number, number];
  const w = s > 0 && r > 0 ? Math.sqrt(s * r) : 0;
  const h = w > 0 ? s / w : 0;
  return [cx - w / 2, cy - h / 2, w, h];
}
