// image-segmentation: pixel accuracy and mIoU against hand-computed values (ignored pixels
// skipped), and the task end to end (train → eval → predict overlay) on a few generated scenes.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { VISION_TASKS } from "../../src/vision/tasks/index.js";
import { diceLoss, type SegmentedImage } from "../../src/vision/tasks/segmentation.js";

const { vision } = fl;
const near = (a: number, b: number, what: string, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test("segmentation scores from a confusion matrix", () => {
  // Row = truth. IoU0 = 3 / (4 + 5 − 3), IoU1 = 4 / (6 + 5 − 4); class 2 never occurs and is left out of the mean.
  const s = vision.segmentationScores([
    [3, 1, 0],
    [2, 4, 0],
    [0, 0, 0],
  ]);
  near(s.pixelAccuracy, 7 / 10, "pixel accuracy");
  near(s.iou[0]!, 0.5, "IoU 0");
  near(s.iou[1]!, 4 / 7, "IoU 1");
  assert.ok(Number.isNaN(s.iou[2]!));
  near(s.meanIou, (0.5 + 4 / 7) / 2, "mIoU");
});

test("soft Dice loss against hand values, ignored pixels left out", () => {
  // Zero logits: p = 0.5 for both classes at each pixel. Truth [0, 1, 255]: per class
  // Σ p·t = 0.5, Σ p = 1 (the ignored pixel drops out), Σ t = 1 → Dice (2·0.5 + 1) / (1 + 1 + 1) = 2/3.
  const y = fl.tensor(BigInt64Array.from([0n, 1n, 255n]), { shape: [1, 1, 3] });
  near(diceLoss(fl.zeros([1, 2, 1, 3]), y).item(), 1 / 3, "dice loss", 1e-6);
  // Confident and right: the loss goes to 0 (up to the +1 smoothing's effect).
  const l = fl.tensor(Float32Array.from([20, -20, 0, -20, 20, 0]), { shape: [1, 2, 1, 3] });
  near(diceLoss(l, y).item(), 0, "dice loss, right", 1e-6);
});

test("SegmentationMeter counts pixels, skipping the ignore label", () => {
  // Predictions come from one-hot logits; truth has one ignored pixel (255).
  const pred = [0, 1, 1, 0, 2, 2];
  const truth = [0, 1, 0, 255, 2, 1];
  const logits = fl.zeros([1, 3, 2, 3]);
  const l = logits.data() as Float32Array;
  pred.forEach((c, p) => {
    l[c * 6 + p] = 1;
  });
  const m = new vision.SegmentationMeter(3);
  m.update(fl.tensor(l, { shape: [1, 3, 2, 3] }), fl.tensor(BigInt64Array.from(truth, BigInt), { shape: [1, 2, 3] }));
  assert.deepEqual(m.cm, [
    [1, 1, 0],
    [0, 1, 1],
    [0, 0, 1],
  ]);
  const r = m.compute();
  near(r.pixelAccuracy as number, 3 / 5, "pixel accuracy");
  near(r.meanIou as number, (1 / 2 + 1 / 3 + 1 / 2) / 3, "mIoU");
  assert.throws(() => m.update(fl.zeros([1, 2, 2, 3]), fl.zeros([1, 2, 3])), /SegmentationMeter: expects logits \[N, 3, H, W\]/);
});

test("image-segmentation trains, evaluates and writes overlay PNGs", async () => {
  const task = VISION_TASKS["image-segmentation"];
  const dir = mkdtempSync(join(tmpdir(), "fl-seg-"));
  try {
    const out = join(dir, "model");
    const r = await task.train({ data: "scenes", out, limit: 24, epochs: 1, batchSize: 12, seed: 0 });
    assert.ok(Number.isFinite(r.history.epochs[0]!.loss));
    const m = await task.evaluate(out, "scenes", { limit: 8 });
    assert.equal(m.examples, 8);
    assert.ok((m.meanIou as number) >= 0 && (m.meanIou as number) <= 1);
    assert.deepEqual(Object.keys(m.classIou as object), ["background", ...fl.data.FASHION_MNIST_CLASSES]);
    const set = await vision.generateScenes({ count: 1, split: "test", size: 64 });
    const img = join(dir, "scene.png");
    await vision.writeImage(img, fl.tensor(set.scenes[0]!.image, { shape: [3, 64, 64] }));
    const [p] = (await task.predict(out, [img])) as SegmentedImage[];
    assert.ok(existsSync(p!.output));
    const back = await vision.readImage(p!.output);
    assert.deepEqual([back.channels, back.height, back.width], [3, 64, 64]);
    near(
      Object.values(p!.classes).reduce((a, b) => a + b, 0),
      1,
      "class fractions sum to 1",
      1e-9,
    );
    assert.match(task.formatPrediction(p!), /^wrote .*scene-mask\.png \(.+ \d+\.\d%/);
    await assert.rejects(
      async () => task.train({ data: "scenes", out, model: "segnet" }),
      /unknown model "segnet" for image-segmentation; models: unet-lite, unet-small, unet/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
