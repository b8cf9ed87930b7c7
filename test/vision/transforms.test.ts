// Image transforms against torchvision.transforms.functional (scripts/fixtures/vision_transforms.py),
// and the random transforms' seeding, shapes and invariants.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { assertClose, fromJson, readFixture, type TensorJson } from "../helpers/fixtures.js";

const T = fl.vision.transforms;
const ref = readFixture<Record<string, TensorJson>>("vision", "transforms.json");
const x = fromJson(ref.input!);
const xu8 = fromJson({ ...ref.input_u8!, dtype: "float32" }).to("uint8");

test("resize matches torchvision (bilinear, nearest, bicubic, antialiased, shorter side, uint8)", () => {
  assertClose(T.resize(x, [5, 6]), ref.resize_bilinear_5x6!, "bilinear down");
  assertClose(T.resize(x, [11, 13]), ref.resize_bilinear_11x13!, "bilinear up");
  assertClose(T.resize(x, [4, 12], { interpolation: "nearest" }), ref.resize_nearest_4x12!, "nearest");
  assertClose(T.resize(x, [14, 18], { interpolation: "bicubic" }), ref.resize_bicubic_14x18!, "bicubic");
  assertClose(T.resize(x, [4, 5], { antialias: true }), ref.resize_bilinear_aa_4x5!, "antialiased");
  assertClose(T.resize(x, 5), ref.resize_short_5!, "shorter side 5");
  const u8 = T.resize(xu8, [5, 6]);
  assert.equal(u8.dtype, "uint8");
  assertClose(u8.float(), { ...ref.resize_u8_bilinear_5x6!, dtype: "float32" }, "uint8 bilinear", 0, 1.01);
  // A batch resizes like its images one by one.
  const batch = T.resize(fl.stack([x, x.flip(-1)]), [5, 6]);
  assertClose(batch.select(0, 0), ref.resize_bilinear_5x6!, "batched");
  assert.throws(() => T.resize(x, [0, 4]), /resize: size must be/);
  assert.throws(() => T.resize(fl.zeros([7, 9]), 4), /resize: expects an image \[C, H, W\]/);
});

test("normalize, pad, center crop and colour adjustments match torchvision", () => {
  assertClose(T.normalize(x, [0.5, 0.4, 0.3], [0.2, 0.25, 0.3]), ref.normalize!, "normalize");
  assertClose(T.pad(x, [1, 2, 3, 1], { fill: 0.5 }), ref.pad_constant!, "pad constant");
  assertClose(T.pad(x, [1, 2, 3, 1], { mode: "edge" }), ref.pad_edge!, "pad edge");
  assertClose(T.pad(x, [2, 1], { mode: "reflect" }), ref.pad_reflect!, "pad reflect");
  assertClose(T.centerCrop(x, [4, 5]).contiguous(), ref.center_crop_4x5!, "center crop");
  assertClose(T.adjustBrightness(x, 1.3), ref.brightness_1_3!, "brightness");
  assertClose(T.adjustContrast(x, 0.6), ref.contrast_0_6!, "contrast");
  assertClose(T.adjustSaturation(x, 1.7), ref.saturation_1_7!, "saturation");
  assertClose(T.rgbToGrayscale(x), ref.grayscale!, "grayscale");
  assert.throws(() => T.normalize(x, [0.5], [0.2]), /normalize: 3 channels need 3 means/);
  assert.throws(() => T.pad(x, [1, 2, 3]), /pad: padding must be/);
  assert.throws(() => T.pad(x, 9, { mode: "reflect" }), /reflect padding/);
  assert.throws(() => T.crop(x, 5, 0, 4, 4), /falls outside the 7×9 image/);
});

test("affine and rotate match torchvision (nearest and bilinear), per image in a batch", () => {
  const p1 = { angle: 30, translate: [1, -2] as [number, number], scale: 1.2, shear: [10, 0] as [number, number] };
  const p2 = { angle: -20, translate: [0, 1] as [number, number], scale: 0.9, shear: [0, 5] as [number, number] };
  assertClose(T.affine(x, p1), ref.affine_nearest!, "affine nearest", 1e-4, 1e-5);
  assertClose(T.affine(x, p2, { interpolation: "bilinear" }), ref.affine_bilinear!, "affine bilinear", 1e-4, 1e-5);
  assertClose(T.rotate(x, 45, { interpolation: "bilinear" }), ref.rotate_45!, "rotate 45", 1e-4, 1e-5);
  const both = T.affine(fl.stack([x, x]), [p1, p1]);
  assertClose(both.select(0, 1), ref.affine_nearest!, "batched affine");
  assert.throws(() => T.affine(fl.stack([x, x]), [p1]), /1 parameter sets for a batch of 2/);
});

