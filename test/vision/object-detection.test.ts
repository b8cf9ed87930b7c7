// object-detection / instance-segmentation: CenterNet's targets (radius, Gaussian peaks,
// size and offset) against hand values and the reference code (fixture), its focal loss and
// gradient against PyTorch, decoding of a hand-made heatmap, mask IoU and mask mAP, a tiny
// model that overfits a few scenes, and the tasks end to end (train → eval → predict --draw,
// a COCO annotations file as data) with their errors.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { VISION_TASKS } from "../../src/vision/tasks/index.js";
import type { DetectionPrediction } from "../../src/vision/tasks/object-detection.js";
import { FIXTURES, readFixture } from "../helpers/fixtures.js";

const { vision } = fl;
const near = (a: number, b: number, what: string, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);
const BIN = join(FIXTURES, "..", "..", "bin", "flambeau.js");

interface Fixture {
  objects: [number, number, number, number, number, number][];
  radii: number[];
  radiusCases: { h: number; w: number; radius: number }[];
  heatmap: number[];
  logits: number[];
  loss: number;
  grad: number[];
  emptyLogits: number[];
  emptyLoss: number;
}
const fx = readFixture<Fixture>("detection", "centernet.json");

test("gaussianRadius: CenterNet's formula (hand value and the reference code)", () => {
  // A 5 × 5 box: the third case is smallest, r3 = (−2·0.7·10 + √((1.4·10)² + 4·2.8·0.3·25)) / 2 = (−14 + √280) / 2.
  near(vision.gaussianRadius(5, 5), (-14 + Math.sqrt(280)) / 2, "5×5");
  for (const c of fx.radiusCases) near(vision.gaussianRadius(c.h, c.w), c.radius, `${c.h}×${c.w}`, 1e-9);
});

test("drawGaussian reproduces draw_umich_gaussian (peaks of exactly 1, max where objects overlap)", () => {
  const hm = new Float32Array(2 * 3 * 144);
  fx.objects.forEach(([i, c, cx, cy, h, w], k) => {
    const r = Math.max(0, Math.floor(vision.gaussianRadius(h, w)));
    assert.equal(r, fx.radii[k]);
    vision.drawGaussian(hm.subarray((i * 3 + c) * 144, (i * 3 + c + 1) * 144), 12, 12, cx, cy, r);
  });
  fx.heatmap.forEach((v, j) => near(hm[j]!, v, `heatmap[${j}]`, 1e-6));
});

/** Targets of one 64 px scene with two objects of 3 classes: box A [10, 14, 20, 20] (class 0), box B [40, 33, 22, 18] (class 2). */
function twoObjectTargets(): fl.Tensor {
  const scene = {
    image: new Uint8Array(3 * 64 * 64),
    semantic: new Uint8Array(64 * 64),
    instances: new Uint8Array(64 * 64),
    objects: [
      { category: 0, box: [10, 14, 20, 20] as [number, number, number, number], area: 400 },
      { category: 2, box: [40, 33, 22, 18] as [number, number, number, number], area: 396 },
    ],
  };
  return vision.centernetTargets({ size: 64, classes: ["a", "b", "c"], scenes: [scene] }, { numClasses: 3, masks: false });
}

test("centernetTargets: peak at the centre cell, radius, size and offset (hand-computed)", () => {
  // 64 px, stride 4 → a 16 × 16 grid. Box A [10, 14, 20, 20]: centre (20, 24) px = cell (5, 6) exactly;
  // ceil(20/4) = 5 → radius ⌊1.37⌋ = 1, σ = 3/6, so a side neighbour is e^(−1/(2·0.25)) = e^−2, a corner e^−4.
  // Box B [40, 33, 22, 18] (class 2): centre (51, 42) px = (12.75, 10.5) cells → cell (12, 10), offset (0.75, 0.5), size (5.5, 4.5).
  const y = twoObjectTargets();
  const cells = 256;
  assert.deepEqual(y.shape, [1, (3 + 5) * cells + 2 * vision.GT_FIELDS]);
  const row = y.data() as Float32Array;
  const heat = (c: number, x: number, yy: number) => row[c * cells + yy * 16 + x]!;
  near(heat(0, 5, 6), 1, "peak A");
  near(heat(0, 6, 6), Math.exp(-2), "side neighbour");
  near(heat(0, 4, 7), Math.exp(-4), "corner neighbour");
  near(heat(0, 7, 6), 0, "beyond the radius");
  near(heat(1, 5, 6), 0, "other class");
  near(heat(2, 12, 10), 1, "peak B");
  const reg = (ch: number, cell: number) => row[3 * cells + ch * cells + cell]!;
  const a = 6 * 16 + 5;
  const b = 10 * 16 + 12;
  assert.deepEqual([reg(0, a), reg(1, a), reg(2, a), reg(3, a), reg(4, a)], [5, 5, 0, 0, 1]);
  assert.deepEqual([reg(0, b), reg(1, b), reg(2, b), reg(3, b), reg(4, b)], [5.5, 4.5, 0.75, 0.5, 1]);
  let marked = 0;
  for (let i = 0; i < cells; i++) marked += reg(4, i);
  assert.equal(marked, 2);
  assert.deepEqual(Array.from(row.subarray(8 * cells, 8 * cells + 7)), [1, 0, 10, 14, 20, 20, a]);
  assert.throws(
    () => vision.centernetTargets({ size: 40, classes: ["a"], scenes: [] }, { numClasses: 1, masks: false }),
    /image side must be a multiple of 16 px \(at least 16\), got 40/,
  );
});

