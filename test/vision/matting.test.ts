// Background removal: composite math and SAD/MSE against hand values, the colour guided filter
// against a numpy reference (test/fixtures/matting/make_guided.py), alpha refinement keeping
// 0/1 regions and recovering a soft edge, and `flambeau predict --cutout/--background` end to
// end with its errors (missing background file: one line, exit code 2).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import sharp from "sharp";
import { FlambeauError } from "../../src/core/errors.js";
import { encodePng } from "../../src/vision/image-io.js";
import {
  alphaErrors,
  alphaFromSegmentation,
  composite,
  guidedFilter,
  quantiseTrimap,
  refineAlpha,
  TRIMAP_BG,
  TRIMAP_FG,
  TRIMAP_UNKNOWN,
  trimapFromAlpha,
} from "../../src/vision/matting.js";
import { VISION_TASKS } from "../../src/vision/tasks/index.js";
import { FIXTURES, readFixture } from "../helpers/fixtures.js";

const near = (a: number, b: number, what: string, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test("composite blends α·F + (1 − α)·B per channel, rounded", () => {
  // Two pixels, CHW: F = (200, 100, 0), (10, 20, 30); B = (0, 50, 250), (255, 255, 255).
  const fg = Uint8Array.from([200, 10, 100, 20, 0, 30]);
  const bg = Uint8Array.from([0, 255, 50, 255, 250, 255]);
  const out = composite(fg, Float32Array.from([0.25, 1]), bg, 1, 2);
  // 0.25·200 + 0.75·0 = 50; 0.25·100 + 0.75·50 = 62.5 → 63; 0.25·0 + 0.75·250 = 187.5 → 188.
  assert.deepEqual([...out], [50, 10, 63, 20, 188, 30]);
  assert.deepEqual([...composite(fg, Float32Array.from([0, 0]), bg, 1, 2)], [...bg]);
  assert.throws(() => composite(fg, Float32Array.from([1]), bg, 1, 2), /composite: alpha has 1 values, expected 2/);
});

test("SAD (/1000) and MSE of alpha, over the image or a region", () => {
  const a = Float32Array.from([0, 0.5, 1, 1]);
  const t = Float32Array.from([0, 1, 0.5, 0]);
  const e = alphaErrors(a, t);
  near(e.sad, (0.5 + 0.5 + 1) / 1000, "SAD", 1e-12);
  near(e.mse, (0.25 + 0.25 + 1) / 4, "MSE", 1e-12);
  const r = alphaErrors(a, t, Uint8Array.from([0, 1, 1, 0]));
  near(r.sad, 1 / 1000, "SAD in region", 1e-12);
  near(r.mse, 0.25, "MSE in region", 1e-12);
  assert.equal(r.pixels, 2);
});

test("alpha is 1 − P(background); trimaps from alpha and from trimap images", () => {
  // K = 2 classes over 3 pixels, background first.
  const a = alphaFromSegmentation(Float32Array.from([0.9, 0.2, 0, 0.1, 0.8, 1]), 2, 1, 3);
  [0.1, 0.8, 1].forEach((v, i) => near(a[i]!, v, `alpha ${i}`, 1e-6));
  assert.throws(() => alphaFromSegmentation(new Float32Array(5), 2, 1, 3), /probs has 5 values, expected 6/);
  // A 1 × 7 row: 0 0 0 1 1 1 1 with band 1 → the two pixels at the step are unknown.
  const t = trimapFromAlpha(Float32Array.from([0, 0, 0, 1, 1, 1, 1]), 1, 7, 1);
  assert.deepEqual([...t], [0, 0, TRIMAP_UNKNOWN, TRIMAP_UNKNOWN, 255, 255, 255]);
  assert.deepEqual([...quantiseTrimap(Uint8Array.from([0, 20, 127, 128, 240, 255]))], [0, 0, 128, 128, 255, 255]);
});

test("colour guided filter matches a numpy reference", () => {
  const f = readFixture<{ h: number; w: number; radius: number; eps: number; image: number[]; p: number[]; q: number[] }>(
    "matting",
    "guided.json",
  );
  const q = guidedFilter(Uint8Array.from(f.image), Float32Array.from(f.p), f.h, f.w, f.radius, f.eps);
  f.q.forEach((v, i) => near(q[i]!, v, `q[${i}]`, 2e-5));
  assert.throws(
    () => guidedFilter(Uint8Array.from(f.image), Float32Array.from(f.p), f.h, f.w, 0, f.eps),
    /radius must be a positive integer/,
  );
});

/** A 40 × 40 scene: a red disc of radius 11 (soft, anti-aliased edge) over a blue-green gradient, and its true alpha. */
function softDisc(): { image: Uint8Array; alpha: Float32Array; h: number; w: number } {
  const h = 40;
  const w = 40;
  const hw = h * w;
  const alpha = new Float32Array(hw);
  const image = new Uint8Array(3 * hw);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const d = Math.hypot(x - 19.5, y - 19.5);
      const a = Math.min(1, Math.max(0, 11.5 - d));
      alpha[i] = a;
      const F = [220, 40, 30];
      const B = [20, 60 + 3 * x, 120 + 2 * y];
      for (let c = 0; c < 3; c++) image[c * hw + i] = Math.round(a * F[c]! + (1 - a) * B[c]!);
    }
  return { image, alpha, h, w };
}

