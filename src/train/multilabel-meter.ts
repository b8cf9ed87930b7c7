// Multi-label classification scores (a sigmoid per class, a class predicted when its logit is
// > 0, i.e. probability > 0.5): micro and macro F1 as sklearn's f1_score(average="micro" /
// "macro") with zero_division=0, subset accuracy (every label of an example right) and the
// Hamming loss (the fraction of wrong example×class decisions).

import { FlambeauError } from "../core/errors.js";
import { noGrad, type Tensor, tidy } from "../core/index.js";

export interface MultiLabelReport {
  [k: string]: unknown;
  microF1: number;
  macroF1: number;
  microPrecision: number;
  microRecall: number;
  subsetAccuracy: number;
  hammingLoss: number;
  /** F1 of each class (0 for a class never predicted nor present). */
  f1PerClass: number[];
}

const f1 = (tp: number, fp: number, fn: number): number => (tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn));

/** Scores of multi-hot predictions `pred` against multi-hot truth `truth` (both [n][C] of 0/1). */
export function multiLabelScores(pred: readonly (readonly number[])[], truth: readonly (readonly number[])[]): MultiLabelReport {
  const n = truth.length;
  const c = truth[0]?.length ?? 0;
  const tp = new Array<number>(c).fill(0);
  const fp = new Array<number>(c).fill(0);
  const fn = new Array<number>(c).fill(0);
  let exact = 0;
  let wrong = 0;
  for (let i = 0; i < n; i++) {
    let same = true;
    for (let k = 0; k < c; k++) {
      const p = pred[i]![k]! > 0;
      const t = truth[i]![k]! > 0;
      if (p && t) tp[k]!++;
      else if (p) fp[k]!++;
      else if (t) fn[k]!++;
      if (p !== t) {
        same = false;
        wrong++;
      }
    }
    if (same) exact++;
  }
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  const [TP, FP, FN] = [sum(tp), sum(fp), sum(fn)];
  const perClass = tp.map((_, k) => f1(tp[k]!, fp[k]!, fn[k]!));
  return {
    microF1: f1(TP, FP, FN),
    macroF1: c ? sum(perClass) / c : 0,
    microPrecision: TP + FP ? TP / (TP + FP) : 0,
    microRecall: TP + FN ? TP / (TP + FN) : 0,
    subsetAccuracy: n ? exact / n : 0,
    hammingLoss: n * c ? wrong / (n * c) : 0,
    f1PerClass: perClass,
  };
}

/** Accumulates logits [B, C] against multi-hot float targets [B, C] over batches. */
export class MultiLabelMeter {
  readonly numClasses: number;
  #pred: number[][] = [];
  #truth: number[][] = [];
  constructor(numClasses: number) {
    this.numClasses = numClasses;
  }
  update(logits: Tensor, target: Tensor): void {
    if (logits.ndim !== 2 || logits.shape[1] !== this.numClasses || target.shape.join() !== logits.shape.join())
      throw new FlambeauError(
        "E_SHAPE",
        `MultiLabelMeter: expected logits and targets [batch, ${this.numClasses}], got [${logits.shape.join(", ")}] and [${target.shape.join(", ")}]`,
        "MultiLabelMeter",
      );
    noGrad(() =>
      tidy(() => {
        const p = logits.gt(0).to("float32").data() as Float32Array;
        const t = target.to("float32").data() as Float32Array;
        const c = this.numClasses;
        for (let b = 0; b < logits.shape[0]!; b++) {
          this.#pred.push(Array.from(p.subarray(b * c, (b + 1) * c)));
          this.#truth.push(Array.from(t.subarray(b * c, (b + 1) * c)));
        }
      }),
    );
  }
  compute(): MultiLabelReport {
    return multiLabelScores(this.#pred, this.#truth);
  }
}
