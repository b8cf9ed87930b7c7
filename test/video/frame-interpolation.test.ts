// The frame-interpolation task end to end on a tiny budget: the linear-blend baseline's PSNR
// against a plain loop, eval reproducing train's scores, and predict interleaving
// synthesised frames between the given ones.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { movingMnist } from "../../src/video/data/moving-mnist.js";
import { FlowInterpolator } from "../../src/video/prediction/flow-interpolator.js";
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
    await assert.rejects(frameInterpolation.train({ data: "clips", out }), /--data must be "moving-mnist"/);
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
