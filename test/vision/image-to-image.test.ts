// Super-resolution and denoising: quality metrics against scikit-image, the photo split,
// the restoration models, and the task end to end on a few generated photos.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { VISION_TASKS } from "../../src/vision/tasks/index.js";
import { assertClose, fromJson, readFixture, type TensorJson } from "../helpers/fixtures.js";

const { vision } = fl;

test("PSNR and SSIM (luma and RGB, border shaved) match scikit-image", () => {
  const q = readFixture<{
    a: TensorJson;
    b: TensorJson;
    shave: number;
    psnr_y: number;
    ssim_y: number;
    psnr_rgb: number;
    ssim_rgb: number;
  }>("vision", "quality.json");
  const a = fromJson(q.a).unsqueeze(0);
  const b = fromJson(q.b).unsqueeze(0);
  const near = (x: number, y: number, tol: number, what: string) => assert.ok(Math.abs(x - y) < tol, `${what}: ${x} vs ${y}`);
  near(vision.psnr(a, b, { shave: q.shave })[0]!, q.psnr_y, 1e-4, "PSNR Y");
  near(vision.ssim(a, b, { shave: q.shave })[0]!, q.ssim_y, 1e-5, "SSIM Y");
  near(vision.psnr(a, b, { shave: q.shave, space: "rgb" })[0]!, q.psnr_rgb, 1e-4, "PSNR RGB");
  near(vision.ssim(a, b, { shave: q.shave, space: "rgb" })[0]!, q.ssim_rgb, 1e-5, "SSIM RGB");
  assert.ok(vision.ssim(a, a)[0]! > 0.99999, "SSIM of an image with itself is 1");
  assert.throws(() => vision.psnr(a, b.narrow(3, 0, 20)), /psnr: expects two \[N, C, H, W\] images of one shape/);
  assert.throws(() => vision.psnr(a, b, { shave: 20 }), /shave 20 leaves nothing/);
});

test("the SSIM loss is 1 − the RGB SSIM metric, and its gradient matches central differences", () => {
  fl.manualSeed(3);
  const a = fl.rand([2, 1, 14, 13], { dtype: "float64" });
  const b = a.add(fl.randn([2, 1, 14, 13], { dtype: "float64" }).mul(0.2)).clamp(0, 1);
  const metric = vision.ssim(a, b, { space: "rgb" });
  const loss = vision.ssimLoss(a, b).item();
  assert.ok(Math.abs(loss - (1 - (metric[0]! + metric[1]!) / 2)) < 1e-12, `${loss} vs metric ${metric}`);
  assert.ok(Math.abs(vision.ssimLoss(a, a).item()) < 1e-12, "SSIM of an image with itself is 1");
  const x = b.clone().requiresGrad_();
  vision.ssimLoss(x, a).backward();
  const g = x.grad!.data() as Float64Array;
  const flat = b.contiguous().data() as Float64Array;
  const at = (v: Float64Array) => vision.ssimLoss(fl.tensor(v, { shape: b.shape, dtype: "float64" }), a).item();
  const eps = 1e-6;
  for (const j of [0, 17, 100, 200, 363]) {
    const up = flat.slice();
    const down = flat.slice();
    up[j]! += eps;
    down[j]! -= eps;
    const fd = (at(up) - at(down)) / (2 * eps);
    assert.ok(Math.abs(g[j]! - fd) < 1e-7 * Math.max(1, Math.abs(fd)), `grad[${j}] ${g[j]} vs ${fd}`);
  }
  assert.throws(() => vision.ssimLoss(a.narrow(2, 0, 10), b.narrow(2, 0, 10)), /ssimLoss: images must be at least 11×11/);
});

