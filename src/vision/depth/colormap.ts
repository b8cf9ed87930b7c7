// Depth and disparity maps as colour images: near is bright (yellow), far is dark (purple),
// on the "magma" ramp; unknown pixels (non-finite) are black.
import { magma } from "../../tasks/colour-map.js";

/** uint8 [3, H, W] of `values` mapped linearly from [lo, hi] onto the ramp (hi brightest). */
export function colourise(values: ArrayLike<number>, height: number, width: number, lo: number, hi: number): Uint8Array {
  const out = new Uint8Array(3 * height * width);
  const plane = height * width;
  const span = hi > lo ? hi - lo : 1;
  for (let i = 0; i < plane; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    const rgb = magma((v - lo) / span);
    for (let c = 0; c < 3; c++) out[c * plane + i] = Math.round(rgb[c]!);
  }
  return out;
}

/** The 2nd and 98th percentiles of the finite values (a robust colour range). */
export function robustRange(values: ArrayLike<number>): [number, number] {
  const v = Array.from(values)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (v.length === 0) return [0, 1];
  return [v[Math.floor(0.02 * (v.length - 1))]!, v[Math.ceil(0.98 * (v.length - 1))]!];
}
