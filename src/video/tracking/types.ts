// What every tracker here reads and writes, one frame at a time.
import { FlambeauError } from "../../core/errors.js";
import type { Box } from "./boxes.js";

export interface Detection {
  /** [x, y, w, h] in pixels; w, h > 0. */
  box: Box;
  score?: number;
  /** Unit-length appearance embedding (DeepSORT). */
  embedding?: Float32Array;
}

export interface TrackedBox {
  /** Track identity, 1, 2, … in order of birth. */
  id: number;
  box: Box;
}

export interface Tracker {
  /** Consumes one frame's detections; returns the tracks reported for that frame. */
  update(detections: readonly Detection[]): TrackedBox[];
}

/** Refuses options that are not integers (or numbers) in range, for the trackers' constructors. */
export function checkRange(op: string, name: string, v: number, lo: number, hi: number, integer: boolean): void {
  if (!Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v)))
    throw new FlambeauError("E_ARG", `${op}: ${name} must be ${integer ? "an integer" : "a number"} in [${lo}, ${hi}], got ${v}`, op);
}