test("centernetLoss adds 1 − GIoU of the centre cells' boxes (hand value)", () => {
  // The two objects of the targets test; the prediction copies the targets' sizes and offsets
  // except box A's height, 2.5 cells instead of 5: concentric, so IoU = GIoU = 0.5 for A and 1
  // for B, and the GIoU term is ((1 − 0.5) + (1 − 1)) / 2 = 0.25.
  const y = twoObjectTargets();
  const cells = 256;
  const out = Float32Array.from((y.data() as Float32Array).subarray(0, 7 * cells));
  out[4 * cells + 6 * 16 + 5] = 2.5;
  const pred = fl.tensor(out, { shape: [1, 7 * cells] });
  const withGiou = vision.centernetLoss(3, false)(pred, y).item();
  const without = vision.centernetLoss(3, false, { giou: 0 })(pred, y).item();
  near(withGiou - without, 0.25, "GIoU term", 1e-5);
});

test("centernetFocalLoss and its gradient match CenterNet's _neg_loss in PyTorch", () => {
  const logits = fl.tensor(fx.logits, { shape: [2, 3, 12, 12], requiresGrad: true });
  const loss = vision.centernetFocalLoss(logits, fl.tensor(fx.heatmap, { shape: [2, 3, 12, 12] }));
  near(loss.item(), fx.loss, "loss", 1e-3 * Math.abs(fx.loss));
  loss.backward();
  const g = logits.grad!.data() as Float32Array;
  fx.grad.forEach((v, j) => near(g[j]!, v, `grad[${j}]`, 1e-5));
  // No object: the negative term alone.
  const l0 = vision.centernetFocalLoss(fl.tensor(fx.emptyLogits, { shape: [1, 2, 4, 4] }), fl.zeros([1, 2, 4, 4]));
  near(l0.item(), fx.emptyLoss, "empty loss", 1e-5);
});

test("decodeCenterNet: 3×3 peaks, top-K, threshold, boxes from size and offset, batched NMS", () => {
  // Grid 8 × 8 (a 32 px image), 2 classes, everything at logit −10 but:
  //   class 0 at (x 2, y 3), logit 3, size (2, 3) cells, offset (0.5, 0.25) → centre (10, 13) px → box [6, 7, 8, 12];
  //   class 0 at (3, 3), logit 2: beside a higher cell, so not a peak;
  //   class 1 at (6, 6), logit 1, size (1, 1) → box [22, 22, 4, 4];
  //   class 0 at (2, 6), logit 0.8, and (4, 6), logit 0.7, both 8 × 8 cells: two peaks, but their 32 px boxes
  //   8 px apart overlap with IoU 768 / 1280 = 0.6 > 0.5, so NMS drops the lower one.
  const g = 8;
  const heat = new Float32Array(2 * g * g).fill(-10);
  const wh = new Float32Array(2 * g * g);
  const off = new Float32Array(2 * g * g);
  const put = (c: number, x: number, y: number, logit: number, w: number, h: number, ox = 0, oy = 0) => {
    heat[c * g * g + y * g + x] = logit;
    wh[y * g + x] = w;
    wh[g * g + y * g + x] = h;
    off[y * g + x] = ox;
    off[g * g + y * g + x] = oy;
  };
  put(0, 2, 3, 3, 2, 3, 0.5, 0.25);
  put(0, 3, 3, 2, 1, 1);
  put(1, 6, 6, 1, 1, 1);
  put(0, 2, 6, 0.8, 8, 8);
  put(0, 4, 6, 0.7, 8, 8);
  const maps = {
    heat: fl.tensor(heat, { shape: [1, 2, g, g] }),
    wh: fl.tensor(wh, { shape: [1, 2, g, g] }),
    offset: fl.tensor(off, { shape: [1, 2, g, g] }),
  };
  const [dets] = vision.decodeCenterNet(maps, { scoreThreshold: 0.5 });
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  assert.deepEqual(
    dets!.map((d) => [d.category, d.box]),
    [
      [0, [6, 7, 8, 12]],
      [1, [22, 22, 4, 4]],
      [0, [-8, 8, 32, 32]],
    ],
  );
  near(dets![0]!.score, sig(3), "score", 1e-6);
  near(dets![1]!.score, sig(1), "score", 1e-6);
  near(dets![2]!.score, sig(0.8), "score", 1e-6);
  assert.equal(dets![0]!.cell, 3 * g + 2);
  // The threshold and top-K cut the list.
  assert.equal(vision.decodeCenterNet(maps, { scoreThreshold: 0.9 })[0]!.length, 1);
  assert.equal(vision.decodeCenterNet(maps, { topK: 2, scoreThreshold: 0.5 })[0]!.length, 2);
  assert.throws(() => vision.decodeCenterNet(maps, { topK: 0 }), /topK must be an integer in \[1, 10000\], got 0/);
  assert.throws(() => vision.decodeCenterNet(maps, { nmsIou: 1.5 }), /nmsIou must be in \(0, 1\], got 1.5/);
});

