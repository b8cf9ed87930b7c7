// The "magma" colour map (matplotlib's perceptually ordered ramp, a few stops interpolated
// linearly) for pictures of a scalar field: spectrograms, depth and disparity maps.

const MAGMA: readonly (readonly [number, number, number])[] = [
  [0, 0, 4],
  [59, 15, 112],
  [140, 41, 129],
  [222, 73, 104],
  [254, 159, 109],
  [252, 253, 191],
];

/** The colour at t ∈ [0, 1] (clamped), 0 black-purple to 1 pale yellow, as unrounded RGB. */
export function magma(t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, t)) * (MAGMA.length - 1);
  const i = Math.min(MAGMA.length - 2, Math.floor(x));
  const f = x - i;
  const a = MAGMA[i]!;
  const b = MAGMA[i + 1]!;
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}
