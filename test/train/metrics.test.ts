// Metrics against values computed by hand / scikit-learn for the same inputs.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";

const M = fl.train.metrics;
const near = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);

test("confusion matrix, precision/recall/F1 (values worked by hand, as scikit-learn defines them)", () => {
  const yTrue = [0, 1, 2, 0, 1, 2, 0, 2];
  const yPred = [0, 2, 1, 0, 0, 2, 0, 2];
  const cm = M.confusionMatrix(yPred, yTrue, 3);
  assert.deepEqual(cm, [
    [3, 0, 0],
    [1, 0, 1],
    [0, 1, 2],
  ]);
  // per-class F1: 6/7, 0, 2/3 → macro (6/7 + 2/3) / 3
  near(M.f1Score(cm, "macro"), (6 / 7 + 2 / 3) / 3);
  near(M.precisionScore(cm, "macro"), 0.47222222222222215);
  near(M.recallScore(cm, "macro"), 0.5555555555555555);
  near(M.f1Score(cm, "micro"), 5 / 8);
  near(M.accuracyFromCm(cm), 5 / 8);
  assert.throws(() => M.confusionMatrix([0, 3], [0, 1], 3), /out of range/);
});

test("accuracy, top-k and the ClassificationMeter agree", () => {
  const logits = fl.tensor([
    [0.1, 0.7, 0.2],
    [0.8, 0.1, 0.1],
    [0.2, 0.3, 0.5],
    [0.6, 0.3, 0.1],
  ]);
  const target = fl.tensor([1n, 0n, 1n, 2n]);
  near(M.accuracy(logits, target), 0.5);
  near(M.topKAccuracy(logits, target, 2), 0.75);
  const meter = new fl.train.ClassificationMeter(3);
  meter.update(logits.narrow(0, 0, 2), target.narrow(0, 0, 2));
  meter.update(logits.narrow(0, 2, 2), target.narrow(0, 2, 2));
  const r = meter.compute();
  near(r.accuracy, 0.5);
  assert.equal(r.top5, undefined, "3 classes: top-5 accuracy is always 1, so it is left out");
  assert.deepEqual(r.confusionMatrix, [
    [1, 0, 0],
    [0, 1, 1],
    [1, 0, 0],
  ]);
});

test("ROC-AUC with ties, regression errors, IoU", () => {
  // positive/negative pairs ranked correctly: 2 + 3 + 2.5 (one tie) of 9
  near(M.rocAuc([0.1, 0.4, 0.35, 0.8, 0.4, 0.2], [0, 0, 1, 1, 1, 0]), 7.5 / 9);
  assert.ok(Number.isNaN(M.rocAuc([0.1, 0.2], [1, 1])));
  near(M.meanSquaredError([1, 2, 3], [1, 1, 1]), 5 / 3);
  near(M.meanAbsoluteError([1, 2, 3], [1, 1, 1]), 1);
  near(M.boxIoU([0, 0, 2, 2], [1, 1, 3, 3]), 1 / 7);
  near(M.boxIoU([0, 0, 1, 1], [2, 2, 3, 3]), 0);
  const s = M.segmentationIoU([0, 0, 1, 1], [0, 1, 1, 1], 2);
  near(s.perClass[0]!, 0.5);
  near(s.perClass[1]!, 2 / 3);
  near(s.mIoU, (0.5 + 2 / 3) / 2);
});
