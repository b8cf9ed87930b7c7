// A single-object tracker for real footage: the object's grey-level template, found in each
// frame by normalised cross-correlation over a window around where SORT's Kalman filter
// predicts it, the filter corrected with the best match, and the template blended towards
// confident matches (slow drift instead of losing a changing object). The box keeps its
// first size. It needs no training, so it works on footage no model has seen.
import { FlambeauError } from "../../core/errors.js";
import { type Box, checkBox } from "./boxes.js";
import { KalmanBoxFilter } from "./kalman.js";

export interface TemplateTrackerOptions {
  /** Search radius as a fraction of the box's larger side (default 0.75). */
  search?: number;
  /** Weight of a confident match blended into the template (default 0.1). */
  adapt?: number;
  /** Correlation above which the template adapts (default 0.6). */
  confident?: number;
}

/** Grey levels of a uint8 [3, h, w] frame. */
function grey(frame: Uint8Array, h: number, w: number): Float32Array {
  const hw = h * w;
  if (frame.length !== 3 * hw)
    throw new FlambeauError("E_SHAPE", `TemplateTracker: a frame of ${frame.length} bytes is not [3, ${h}, ${w}]`);
  const g = new Float32Array(hw);
  for (let p = 0; p < hw; p++) g[p] = 0.299 * frame[p]! + 0.587 * frame[hw + p]! + 0.114 * frame[2 * hw + p]!;
  return g;
}

export class TemplateTracker {
  private kf: KalmanBoxFilter;
  private template: Float32Array | null = null;
  private box: Box;
  /** Template sampling step (px): large boxes are correlated on a sparser grid. */
  private step: number;
  private tw: number;
  private th: number;
  /** The last match's correlation (for callers that want to know when the object was lost). */
  score = 1;
  readonly o: Required<TemplateTrackerOptions>;

  constructor(box: readonly number[], o: TemplateTrackerOptions = {}) {
    checkBox("TemplateTracker", box);
    this.o = { search: o.search ?? 0.75, adapt: o.adapt ?? 0.1, confident: o.confident ?? 0.6 };
    this.box = [...box] as Box;
    this.kf = new KalmanBoxFilter(box);
    this.step = Math.max(1, Math.ceil(Math.max(box[2]!, box[3]!) / 32));
    this.tw = Math.max(2, Math.floor(box[2]! / this.step));
    this.th = Math.max(2, Math.floor(box[3]! / this.step));
  }

  /** Samples the template-sized patch with top-left (x, y); null where it leaves the frame. */
  private patch(g: Float32Array, h: number, w: number, x: number, y: number): Float32Array | null {
    if (x < 0 || y < 0 || x + (this.tw - 1) * this.step >= w || y + (this.th - 1) * this.step >= h) return null;
    const out = new Float32Array(this.tw * this.th);
    for (let v = 0; v < this.th; v++)
      for (let u = 0; u < this.tw; u++) out[v * this.tw + u] = g[(y + v * this.step) * w + x + u * this.step]!;
    return out;
  }

  /** Takes the template from the first frame (uint8 [3, h, w]) at the initial box. */
  init(frame: Uint8Array, h: number, w: number): void {
    const g = grey(frame, h, w);
    const [x, y] = this.box;
    const p = this.patch(g, h, w, Math.round(x), Math.round(y));
    if (!p) throw new FlambeauError("E_ARG", `TemplateTracker: the box [${this.box.join(", ")}] is not inside the ${w}×${h} frame`);
    this.template = p;
  }

  /** The object's box in the next frame. */
  update(frame: Uint8Array, h: number, w: number): Box {
    if (!this.template) throw new FlambeauError("E_STATE", "TemplateTracker.update: call init with the first frame first");
    const g = grey(frame, h, w);
    const pred = this.kf.predict();
    const [, , bw, bh] = this.box;
    const cx = pred[0] + pred[2] / 2;
    const cy = pred[1] + pred[3] / 2;
    const r = Math.max(2, Math.round(this.o.search * Math.max(bw, bh)));
    const t = this.template;
    const n = t.length;
    let tm = 0;
    for (const v of t) tm += v;
    tm /= n;
    let tss = 0;
    for (const v of t) tss += (v - tm) ** 2;
    let best = -2;
    let bx = Math.round(cx - bw / 2);
    let by = Math.round(cy - bh / 2);
    for (let dy = -r; dy <= r; dy++)
      for (let dx = -r; dx <= r; dx++) {
        const x = Math.round(cx - bw / 2) + dx;
        const y = Math.round(cy - bh / 2) + dy;
        const p = this.patch(g, h, w, x, y);
        if (!p) continue;
        let pm = 0;
        for (const v of p) pm += v;
        pm /= n;
        let num = 0;
        let pss = 0;
        for (let i = 0; i < n; i++) {
          const a = p[i]! - pm;
          num += a * (t[i]! - tm);
          pss += a * a;
        }
        const ncc = num / Math.sqrt(pss * tss + 1e-9);
        if (ncc > best) {
          best = ncc;
          bx = x;
          by = y;
        }
      }
    this.score = best;
    this.box = [bx, by, bw, bh];
    this.kf.update(this.box);
    if (best > this.o.confident) {
      const p = this.patch(g, h, w, bx, by)!;
      for (let i = 0; i < n; i++) t[i] = (1 - this.o.adapt) * t[i]! + this.o.adapt * p[i]!;
    }
    return this.box;
  }
}