test("refineAlpha keeps 0/1 regions exactly and recovers a soft edge from a coarse mask", () => {
  const { image, alpha, h, w } = softDisc();
  // A coarse prediction: a hard disc 2 px too large (what an upsampled low-resolution mask gives).
  const coarse = Float32Array.from({ length: h * w }, (_, i) => (Math.hypot((i % w) - 19.5, Math.floor(i / w) - 19.5) < 13.5 ? 1 : 0));
  const band = 3;
  const refined = refineAlpha(coarse, image, h, w, { band });
  const trimap = trimapFromAlpha(coarse, h, w, band);
  let fg = 0;
  let bg = 0;
  for (let i = 0; i < h * w; i++) {
    assert.ok(refined[i]! >= 0 && refined[i]! <= 1, `alpha ${refined[i]} outside [0, 1]`);
    if (trimap[i] === TRIMAP_FG) {
      assert.equal(refined[i], 1);
      fg++;
    }
    if (trimap[i] === TRIMAP_BG) {
      assert.equal(refined[i], 0);
      bg++;
    }
  }
  assert.ok(fg > 200 && bg > 600, `definite regions: ${fg} fg, ${bg} bg`);
  const before = alphaErrors(coarse, alpha).sad;
  const afterSad = alphaErrors(refined, alpha).sad;
  assert.ok(afterSad < 0.5 * before, `refined SAD ${afterSad} should be under half the coarse mask's ${before}`);
  assert.throws(() => refineAlpha(coarse, image, h, w, { colorWeight: 2 }), /colorWeight must be in \[0, 1\]/);
});

const BIN = join(FIXTURES, "..", "..", "bin", "flambeau.js");
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, CI: "1" } });
let dir = "";
let model = "";
let input = "";

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "fl-matting-"));
  model = join(dir, "model");
  // A tiny model: what is tested is the cut-out and composite plumbing, not its quality.
  await VISION_TASKS["image-segmentation"].train({ data: "scenes", out: model, limit: 8, epochs: 1, batchSize: 8, seed: 0 });
  const { image, h, w } = softDisc();
  input = join(dir, "disc.png");
  await sharp(await encodePng(image, 3, h, w)).toFile(input);
  await sharp({ create: { width: 30, height: 50, channels: 3, background: { r: 0, g: 200, b: 0 } } })
    .jpeg()
    .toFile(join(dir, "bg.jpg"));
});

after(() => rmSync(dir, { recursive: true, force: true }));

test("predict --cutout writes an RGBA PNG and --background/--out a composite of the input's size", async () => {
  const cut = join(dir, "cut.png");
  const comp = join(dir, "comp.png");
  const r = run("predict", model, input, "--cutout", cut, "--background", join(dir, "bg.jpg"), "--out", comp);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /cut-out .*cut\.png; composite .*comp\.png/);
  const m = await sharp(cut).metadata();
  assert.deepEqual([m.channels, m.width, m.height], [4, 40, 40]);
  const c = await sharp(comp).metadata();
  assert.deepEqual([c.channels, c.width, c.height], [3, 40, 40]);
});

test("predict: a missing background file, or --background without --out, is a one-line error (exit 2)", async () => {
  const missing = join(dir, "no-such-bg.jpg");
  const r = run("predict", model, input, "--background", missing, "--out", join(dir, "x.png"));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no-such-bg\.jpg does not exist/);
  assert.equal(r.stderr.trim().split("\n").length, 1);
  assert.ok(!existsSync(join(dir, "x.png")));
  const r2 = run("predict", model, input, "--background", join(dir, "bg.jpg"));
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /--background needs --out/);
  await assert.rejects(
    VISION_TASKS["image-segmentation"].predict(model, [input, input], { cutout: join(dir, "c.png") }),
    (e: unknown) => e instanceof FlambeauError && /take one input image, got 2/.test(e.message),
  );
});