test("super-resolution models upscale by their factor and start as exact bicubic upscaling", () => {
  fl.manualSeed(0);
  const x = fl.rand([2, 3, 10, 12]);
  for (const scale of [2, 3, 4]) {
    const sr = new vision.SRResNet({ scale, width: 8, blocks: 1 });
    const es = new vision.ESPCN({ scale, width: 8 });
    const bicubic = vision.transforms.upsampleBicubic(x, scale);
    for (const m of [sr, es])
      assertClose(
        fl.noGrad(() => m.forward(x)),
        bicubic,
        `untrained ×${scale} = bicubic`,
        0,
        1e-6,
      );
  }
  const plain = new vision.ESPCN({ scale: 2, residual: false, width: 8 });
  assert.deepEqual(plain.stateDict().get("conv3.weight")!.shape, [12, 4, 3, 3]);
  assert.throws(() => new vision.ESPCN({ scale: 2.5 }), /ESPCN: scale must be an integer in \[1, 8\], got 2.5/);
  const u = new vision.UNet({ inChannels: 1, outChannels: 2, depth: 3, width: 4 });
  assert.deepEqual([...fl.noGrad(() => u.forward(fl.rand([1, 1, 37, 50]))).shape], [1, 2, 37, 50], "U-Net keeps odd sizes");
  assert.throws(() => new vision.UNet({ depth: 0 }), /UNet: depth must be an integer in \[1, 6\]/);
  // At half resolution the logits come back at the input's size, odd sizes included.
  const half = new vision.UNet({ inChannels: 1, outChannels: 2, depth: 3, width: 4, stemStride: 2 });
  assert.deepEqual([...fl.noGrad(() => half.forward(fl.rand([1, 1, 37, 50]))).shape], [1, 2, 37, 50], "half-resolution U-Net");
  assert.throws(() => new vision.UNet({ stemStride: 4 }), /UNet: stemStride must be 1 or 2, got 4/);
});

test("the photo split holds out whole scenes: stereo pairs and edited copies stay on one side", async () => {
  assert.equal(vision.sceneKey("/x/aloeL.jpg"), vision.sceneKey("/y/aloeR.jpg"));
  assert.equal(vision.sceneKey("motorcycle_left.png"), vision.sceneKey("motorcycle_right.png"));
  assert.equal(vision.sceneKey("ela_original.jpg"), vision.sceneKey("ela_modified.jpg"));
  const files = ["a1.png", "a2.png", "b.png", "c.png", "dL.png", "dR.png", "e.png", "f.png"];
  const { train, test: held } = vision.splitPhotos(files);
  assert.deepEqual(held, ["c.png"]);
  assert.equal(train.length + held.length, files.length);
  assert.throws(() => vision.splitPhotos(["one.png"]), /need at least 2 images/);
});

test("the degradations: ×2 input is half size on the 8-bit grid; bicubic of it is the baseline", () => {
  const hr = fl.rand([1, 3, 16, 20]);
  const lr = vision.degrade(hr, { kind: "super-resolution", scale: 2 });
  assert.deepEqual([...lr.shape], [1, 3, 8, 10]);
  const steps = lr.mul(255);
  assert.ok(steps.sub(steps.round()).abs().max().item() < 1e-4, "quantised to 1/255");
  assert.deepEqual([...vision.baseline(lr, { kind: "super-resolution", scale: 2 }).shape], [1, 3, 16, 20]);
  const noisy = vision.degrade(fl.zeros([1, 3, 64, 64]), { kind: "denoise", sigma: 0.1 });
  assert.ok(Math.abs(noisy.std().item() - 0.1) < 0.01, "noise has the requested σ");
});

