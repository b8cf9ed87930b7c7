// Depth figures for the demo report: a rendered scene's left view beside its true depth and
// each model's depth, every map on the truth's colour range (magma, near bright), so a
// prediction's colours read as the truth's. A stereo model's disparity is shown as the depth
// it implies (Z = f·B/d); a non-positive disparity has no depth and is drawn black.
import { colourise, robustRange } from "./colormap.js";

export interface DepthPanel {
  /** z-depth per pixel, [H·W] */
  depth: ArrayLike<number>;
  caption: string;
}

/** Depth from disparity: f·B/d, +∞ where d ≤ 0. */
export function depthOfDisparity(disparity: ArrayLike<number>, focalTimesBaseline: number): Float32Array {
  return Float32Array.from(disparity, (d) => (d > 0 ? focalTimesBaseline / d : Number.POSITIVE_INFINITY));
}

/** One row of a figure: the left view ([3, H, W] uint8), the true depth, then each panel; images [3, H, W]. */
export function depthFigureRow(
  left: Uint8Array,
  truth: ArrayLike<number>,
  panels: readonly DepthPanel[],
  height: number,
  width: number,
): { image: Uint8Array; caption: string }[] {
  // Near bright: the ramp runs over −depth, on the truth's 2nd–98th percentile.
  const near = (d: ArrayLike<number>) => Float32Array.from(d, (v) => -v);
  const t = near(truth);
  const [lo, hi] = robustRange(t);
  return [
    { image: left, caption: "left view" },
    { image: colourise(t, height, width, lo, hi), caption: "true depth" },
    ...panels.map((p) => ({ image: colourise(near(p.depth), height, width, lo, hi), caption: p.caption })),
  ];
}
