// The frame-interpolation task end to end on a tiny budget: the linear-blend baseline's PSNR
// against a plain loop, eval reproducing train's scores, and predict interleaving
// synthesised frames between the given ones.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { movingMnist } from "../../src/video/data/moving-mnist.js";
import { FlowInterpolator } from "../../src/video/prediction/flow-interpolator.js";
import { doubleFrameRate } from "../../src/video/retime.js";
import { frameInterpolation, interpolateFrames, TEST_SEED } from "../../src/video/tasks/frame-interpolation.js";
import { readImage, writeImage } from "../../src/vision/image-io.js";
import { assertClose } from "../helpers/fixtures.js";

test("frame-interpolation: tiny train, blend PSNR by hand, eval = train, predict doubles the frame rate", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-frameint-"));
  try {
    const out = join(dir, "model");
    const r = await frameInterpolation.train({
      data: "moving-mnist",
      out,
      model: "ifnet-tiny",
      epochs: 1,
      limit: 8,
      batchSize: 8,
      testTriplets: 6,
    });
    const m = r.metrics as Record<string, number>;
    // Linear blend: PSNR = 10 log10(255² / MSE) on [0, 255], averaged over the triplets.
    const test2 = await movingMnist("test", TEST_SEED, { frames: 3 });
    let blend = 0;
    for (let i = 0; i < 6; i++) {
      const d = test2.sequenceData(i);
      let se = 0;
      for (let k = 0; k < 4096; k++) se += (((d[k]! + d[8192 + k]!) / 2 - d[4096 + k]!) * 255) ** 2;
      blend += 10 * Math.log10((255 * 255) / (se / 4096));
    }
    assert.ok(Math.abs(m.blendPsnr! - blend / 6) < 1e-3, `blend PSNR ${m.blendPsnr} vs ${blend / 6}`);
    assert.ok(Number.isFinite(m.psnr) && m.ssim! > 0 && m.ssim! <= 1);
    const e = await frameInterpolation.evaluate(out, "moving-mnist", { testTriplets: 6 });
    assert.ok(Math.abs((e.psnr as number) - m.psnr!) < 1e-6, `eval ${e.psnr} vs train ${m.psnr}`);
    const clip = test2.batch(0, 1).squeeze(0);
    const strip = join(dir, "clip.png");
    await writeImage(strip, clip.permute([1, 2, 0, 3]).reshape([1, 64, 3 * 64]));
    const p = (await frameInterpolation.predict(out, ["moving-mnist:2", strip])) as { output: string; frames: number }[];
    const [a, b] = [await readImage(p[0]!.output), await readImage(p[1]!.output)];
    assert.deepEqual([a.height, a.width, b.height, b.width, p[1]!.frames], [128, 192, 64, 320, 5]);
    await assert.rejects(
      frameInterpolation.train({ data: "clips", out }),
      /--data must be "opencv-videos", "moving-mnist" or a folder .*; clips is not a folder/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("interpolateFrames keeps the given frames and puts one synthesised frame between each pair", () => {
  // Zero flows and an even mask: each synthesised frame is the blend of its neighbours.
  const net = new FlowInterpolator({ channels: 1, width: 4, blocks: 1 });
  for (const v of net.head.stateDict().values()) v.zero_();
  const f = fl.rand([3, 1, 8, 8]);
  const y = interpolateFrames(net, f);
  assert.deepEqual([...y.shape], [5, 1, 8, 8]);
  for (let t = 0; t < 3; t++) assertClose(y.select(0, 2 * t), f.select(0, t), `frame ${t} kept`, 0, 0);
  for (let t = 0; t < 2; t++)
    assertClose(
      y.select(0, 2 * t + 1),
      f
        .select(0, t)
        .add(f.select(0, t + 1))
        .div(2),
      `middle ${t}`,
      0,
      1e-6,
    );
  assert.throws(() => interpolateFrames(net, f.narrow(0, 0, 1)), /expects frames \[T ≥ 2, C, H, W\]/);
});

test("doubleFrameRate streams f0, m0, f1, …: the given frames exact, one synthesised frame per pair, across chunk boundaries", async () => {
  fl.manualSeed(0);
  const model = new FlowInterpolator({ channels: 3, width: 4, blocks: 1 });
  model.eval();
  const T = 7;
  const frames = Uint8Array.from({ length: T * 3 * 8 * 8 }, (_, i) => (i * 37) % 251);
  const per = 3 * 8 * 8;
  // Chunks of 3, 3 and 1 frames.
  async function* chunks() {
    for (const start of [0, 3, 6]) {
      const n = Math.min(3, T - start);
      yield { start, shape: [n, 3, 8, 8] as [number, number, number, number], data: frames.slice(start * per, (start + n) * per) };
    }
  }
  const out: Uint8Array[] = [];
  let next = 0;
  for await (const c of doubleFrameRate(model, chunks())) {
    assert.equal(c.start, next);
    for (let i = 0; i < c.shape[0]; i++) out.push(c.data.slice(i * per, (i + 1) * per));
    next += c.shape[0];
  }
  assert.equal(out.length, 2 * T - 1);
  for (let t = 0; t < T; t++) assert.deepEqual(out[2 * t], frames.slice(t * per, (t + 1) * per), `frame ${t}`);
  // Each synthesised frame is the model's middle frame of its two neighbours.
  const f = (t: number) =>
    fl
      .tensor(frames.slice(t * per, (t + 1) * per), { shape: [1, 3, 8, 8] })
      .float()
      .div(255);
  const want = model.forward(f(3), f(4)).clamp(0, 1).mul(255).round();
  // The stream batches each chunk's pairs: equal to one pair alone up to a rounding step.
  const got = Array.from(out[7]!);
  const w = Array.from(want.data() as Float32Array);
  assert.ok(
    got.every((v, i) => Math.abs(v - w[i]!) <= 1),
    "frame 3½",
  );
});

test("frame-interpolation on a folder of videos: crops in, whole held-out frames scored, eval = train, predict doubles a video's rate", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-frameint-footage-"));
  try {
    const root = join(dir, "videos");
    for (const [split, seed] of [
      ["train", 1],
      ["test", 2],
    ] as const) {
      mkdirSync(join(root, split), { recursive: true });
      const set = await fl.video.generateClips({ count: 1, size: 96, frames: 8, seed });
      await fl.video.writeVideo(join(root, split, "clip.mp4"), { start: 0, shape: [8, 3, 96, 96], data: set.clips[0]!.frames }, { fps: 8 });
    }
    const out = join(dir, "model");
    const r = await frameInterpolation.train({
      data: root,
      out,
      model: "ifnet-tiny",
      epochs: 1,
      limit: 4,
      batchSize: 2,
      gap: 2,
      testTriplets: 3,
    });
    const m = r.metrics as Record<string, number>;
    assert.equal(m.triplets, 3);
    for (const k of ["psnr", "blendPsnr"]) assert.ok(m[k]! > 5 && m[k]! < 80, `${k} ${m[k]}`);
    const e = await frameInterpolation.evaluate(out, root, { testTriplets: 3 });
    assert.equal(e.psnr, m.psnr);
    assert.equal(e.blendPsnr, m.blendPsnr);
    await assert.rejects(frameInterpolation.evaluate(out, "moving-mnist", {}), /trained on real footage; --data moving-mnist/);
    const [p] = (await frameInterpolation.predict(out, [join(root, "test", "clip.mp4")], {})) as { output: string; frames: number }[];
    assert.equal(p!.frames, 15);
    const info = await fl.video.probeVideo(p!.output);
    assert.deepEqual([info.width, info.height, info.fps], [96, 96, 16]);
    await assert.rejects(frameInterpolation.train({ data: root, out, gap: 9 }), /--gap must be an integer in \[1, 8\], got 9/);
    await assert.rejects(frameInterpolation.train({ data: join(dir, "nothing"), out }), /is not a folder/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