test("toTensor turns uint8 HWC into float CHW in [0, 1]; toUint8 inverts it", () => {
  const hwc = fl.tensor(Uint8Array.from([0, 255, 51, 102, 204, 153]), { shape: [1, 2, 3] });
  const t = T.toTensor(hwc);
  assert.deepEqual([...t.shape], [3, 1, 2]);
  assert.deepEqual(
    Array.from(t.data() as Float32Array).map((v) => Math.round(v * 255)),
    [0, 102, 255, 204, 51, 153],
  );
  assert.deepEqual(Array.from(T.toUint8(t).permute([1, 2, 0]).contiguous().data() as Uint8Array), [0, 255, 51, 102, 204, 153]);
});

test("random transforms are reproducible from their seed and differ across seeds", () => {
  const batch = fl.rand([6, 3, 12, 12]);
  const run = (seed: number) =>
    new fl.data.Compose<fl.Tensor>([
      new T.RandomCrop(10, { padding: 2, seed }),
      new T.RandomHorizontalFlip(0.5, { seed }),
      new T.RandomAffine({ degrees: 15, translate: [0.1, 0.1], scale: [0.9, 1.1], seed }),
      new T.ColorJitter({ brightness: 0.3, contrast: 0.3, saturation: 0.3, seed }),
      new T.RandomErasing({ p: 1, seed }),
    ]).apply(batch);
  const a = run(1);
  assert.deepEqual([...a.shape], [6, 3, 10, 10]);
  assertClose(run(1), a, "same seed, same output", 0, 0);
  assert.ok(run(2).sub(a).abs().max().item() > 0.01, "another seed changes the output");
  // A crop at full size after padding 0 is the identity; a flip with p = 1 is hflip.
  assertClose(new T.RandomCrop(12).apply(batch), batch, "full-size crop");
  assertClose(new T.RandomHorizontalFlip(1).apply(batch), T.hflip(batch), "flip p=1");
  assert.throws(() => new T.RandomCrop(20).apply(batch), /RandomCrop: crop 20×20 is larger/);
});

test("mixup and cutmix mix labels by the same weight as the pixels", () => {
  const imgs = fl.cat([fl.zeros([2, 1, 8, 8]), fl.ones([2, 1, 8, 8])]);
  const labels = fl.tensor(BigInt64Array.from([0n, 0n, 1n, 1n]));
  const m = T.mixup(imgs, labels, 2, { alpha: 0.4, seed: 3 });
  // Pixel mean of each image equals its soft label for class 1 (images are 0 or 1 everywhere).
  assertClose(m.x.mean({ dim: [1, 2, 3] }), m.y.select(1, 1).contiguous(), "mixup labels", 1e-5, 1e-6);
  assertClose(m.y.sum({ dim: 1 }), fl.ones([4]), "mixup rows sum to 1");
  const c = T.cutmix(imgs, labels, 2, { alpha: 1, seed: 5 });
  assertClose(c.x.mean({ dim: [1, 2, 3] }), c.y.select(1, 1).contiguous(), "cutmix labels", 1e-5, 1e-6);
  assert.throws(() => T.mixup(imgs, fl.tensor(BigInt64Array.from([0n, 1n, 2n, 5n])), 3), /labels must lie in \[0, 3\)/);
});

test("padCrop is crop after pad in one signed pad; RandomCrop with padding keeps pad-then-crop's pixels", () => {
  const img = fl
    .arange(0, 2 * 5 * 6)
    .reshape([2, 5, 6])
    .float();
  for (const [p, top, left, h, w] of [
    [2, 0, 0, 5, 6],
    [2, 4, 3, 5, 6],
    [1, 2, 1, 3, 4],
    [0, 1, 2, 3, 3],
    [3, 0, 5, 9, 7],
  ] as const) {
    const want = T.crop(T.pad(img, p), top, left, h, w);
    assert.deepEqual([...T.padCrop(img, p, top, left, h, w).data()], [...want.data()], `pad ${p} box ${top},${left} ${h}×${w}`);
  }
  const batch = fl.stack([img, img.flip(-1)]);
  assert.deepEqual(T.padCrop(batch, 1, 0, 2, 5, 6).shape, [2, 2, 5, 6]);
  assert.throws(() => T.padCrop(img, 1, 3, 0, 5, 6), /padCrop: box \(top 3, left 0, 5×6\) falls outside the 5×6 image padded by 1/);
  // The same draws as pad then crop: a crop of the padded image at the generator's offsets.
  const a = new T.RandomCrop(5, { padding: 2, seed: 3 }).apply(img);
  const rng = new fl.data.Random(3);
  const top = rng.int(5);
  const left = rng.int(6);
  assert.deepEqual([...a.data()], [...T.crop(T.pad(img, 2), top, left, 5, 5).data()]);
});