test("mask IoU and mask mAP: the box mAP's matching with mask overlap", () => {
  const gt = new Uint8Array(20);
  gt.fill(1, 0, 10);
  const det = new Uint8Array(20);
  det.fill(1, 0, 6); // 6 of the 10 truth pixels: IoU 0.6
  near(vision.maskIou(gt, det), 0.6, "IoU");
  near(vision.maskIou(new Uint8Array(4), new Uint8Array(4)), 0, "empty");
  assert.throws(() => vision.maskIou(gt, new Uint8Array(3)), /maskIou: masks of 20 and 3 pixels/);
  const r = vision.meanMaskAveragePrecision(
    [{ image: 0, category: 0, score: 0.9, box: [0, 0, 1, 1], mask: det }],
    [{ image: 0, category: 0, box: [0, 0, 1, 1], mask: gt }],
    2,
  );
  // Matched at IoU thresholds 0.5, 0.55, 0.6 only: mAP@[.5:.95] = 3/10; class 1 has no truth and is left out.
  near(r.map50, 1, "mask mAP@0.5");
  near(r.map, 0.3, "mask mAP");
  assert.ok(Number.isNaN(r.ap50[1]));
});

test("a tiny CenterNet (with masks) overfits a few scenes: the loss falls", async () => {
  fl.manualSeed(0);
  const set = await vision.generateScenes({ count: 8, size: 32, minObjects: 1, maxObjects: 3, minScale: 0.4, maxScale: 0.6, seed: 3 });
  const c = set.classes.length;
  for (const masks of [false, true]) {
    const model = new vision.CenterNet({ numClasses: c, width: 8, neck: 16, head: 16, masks });
    const x = vision.sceneImages(set).float().div(255);
    const y = vision.centernetTargets(set, { numClasses: c, masks });
    const lossFn = vision.centernetLoss(c, masks);
    const opt = new fl.optim.Adam(model.parameters(), { lr: 5e-3 });
    const losses: number[] = [];
    for (let i = 0; i < 40; i++)
      fl.tidy(() => {
        opt.zeroGrad();
        const l = lossFn(model.forward(x), y);
        losses.push(l.item());
        l.backward();
        opt.step();
      });
    const first = losses[0]!;
    const last = Math.min(...losses.slice(-5));
    assert.ok(last < 0.5 * first, `masks=${masks}: loss ${first.toFixed(3)} → ${last.toFixed(3)}`);
    // The output splits back into the maps it was built from.
    const maps = vision.splitCenterNet(model.forward(x), c, masks);
    assert.deepEqual(maps.heat.shape, [8, c, 8, 8]);
    assert.deepEqual(maps.wh.shape, [8, 2, 8, 8]);
    if (masks) assert.deepEqual(maps.maskFeatures!.shape, [8, 8, 16, 16]);
  }
  assert.throws(() => new vision.CenterNet({ numClasses: 0 }), /numClasses must be a positive integer, got 0/);
  assert.throws(() => new vision.CenterNet({ numClasses: 2, width: 7 }), /width must be an even integer in \[2, 1024\], got 7/);
  assert.throws(
    () => vision.splitCenterNet(fl.zeros([1, 5]), 3, false),
    /splitCenterNet: output \[1, 5\] is not a CenterNet output for 3 classes/,
  );
});

