// Localization and segmentation metrics: box IoU, and meters that accumulate batch by batch
// (class accuracy + mean box IoU; a pixel confusion matrix for pixel accuracy and mIoU).
import { argError } from "../../core/errors.js";
import { bincount, noGrad, type Tensor, tidy } from "../../core/index.js";
import type { Meter } from "../../train/trainer.js";
import { IGNORE_LABEL } from "../coco.js";

/** IoU of two [x, y, width, height] boxes (0 when either is empty). */
export function boxIou(a: readonly number[], b: readonly number[]): number {
  const iw = Math.min(a[0]! + a[2]!, b[0]! + b[2]!) - Math.max(a[0]!, b[0]!);
  const ih = Math.min(a[1]! + a[3]!, b[1]! + b[3]!) - Math.max(a[1]!, b[1]!);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = a[2]! * a[3]! + b[2]! * b[3]! - inter;
  return union > 0 ? inter / union : 0;
}

/** Element-wise IoU of [N, 4] (cx, cy, w, h) boxes as a tensor (differentiable), plus GIoU's enclosing-box term. */
export function cxcywhIou(p: Tensor, t: Tensor): { iou: Tensor; giou: Tensor } {
  const corners = (b: Tensor) => {
    const [cx, cy, w, h] = b.unbind(1) as [Tensor, Tensor, Tensor, Tensor];
    return { x0: cx.sub(w.div(2)), y0: cy.sub(h.div(2)), x1: cx.add(w.div(2)), y1: cy.add(h.div(2)), area: w.mul(h) };
  };
  const a = corners(p);
  const b = corners(t);
  const iw = a.x1.minimum(b.x1).sub(a.x0.maximum(b.x0)).clamp(0);
  const ih = a.y1.minimum(b.y1).sub(a.y0.maximum(b.y0)).clamp(0);
  const inter = iw.mul(ih);
  const union = a.area.add(b.area).sub(inter).clamp(1e-9);
  const iou = inter.div(union);
  const hull = a.x1
    .maximum(b.x1)
    .sub(a.x0.minimum(b.x0))
    .mul(a.y1.maximum(b.y1).sub(a.y0.minimum(b.y0)))
    .clamp(1e-9);
  return { iou, giou: iou.sub(hull.sub(union).div(hull)) };
}

/**
 * Meter for [N, C + 4] outputs (C class logits, then sigmoid-normalised cx, cy, w, h)
 * against [N, 5] targets (class, cx, cy, w, h): accuracy, mean IoU, and the fraction of
 * objects both classified right and boxed with IoU ≥ 0.5.
 */
export class LocalizationMeter implements Meter {
  #n = 0;
  #correct = 0;
  #iou = 0;
  #hits = 0;
  constructor(readonly numClasses: number) {}
  update(output: Tensor, target: Tensor): void {
    const C = this.numClasses;
    if (output.ndim !== 2 || output.shape[1] !== C + 4 || target.ndim !== 2 || target.shape[1] !== 5)
      argError(
        "LocalizationMeter",
        `expects outputs [N, ${C + 4}] and targets [N, 5], got [${output.shape.join(", ")}] and [${target.shape.join(", ")}]`,
      );
    const [ok, iou] = noGrad(() =>
      tidy(() => {
        const cls = output.narrow(1, 0, C).argmax(1);
        const ok = cls.eq(target.select(1, 0).long());
        const { iou } = cxcywhIou(output.narrow(1, C, 4).sigmoid(), target.narrow(1, 1, 4));
        return [ok.float().data() as Float32Array, iou.float().data() as Float32Array];
      }),
    );
    for (let i = 0; i < ok.length; i++) {
      this.#correct += ok[i]!;
      this.#iou += iou[i]!;
      if (ok[i] && iou[i]! >= 0.5) this.#hits++;
    }
    this.#n += ok.length;
  }
  compute(): Record<string, number> {
    const n = Math.max(1, this.#n);
    return { accuracy: this.#correct / n, meanIou: this.#iou / n, correctAndIou50: this.#hits / n, examples: this.#n };
  }
}

/** Per-class IoU, their mean over classes that occur (in truth or prediction), and pixel accuracy, from a pixel confusion matrix. */
export function segmentationScores(cm: readonly (readonly number[])[]): { pixelAccuracy: number; meanIou: number; iou: number[] } {
  const k = cm.length;
  let correct = 0;
  let total = 0;
  const iou: number[] = [];
  let sum = 0;
  let present = 0;
  for (let c = 0; c < k; c++) {
    let row = 0;
    let col = 0;
    for (let j = 0; j < k; j++) {
      row += cm[c]![j]!;
      col += cm[j]![c]!;
      total += cm[c]![j]!;
    }
    const tp = cm[c]![c]!;
    correct += tp;
    const union = row + col - tp;
    iou.push(union > 0 ? tp / union : Number.NaN);
    if (union > 0) {
      sum += tp / union;
      present++;
    }
  }
  return { pixelAccuracy: total ? correct / total : 0, meanIou: present ? sum / present : 0, iou };
}

/** Meter for [N, K, H, W] logits against [N, H, W] labels (IGNORE_LABEL pixels skipped). */
export class SegmentationMeter implements Meter {
  readonly cm: number[][];
  constructor(readonly numClasses: number) {
    this.cm = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  }
  update(output: Tensor, target: Tensor): void {
    const k = this.numClasses;
    if (output.ndim !== 4 || output.shape[1] !== k || target.ndim !== 3)
      argError(
        "SegmentationMeter",
        `expects logits [N, ${k}, H, W] and labels [N, H, W], got [${output.shape.join(", ")}] and [${target.shape.join(", ")}]`,
      );
    const counts = noGrad(() =>
      tidy(() => {
        const t = target.long().flatten();
        const p = output.argmax(1).flatten();
        const keep = t.ne(IGNORE_LABEL);
        const idx = t.maskedSelect(keep).mul(k).add(p.maskedSelect(keep));
        return bincount(idx, undefined, k * k).data() as BigInt64Array;
      }),
    );
    for (let i = 0; i < k * k; i++) this.cm[Math.floor(i / k)]![i % k]! += Number(counts[i]!);
  }
  compute(): Record<string, unknown> {
    const s = segmentationScores(this.cm);
    return { pixelAccuracy: s.pixelAccuracy, meanIou: s.meanIou, classIou: s.iou };
  }
}
