// Evaluation metrics. Classification metrics accumulate a confusion matrix batch by batch
// (ClassificationMeter) so evaluation never holds all logits; the plain functions below
// compute each number from arrays for users and tests.
import { argError } from "../core/errors.js";
import { noGrad, type Tensor, tidy } from "../core/index.js";

/** Row = true class, column = predicted class. */
export type ConfusionMatrix = number[][];

export function confusionMatrix(pred: ArrayLike<number>, target: ArrayLike<number>, numClasses: number): ConfusionMatrix {
  if (pred.length !== target.length) argError("confusionMatrix", `pred has ${pred.length} items, target ${target.length}`);
  const cm = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < pred.length; i++) {
    const t = target[i]!;
    const p = pred[i]!;
    if (t < 0 || t >= numClasses || p < 0 || p >= numClasses)
      argError("confusionMatrix", `class index out of range at ${i}: target ${t}, pred ${p}`);
    cm[t]![p]!++;
  }
  return cm;
}

export interface PerClass {
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
}

/** Per-class precision/recall/F1 from a confusion matrix (0 where undefined, as scikit-learn). */
export function perClassScores(cm: ConfusionMatrix): PerClass {
  const n = cm.length;
  const out: PerClass = { precision: [], recall: [], f1: [], support: [] };
  for (let c = 0; c < n; c++) {
    const tp = cm[c]![c]!;
    let predicted = 0;
    let actual = 0;
    for (let k = 0; k < n; k++) {
      predicted += cm[k]![c]!;
      actual += cm[c]![k]!;
    }
    const p = predicted ? tp / predicted : 0;
    const r = actual ? tp / actual : 0;
    out.precision.push(p);
    out.recall.push(r);
    out.f1.push(p + r ? (2 * p * r) / (p + r) : 0);
    out.support.push(actual);
  }
  return out;
}

/** Mean of a per-class score over the classes present in the targets (scikit-learn's macro average). */
function macro(cm: ConfusionMatrix, score: "precision" | "recall" | "f1"): number {
  const s = perClassScores(cm);
  const present = s.support.flatMap((v, i) => (v > 0 ? [i] : []));
  return present.length ? present.reduce((a, i) => a + s[score][i]!, 0) / present.length : 0;
}

/** F1 averaged over classes present in the targets (macro) or pooled over all decisions (micro = accuracy for single-label). */
export const f1Score = (cm: ConfusionMatrix, average: "macro" | "micro" = "macro"): number =>
  average === "micro" ? accuracyFromCm(cm) : macro(cm, "f1");
export const precisionScore = (cm: ConfusionMatrix, average: "macro" | "micro" = "macro"): number =>
  average === "micro" ? accuracyFromCm(cm) : macro(cm, "precision");
export const recallScore = (cm: ConfusionMatrix, average: "macro" | "micro" = "macro"): number =>
  average === "micro" ? accuracyFromCm(cm) : macro(cm, "recall");

export function accuracyFromCm(cm: ConfusionMatrix): number {
  let correct = 0;
  let total = 0;
  for (let i = 0; i < cm.length; i++)
    for (let j = 0; j < cm.length; j++) {
      total += cm[i]![j]!;
      if (i === j) correct += cm[i]![j]!;
    }
  return total ? correct / total : 0;
}

/** Fraction of rows whose argmax equals the target. */
export function accuracy(logits: Tensor, target: Tensor): number {
  return noGrad(() => tidy(() => logits.argmax(1).eq(target).float().mean().item()));
}

/** Fraction of rows whose target is among the k highest scores. */
export function topKAccuracy(logits: Tensor, target: Tensor, k: number): number {
  return noGrad(() =>
    tidy(() => {
      const kk = Math.min(k, logits.shape[1]!);
      const idx = logits.topk(kk, 1).indices;
      return idx.eq(target.unsqueeze(1)).any(1).float().mean().item();
    }),
  );
}

/** Area under the ROC curve for binary labels (ties get half credit, as the Mann–Whitney U). */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  if (n !== labels.length) argError("rocAuc", "scores and labels differ in length");
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = r;
    i = j + 1;
  }
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; i++)
    if (labels[i]) {
      pos++;
      rankSum += ranks[i]!;
    }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export function meanSquaredError(pred: ArrayLike<number>, target: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < pred.length; i++) s += (pred[i]! - target[i]!) ** 2;
  return pred.length ? s / pred.length : 0;
}
export function meanAbsoluteError(pred: ArrayLike<number>, target: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < pred.length; i++) s += Math.abs(pred[i]! - target[i]!);
  return pred.length ? s / pred.length : 0;
}

/** Intersection over union of two boxes [x1, y1, x2, y2]. */
export function boxIoU(a: readonly number[], b: readonly number[]): number {
  const iw = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const ih = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const inter = iw * ih;
  const union = (a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - inter;
  return union > 0 ? inter / union : 0;
}

/** Per-class IoU of label maps and their mean over classes that occur in either. */
export function segmentationIoU(
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  numClasses: number,
): { perClass: number[]; mIoU: number } {
  const inter = new Array<number>(numClasses).fill(0);
  const union = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < pred.length; i++) {
    const p = pred[i]!;
    const t = target[i]!;
    if (p === t) inter[p]!++;
    union[p]!++;
    if (p !== t) union[t]!++;
  }
  const perClass = inter.map((v, c) => (union[c]! ? v / union[c]! : Number.NaN));
  const valid = perClass.filter((v) => !Number.isNaN(v));
  return { perClass, mIoU: valid.length ? valid.reduce((a, b) => a + b, 0) / valid.length : 0 };
}

export type ClassificationReport = {
  accuracy: number;
  /** Only with more than 5 classes (with 5 or fewer, every target is in the top 5). */
  top5?: number;
  macroF1: number;
  macroPrecision: number;
  macroRecall: number;
  confusionMatrix: ConfusionMatrix;
};

/** Accumulates predictions batch by batch; `compute()` gives the report. */
export class ClassificationMeter {
  readonly numClasses: number;
  #cm: ConfusionMatrix;
  #top5 = 0;
  #n = 0;
  constructor(numClasses: number) {
    this.numClasses = numClasses;
    this.#cm = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  }
  update(logits: Tensor, target: Tensor): void {
    noGrad(() =>
      tidy(() => {
        const k = Math.min(5, logits.shape[1]!);
        const top = logits.topk(k, 1).indices;
        const pred = top.select(1, 0).data();
        const tgt = target.to("int64").data();
        const hits = top.eq(target.unsqueeze(1)).any(1).to("int32").sum().item();
        this.#top5 += Number(hits);
        for (let i = 0; i < pred.length; i++) this.#cm[Number(tgt[i])]![Number(pred[i])]!++;
        this.#n += pred.length;
      }),
    );
  }
  compute(): ClassificationReport {
    return {
      accuracy: accuracyFromCm(this.#cm),
      ...(this.numClasses > 5 ? { top5: this.#n ? this.#top5 / this.#n : 0 } : {}),
      macroF1: f1Score(this.#cm, "macro"),
      macroPrecision: precisionScore(this.#cm, "macro"),
      macroRecall: recallScore(this.#cm, "macro"),
      confusionMatrix: this.#cm.map((r) => [...r]),
    };
  }
}