test("object-detection and instance-segmentation: train → eval → predict --draw, a COCO annotations file, errors", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-det-"));
  try {
    const det = VISION_TASKS["object-detection"];
    const out = join(dir, "det");
    const r = await det.train({ data: "scenes", out, model: "centernet-tiny", limit: 32, epochs: 1, batchSize: 16, seed: 0 });
    assert.ok(Number.isFinite(r.history.epochs[0]!.loss));
    assert.ok("valMap50" in r.history.epochs[0]!);
    const m = await det.evaluate(out, "scenes", { limit: 12 });
    assert.equal(m.examples, 12);
    for (const k of ["map50", "map"]) assert.ok((m[k] as number) >= 0 && (m[k] as number) <= 1, `${k} ${m[k]}`);
    assert.ok((m.map50 as number) >= (m.map as number));
    assert.deepEqual(await det.evaluate(out, "scenes", { limit: 12 }), m, "same model, same scenes: same numbers");
    // A COCO annotations file (written by `flambeau scenes`) as test data.
    const coco = join(dir, "coco");
    await vision.writeSceneDataset(
      coco,
      await vision.generateScenes({ count: 6, seed: 2, split: "test", maxObjects: 4, minScale: 0.3, maxScale: 0.5 }),
    );
    const mc = await det.evaluate(out, join(coco, "annotations.json"));
    assert.equal(mc.examples, 6);
    // predict: boxes with labels and scores; --draw writes the picture.
    const img = join(coco, "images", "000001.png");
    const drawn = join(dir, "boxes.png");
    const [p] = (await det.predict(out, [img], { draw: drawn })) as DetectionPrediction[];
    assert.equal(p!.output, drawn);
    assert.ok(existsSync(drawn));
    for (const o of p!.objects) {
      assert.ok(fl.data.FASHION_MNIST_CLASSES.includes(o.label), o.label);
      assert.ok(o.score >= 0.3 && o.score <= 1);
    }
    assert.match(det.formatPrediction(p), /^\d+ objects?.*\(drawn in .*boxes\.png\)$/);
    assert.equal(
      det.formatPrediction({ input: "a.png", objects: [{ label: "Bag", score: 0.912, box: [1, 2, 3.5, 4] }] }),
      "1 object: Bag 0.91 [x 1, y 2, w 3.5, h 4]",
    );
    // The CLI: predict --draw and eval --json.
    const drawn2 = join(dir, "cli.png");
    const cli = spawnSync(process.execPath, [BIN, "predict", out, img, "--draw", drawn2], { encoding: "utf8" });
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /000001\.png: \d+ object/);
    assert.ok(existsSync(drawn2));
    // instance-segmentation: the same detector plus masks, scored by mask mAP too.
    const seg = VISION_TASKS["instance-segmentation"];
    const out2 = join(dir, "seg");
    await seg.train({ data: "scenes", out: out2, model: "centernet-tiny", limit: 32, epochs: 1, batchSize: 16, seed: 0 });
    const ms = await seg.evaluate(out2, "scenes", { limit: 8 });
    for (const k of ["map50", "maskMap50", "maskMap"]) assert.ok((ms[k] as number) >= 0 && (ms[k] as number) <= 1, `${k} ${ms[k]}`);
    const [q] = (await seg.predict(out2, [img], { draw: join(dir, "masks.png") })) as DetectionPrediction[];
    for (const o of q!.objects) assert.ok(Number.isInteger(o.maskArea));
    // Errors.
    await assert.rejects(
      async () => det.train({ data: "scenes", out, model: "yolo" }),
      /unknown model "yolo" for object-detection; models: centernet-small, centernet-tiny/,
    );
    await assert.rejects(seg.evaluate(out, "scenes"), /holds a object-detection model, not instance-segmentation/);
    await assert.rejects(det.evaluate(out, "scenes:cats"), /unknown object source "cats" in "scenes:cats"/);
    await assert.rejects(det.evaluate(out, join(dir, "nothing.json")), /no such file or folder .*nothing\.json/);
    const odd = join(dir, "odd");
    await vision.writeSceneDataset(odd, await vision.generateScenes({ count: 4, size: 40 }));
    await assert.rejects(det.train({ data: odd, out: join(dir, "x"), epochs: 1 }), /the image side must be a multiple of 16 px/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
