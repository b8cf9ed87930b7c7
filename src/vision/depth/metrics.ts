// Depth and disparity metrics, accumulated over pixels with valid ground truth (finite, > 0;
// Middlebury marks unknown disparities with inf). Monocular (Eigen et al. 2014): AbsRel =
// mean |d̂ − d| / d, RMSE = √mean (d̂ − d)², δ<1.25 = share of pixels with max(d̂/d, d/d̂) < 1.25.
// Stereo: end-point error = mean |d̂ − d| in px, bad-2.0 = % of pixels with |d̂ − d| > 2 px.
import { argError } from "../../core/errors.js";

const validGt = (g: number) => Number.isFinite(g) && g > 0;

function checkLengths(op: string, pred: ArrayLike<number>, gt: ArrayLike<number>): void {
  if (pred.length !== gt.length) argError(op, `prediction has ${pred.length} pixels, ground truth ${gt.length}`);
}

export class DepthMeter {
  private n = 0;
  private absRel = 0;
  private sq = 0;
  private delta1 = 0;
  /** Adds one image's (or batch's) depths; a non-positive prediction counts as an infinite ratio. */
  add(pred: ArrayLike<number>, gt: ArrayLike<number>): void {
    checkLengths("DepthMeter", pred, gt);
    for (let i = 0; i < gt.length; i++) {
      const g = gt[i]!;
      if (!validGt(g)) continue;
      const p = pred[i]!;
      this.n++;
      this.absRel += Math.abs(p - g) / g;
      this.sq += (p - g) ** 2;
      if (p > 0 && Math.max(p / g, g / p) < 1.25) this.delta1++;
    }
  }
  get pixels(): number {
    return this.n;
  }
  result(): { absRel: number; rmse: number; delta1: number; pixels: number } {
    const n = this.n || Number.NaN;
    return { absRel: this.absRel / n, rmse: Math.sqrt(this.sq / n), delta1: this.delta1 / n, pixels: this.n };
  }
}

export class DisparityMeter {
  private n = 0;
  private err = 0;
  private bad = 0;
  constructor(readonly threshold = 2) {}
  add(pred: ArrayLike<number>, gt: ArrayLike<number>): void {
    checkLengths("DisparityMeter", pred, gt);
    for (let i = 0; i < gt.length; i++) {
      const g = gt[i]!;
      if (!validGt(g)) continue;
      const e = Math.abs(pred[i]! - g);
      this.n++;
      this.err += e;
      if (e > this.threshold) this.bad++;
    }
  }
  get pixels(): number {
    return this.n;
  }
  /** epe in px; bad as a percentage (bad-2.0 with the default threshold). */
  result(): { epe: number; bad: number; pixels: number } {
    const n = this.n || Number.NaN;
    return { epe: this.err / n, bad: (100 * this.bad) / n, pixels: this.n };
  }
}

/** AbsRel, RMSE and δ<1.25 of one prediction. */
export function depthMetrics(pred: ArrayLike<number>, gt: ArrayLike<number>) {
  const m = new DepthMeter();
  m.add(pred, gt);
  return m.result();
}

/** End-point error and bad-`threshold` (%) of one prediction. */
export function disparityMetrics(pred: ArrayLike<number>, gt: ArrayLike<number>, threshold = 2) {
  const m = new DisparityMeter(threshold);
  m.add(pred, gt);
  return m.result();
}
