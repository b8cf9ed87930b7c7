// Appearance crops for the embedding: a box of a uint8 [3, H, W] frame resampled bilinearly
// to a fixed square (the box clipped to the frame; an empty box gives a black crop).
import { checkBox } from "./boxes.js";

/** uint8 [3, side, side] crop of `box` ([x, y, w, h]) from a [3, h, w] frame. */
export function cropBox(frame: Uint8Array, h: number, w: number, box: readonly number[], side: number): Uint8Array {
  checkBox("cropBox", box);
  const out = new Uint8Array(3 * side * side);
  const [bx, by, bw, bh] = box as [number, number, number, number];
  const hw = h * w;
  for (let v = 0; v < side; v++) {
    // Sample centres of the side × side grid, in frame pixels (clamped inside the frame).
    const y = Math.min(h - 1, Math.max(0, by + ((v + 0.5) * bh) / side - 0.5));
    const y0 = Math.floor(y);
    const y1 = Math.min(h - 1, y0 + 1);
    const fy = y - y0;
    for (let u = 0; u < side; u++) {
      const x = Math.min(w - 1, Math.max(0, bx + ((u + 0.5) * bw) / side - 0.5));
      const x0 = Math.floor(x);
      const x1 = Math.min(w - 1, x0 + 1);
      const fx = x - x0;
      for (let c = 0; c < 3; c++) {
        const p = c * hw;
        const top = frame[p + y0 * w + x0]! * (1 - fx) + frame[p + y0 * w + x1]! * fx;
        const bot = frame[p + y1 * w + x0]! * (1 - fx) + frame[p + y1 * w + x1]! * fx;
        out[c * side * side + v * side + u] = Math.round(top * (1 - fy) + bot * fy);
      }
    }
  }
  return out;
}
