// image-localization: box IoU and GIoU against hand-computed values, the meter, the model's
// shapes, and the task end to end (train → eval → predict) on a few generated scenes.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { VISION_TASKS } from "../../src/vision/tasks/index.js";
import type { LocalizedObject } from "../../src/vision/tasks/localization.js";

const { vision } = fl;
const near = (a: number, b: number, what: string, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test("box IoU: overlap, containment, disjoint and touching boxes", () => {
  near(vision.boxIou([0, 0, 2, 2], [1, 1, 2, 2]), 1 / 7, "corner overlap");
  near(vision.boxIou([0, 0, 4, 4], [1, 1, 2, 2]), 4 / 16, "contained");
  near(vision.boxIou([0, 0, 2, 2], [5, 5, 1, 1]), 0, "disjoint");
  near(vision.boxIou([0, 0, 2, 2], [2, 0, 2, 2]), 0, "touching");
  near(vision.boxIou([3, 1, 2, 5], [3, 1, 2, 5]), 1, "identical");
});

test("tensor IoU and GIoU of (cx, cy, w, h) boxes match the hand values", () => {
  // Boxes [0,0,2,2] and [1,1,2,2]: IoU 1/7, hull 3×3 = 9, GIoU = 1/7 − (9 − 7)/9.
  // Disjoint [0,0,1,1] and [2,0,1,1]: IoU 0, hull 3×1, union 2 → GIoU = −1/3.
  const p = fl.tensor([1, 1, 2, 2, 0.5, 0.5, 1, 1], { shape: [2, 4] });
  const t = fl.tensor([2, 2, 2, 2, 2.5, 0.5, 1, 1], { shape: [2, 4] });
  const { iou, giou } = vision.cxcywhIou(p, t);
  const i = iou.toArray() as number[];
  const g = giou.toArray() as number[];
  near(i[0]!, 1 / 7, "IoU", 1e-6);
  near(g[0]!, 1 / 7 - 2 / 9, "GIoU", 1e-6);
  near(i[1]!, 0, "disjoint IoU");
  near(g[1]!, -1 / 3, "disjoint GIoU", 1e-6);
});

test("LocalizationMeter scores class accuracy and mean IoU", () => {
  const logit = (v: number) => Math.log(v / (1 - v));
  // Two classes. Example 1: right class, exact box. Example 2: wrong class, box of IoU 1/7 (see above, scaled by 1/8).
  const out = fl.tensor([2, -1, ...[0.25, 0.25, 0.25, 0.25].map(logit), 3, 0, ...[1 / 8, 1 / 8, 2 / 8, 2 / 8].map(logit)], {
    shape: [2, 6],
  });
  const y = fl.tensor([0, 0.25, 0.25, 0.25, 0.25, 1, 2 / 8, 2 / 8, 2 / 8, 2 / 8], { shape: [2, 5] });
  const m = new vision.LocalizationMeter(2);
  m.update(out, y);
  const r = m.compute();
  near(r.accuracy!, 0.5, "accuracy");
  near(r.meanIou!, (1 + 1 / 7) / 2, "mean IoU", 1e-5);
  near(r.correctAndIou50!, 0.5, "right class and IoU ≥ 0.5");
  assert.throws(() => m.update(fl.zeros([2, 5]), y), /LocalizationMeter: expects outputs \[N, 6\] and targets \[N, 5\], got \[2, 5\]/);
});

test("BoxRegressor gives C + 4 outputs and rejects bad options", () => {
  const m = new vision.BoxRegressor({ numClasses: 3, width: 4 });
  assert.deepEqual(m.forward(fl.randn([2, 3, 64, 64])).shape, [2, 7]);
  assert.deepEqual(m.forward(fl.randn([1, 3, 48, 48])).shape, [1, 7]);
  assert.throws(() => new vision.BoxRegressor({ numClasses: 0 }), /numClasses must be a positive integer, got 0/);
  // The default model's trunk: a stride-2 stem, then two convs per stage.
  const deep = new vision.BoxRegressor({ numClasses: 3, width: 4, stages: 3, convsPerStage: 2, stemStride: 2 });
  assert.deepEqual(deep.forward(fl.randn([2, 3, 64, 64])).shape, [2, 7]);
  assert.throws(() => new vision.BoxRegressor({ numClasses: 3, convsPerStage: 0 }), /convsPerStage must be an integer in \[1, 4\], got 0/);
  assert.throws(() => new vision.BoxRegressor({ numClasses: 3, stemStride: 3 }), /stemStride must be 1 or 2, got 3/);
});

test("image-localization trains, evaluates and predicts on generated scenes and on a COCO folder", async () => {
  const task = VISION_TASKS["image-localization"];
  const dir = mkdtempSync(join(tmpdir(), "fl-loc-"));
  try {
    const out = join(dir, "model");
    const r = await task.train({ data: "scenes", out, limit: 32, epochs: 1, batchSize: 16, seed: 0 });
    assert.equal(r.history.epochs.length, 1);
    assert.ok(Number.isFinite(r.history.epochs[0]!.loss));
    const m = await task.evaluate(out, "scenes", { limit: 16 });
    assert.equal(m.examples, 16);
    assert.ok((m.accuracy as number) >= 0 && (m.accuracy as number) <= 1);
    assert.ok((m.meanIou as number) >= 0 && (m.meanIou as number) <= 1);
    // Same model, same held-out scenes: the same numbers.
    assert.deepEqual(await task.evaluate(out, "scenes", { limit: 16 }), m);
    // A COCO folder with train/ and test/.
    const coco = join(dir, "coco");
    await vision.writeSceneDataset(join(coco, "train"), await vision.generateScenes({ count: 24, seed: 5, size: 48 }));
    await vision.writeSceneDataset(join(coco, "test"), await vision.generateScenes({ count: 8, seed: 5, size: 48, split: "test" }));
    const out2 = join(dir, "model2");
    await task.train({ data: coco, out: out2, epochs: 1, batchSize: 8 });
    assert.equal((await task.evaluate(out2, coco)).examples, 8);
    const [p] = (await task.predict(out2, [join(coco, "test", "images", "000001.png")])) as LocalizedObject[];
    assert.ok(fl.data.FASHION_MNIST_CLASSES.includes(p!.label), p!.label);
    assert.equal(p!.box.length, 4);
    assert.ok(existsSync(p!.output));
    assert.match(task.formatPrediction(p!), /^\S.* \d+\.\d% box \[x [\d.-]+, y [\d.-]+, w [\d.]+, h [\d.]+\]/);
    // --init continues the saved model: its weights at the start, its normalisation kept.
    const out3 = join(dir, "model3");
    const saved = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    await task.train({ data: "scenes", out: out3, init: out, limit: 16, epochs: 1, batchSize: 16, seed: 1, lr: 1e-9 });
    const tuned = JSON.parse(readFileSync(join(out3, "config.json"), "utf8"));
    assert.deepEqual([tuned.preprocessing.mean, tuned.hyper], [saved.preprocessing.mean, saved.hyper]);
    assert.equal(tuned.metrics.init, out);
    const m3 = await task.evaluate(out3, "scenes", { limit: 16 });
    assert.ok(Math.abs((m3.meanIou as number) - (m.meanIou as number)) < 0.02, `lr 1e-9 keeps the model: ${m3.meanIou} vs ${m.meanIou}`);
    await assert.rejects(
      task.train({ data: "scenes:digits", out: out3, init: out, limit: 16, epochs: 1 }),
      /--init .* was trained on classes \[T-shirt\/top, .*\], the data has \[0, 1,/,
    );
    // A model outside the zoo is refused by the runtime before --init is read.
    await assert.rejects(
      async () => task.train({ data: "scenes", out: out3, init: out, model: "nope", limit: 16, epochs: 1 }),
      /unknown model "nope" for image-localization; models: box-cnn/,
    );
    await assert.rejects(task.evaluate(out, "scenes:cats"), /unknown object source "cats" in "scenes:cats"/);
    await assert.rejects(task.train({ data: join(dir, "nothing"), out }), /no such file or folder .*nothing/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
