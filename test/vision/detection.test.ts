// Detection groundwork: NMS and batched NMS on hand-made boxes, and COCO-style mAP against
// hand-computed precision/recall curves.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import type { XyxyBox } from "../../src/vision/scenes/detection-metrics.js";

const { vision } = fl;
const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

test("NMS keeps the best box of each overlapping group; batched NMS never suppresses across classes", () => {
  const boxes: XyxyBox[] = [
    [0, 0, 10, 10],
    [1, 1, 11, 11], // IoU 81/119 ≈ 0.68 with box 0
    [20, 20, 30, 30],
    [0, 0, 10, 9], // IoU 0.9 with box 0
  ];
  const scores = [0.9, 0.8, 0.7, 0.95];
  assert.deepEqual(vision.nms(boxes, scores, 0.5), [3, 2]);
  assert.deepEqual(vision.nms(boxes, scores, 0.7), [3, 1, 2]);
  assert.deepEqual(vision.batchedNms(boxes, scores, [0, 1, 0, 0], 0.5), [3, 1, 2]);
  assert.deepEqual(vision.batchedNms([], [], [], 0.5), []);
  assert.throws(() => vision.nms(boxes, [1], 0.5), /nms: 4 boxes but 1 scores/);
});

test("COCO-style AP: greedy matching by score, 101-point interpolation, mean over thresholds and classes", () => {
  // Class 0: two objects; detections at IoU 0.82 (score .9), a false positive (.8), IoU 0.62 (.7).
  const gts = [
    { image: 0, category: 0, box: [0, 0, 10, 10] },
    { image: 0, category: 0, box: [20, 20, 10, 10] },
    { image: 1, category: 1, box: [5, 5, 4, 4] },
  ];
  const dets = [
    { image: 0, category: 0, score: 0.9, box: [0, 0, 10, 8.2] },
    { image: 0, category: 0, score: 0.8, box: [50, 50, 5, 5] },
    { image: 0, category: 0, score: 0.7, box: [20, 20, 10, 6.2] },
    { image: 1, category: 1, score: 0.6, box: [5, 5, 4, 4] },
    { image: 0, category: 1, score: 0.99, box: [5, 5, 4, 4] }, // right place, wrong image
  ];
  // Class 0 at IoU ≤ 0.6: P/R = (1, .5), (.5, .5), (2/3, 1) → envelope 1 up to R .5, 2/3 after:
  const ap0Low = (51 + 50 * (2 / 3)) / 101;
  // 0.65 … 0.8: only the first detection matches → 51/101. 0.85 …: none.
  const ap0High = 51 / 101;
  // Class 1: a false positive of higher score, then the exact box: P/R = (0, 0), (.5, 1) → 0.5 everywhere.
  const r = vision.meanAveragePrecision(dets, gts, 3);
  near(r.ap50[0]!, ap0Low, "AP50 class 0");
  near(r.ap50[1]!, 0.5, "AP50 class 1");
  assert.ok(Number.isNaN(r.ap50[2]!), "a class without ground truth has no AP");
  near(r.map50, (ap0Low + 0.5) / 2, "mAP@0.5");
  near(r.map, ((3 * ap0Low + 4 * ap0High) / 10 + 0.5) / 2, "mAP@[.5:.95]");
  near(vision.meanAveragePrecision([], gts, 2).map, 0, "no detections");
});