/** The standard normal CDF (Abramowitz & Stegun 7.1.26, error < 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

test("the blur degradation: a Gaussian of σ sampled at each low-resolution pixel's centre, where bicubic upscaling puts it", () => {
  // A ramp's blurred sample is the ramp at the pixel's centre s·i + (s − 1)/2 (the kernel is
  // symmetric about it); a step edge's is the Gaussian CDF of the centre's distance to the edge
  // over σ. Both away from the border, within 8-bit quantisation.
  const side = 48;
  const xs = fl.arange(side, undefined, 1, { dtype: "float32" }).view([1, 1, 1, side]).expand([1, 3, side, side]);
  const edge = side / 2 - 0.5;
  for (const scale of [2, 3, 4]) {
    const sigma = 0.4 * scale;
    const job = { kind: "super-resolution", scale, blur: sigma } as const;
    // Scaled to span [0, 1): one grey level is 48/255 px of the ramp.
    const ramp = vision.degrade(xs.div(side), job).mul(side);
    const step = vision.degrade(xs.gt(edge).float(), job);
    const n = Math.floor(side / scale);
    assert.deepEqual([...ramp.shape], [1, 3, n, n]);
    for (let i = 3; i < n - 3; i++) {
      const centre = scale * i + (scale - 1) / 2;
      assert.ok(Math.abs(ramp.select(3, i).mean().item() - centre) <= 0.12, `×${scale} ramp at ${i}`);
      const want = normalCdf((centre - edge) / sigma);
      assert.ok(Math.abs(step.select(3, i).mean().item() - want) <= 0.02, `×${scale} edge at ${i}: ${want}`);
    }
  }
});

async function writePhotos(dir: string, n: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  fl.manualSeed(1);
  for (let i = 0; i < n; i++) {
    // Smooth colour fields with some texture: a stand-in for photos that trains in seconds.
    const yy = fl.linspace(0, 1, 64).view([1, 64, 1]);
    const xx = fl.linspace(0, 1, 64).view([1, 1, 64]);
    const img = fl
      .cat(
        [
          yy
            .mul(xx)
            .mul(i + 1)
            .sin(),
          xx.mul(3 + i).cos(),
          yy.mul(5).add(i).sin(),
        ].map((c) => c.expand([1, 64, 64])),
        0,
      )
      .add(1)
      .div(2)
      .add(fl.rand([3, 64, 64]).mul(0.1))
      .clamp(0, 1);
    await vision.writeImage(join(dir, `photo${String.fromCharCode(97 + i)}.png`), img);
  }
}

test("image-to-image trains, evaluates on held-out photos and writes upscaled PNGs", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-i2i-"));
  try {
    await writePhotos(join(dir, "photos"), 5);
    const task = VISION_TASKS["image-to-image"];
    const r = await task.train({
      data: join(dir, "photos"),
      out: join(dir, "m"),
      model: "espcn-x2",
      epochs: 2,
      batchSize: 2,
      limit: 8,
      seed: 0,
    });
    const m = r.metrics as Record<string, number>;
    assert.equal(m.photos, 1);
    for (const k of ["psnrY", "ssimY", "bicubicPsnrY", "bicubicSsimY", "psnrGainY"]) assert.ok(Number.isFinite(m[k]!), `${k} is finite`);
    const e = await task.evaluate(join(dir, "m"), join(dir, "photos"));
    assert.ok(Math.abs((e.psnrY as number) - m.psnrY!) < 1e-6, "eval reproduces the held-out score");
    const [p] = (await task.predict(join(dir, "m"), [join(dir, "photos", "photoa.png")])) as {
      output: string;
      width: number;
      height: number;
    }[];
    assert.ok(existsSync(p!.output));
    assert.deepEqual([p!.height, p!.width], [128, 128]);
    const back = await vision.readImageTensor(p!.output);
    assert.deepEqual([...back.shape], [3, 128, 128]);
    assert.match(task.formatPrediction(p!), /wrote .*photoa-x2\.png \(128×128\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("image-to-image rejects an empty folder, a non-image file and photos smaller than a patch", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-i2i-bad-"));
  try {
    const task = VISION_TASKS["image-to-image"];
    mkdirSync(join(dir, "empty"));
    await assert.rejects(task.train({ data: join(dir, "empty"), out: join(dir, "m") }), /photos: no images .* in .*empty/);
    await assert.rejects(task.train({ data: join(dir, "nope"), out: join(dir, "m") }), /photos: no such directory/);
    mkdirSync(join(dir, "bad"));
    writeFileSync(join(dir, "bad", "a.png"), "this is not a PNG");
    writeFileSync(join(dir, "bad", "b.png"), "nor is this");
    await assert.rejects(task.train({ data: join(dir, "bad"), out: join(dir, "m"), model: "espcn-x2" }), /cannot decode .*\.png/);
    mkdirSync(join(dir, "tiny"));
    for (const n of ["a", "b", "c"]) await vision.writeImage(join(dir, "tiny", `${n}.png`), fl.rand([3, 20, 20]));
    await assert.rejects(
      task.train({ data: join(dir, "tiny"), out: join(dir, "m"), model: "espcn-x2" }),
      /is 20×20; this task needs photos of at least 48 px/,
    );
    // An unknown model is refused before anything runs (defineTask checks it synchronously).
    await assert.rejects(
      async () => task.train({ data: join(dir, "tiny"), out: join(dir, "m"), model: "espcn-x5" }),
      /unknown model "espcn-x5"/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
