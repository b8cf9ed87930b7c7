// The own-data instance-segmentation reference (scripts/own-data/reference-detection.py
// --masks, fixture by scripts/fixtures/instance_reference.py) computes what Flambeau computes:
// the same CondInst dynamic mask head, dice loss, COCO RLE decoding and mask mAP, so the README
// row compares two trainings of one model and one score.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { rleDecode } from "../../src/vision/coco.js";
import { DYNAMIC_PARAMS, dynamicMaskLogits, MASK_CHANNELS } from "../../src/vision/models/centernet.js";
import { diceLoss } from "../../src/vision/scenes/centernet-loss.js";
import { readFixture } from "../helpers/fixtures.js";

interface Fixture {
  ctrl: number[];
  feats: number[];
  image: number[];
  cell: number[];
  logits: number[];
  target: number[];
  dice: number;
  rle: { size: [number, number]; counts: number[] };
  decoded: number[];
  side: number;
  truth: { image: number; category: number; mask: number[] }[];
  dets: { image: number; category: number; score: number; mask: number[] }[];
  maskMap50: number;
  maskMap: number;
}
const fx = readFixture<Fixture>("detection", "instance-reference.json");
const long = (v: number[]) =>
  fl.tensor(
    BigInt64Array.from(v, (x) => BigInt(x)),
    { shape: [v.length] },
  );

test("the reference's dynamic mask head and dice loss are Flambeau's (same weights, same logits)", () => {
  fl.tidy(() => {
    const maps = {
      heat: fl.zeros([2, 1, 4, 4]),
      wh: fl.zeros([2, 2, 4, 4]),
      offset: fl.zeros([2, 2, 4, 4]),
      controller: fl.tensor(Float32Array.from(fx.ctrl), { shape: [2, DYNAMIC_PARAMS, 4, 4] }),
      maskFeatures: fl.tensor(Float32Array.from(fx.feats), { shape: [2, MASK_CHANNELS, 8, 8] }),
      grid: 4,
    };
    const logits = dynamicMaskLogits(maps, long(fx.image), long(fx.cell));
    assert.deepEqual(logits.shape, [3, 8, 8]);
    const got = logits.data() as Float32Array;
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - fx.logits[i]!));
    assert.ok(worst < 1e-4, `dynamic mask logits differ by up to ${worst}`);
    const dice = diceLoss(logits.reshape([3, 64]), fl.tensor(Float32Array.from(fx.target), { shape: [3, 64] }), fl.ones([3])).item();
    assert.ok(Math.abs(dice - fx.dice) < 1e-5, `dice ${dice} vs ${fx.dice}`);
  });
});

test("the reference decodes COCO's uncompressed RLE as Flambeau does (column-major, background first)", () => {
  assert.deepEqual([...rleDecode(fx.rle)], fx.decoded);
});

test("the reference's mask mAP@0.5 and mAP@[.5:.95] are Flambeau's (random masks and scores)", () => {
  const r = fl.vision.meanMaskAveragePrecision(
    fx.dets.map((d) => ({ ...d, box: [0, 0, 1, 1], mask: Uint8Array.from(d.mask) })),
    fx.truth.map((g) => ({ ...g, box: [0, 0, 1, 1], mask: Uint8Array.from(g.mask) })),
    2,
  );
  assert.ok(fx.maskMap50 > 0.2 && fx.maskMap50 < 1, `a fixture that discriminates: ${fx.maskMap50}`);
  assert.ok(Math.abs(r.map50 - fx.maskMap50) < 1e-9, `mask mAP@0.5 ${r.map50} vs ${fx.maskMap50}`);
  assert.ok(Math.abs(r.map - fx.maskMap) < 1e-9, `mask mAP ${r.map} vs ${fx.maskMap}`);
});
