// Depth and disparity maps as colour images: near is bright (yellow), far is dark (purple),
// on a perceptually ordered ramp sampled from matplotlib's "magma"-like anchors; unknown
// pixels (non-finite) are black.

const ANCHORS: readonly [number, number, number][] = [
  [0, 0, 4],
  [59, 15, 112],
  [140, 41, 129],
  [222, 73, 104],
  [254, 159, 109],
  [252, 253, 191],
];

/** uint8 [3, H, W] of `values` mapped linearly from [lo, hi] onto the ramp (hi brightest). */
export function colourise(values: ArrayLike<number>, height: number, width: number, lo: number, hi: number): Uint8Array {
  const out = new Uint8Array(3 * height * width);
  const plane = height * width;
  const span = hi > lo ? hi - lo : 1;
  for (let i = 0; i < plane; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    const t = Math.max(0, Math.min(1, (v - lo) / span)) * (ANCHORS.length - 1);
    const k = Math.min(ANCHORS.length - 2, Math.floor(t));
    const f = t - k;
    for (let c = 0; c < 3; c++) out[c * plane + i] = Math.round(ANCHORS[k]![c]! * (1 - f) + ANCHORS[k + 1]![c]! * f);
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
