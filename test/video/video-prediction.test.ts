// The video-prediction task end to end on a tiny budget: train, the baselines' scores
// against a plain loop over the same held-out sequences, eval reproducing train's scores,
// predict writing a PNG strip (from a held-out sequence and from a strip file).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { movingMnist } from "../../src/video/data/moving-mnist.js";
import { TEST_SEED, videoPrediction } from "../../src/video/tasks/video-prediction.js";
import { readImage, writeImage } from "../../src/vision/image-io.js";

test("video-prediction: tiny train, baselines by hand, eval = train, predict writes strips", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-vidpred-"));
  try {
    const out = join(dir, "model");
    const o = { inputFrames: 3, futureFrames: 2, testSequences: 4 };
    const r = await videoPrediction.train({ data: "moving-mnist", out, model: "convlstm-small", epochs: 1, limit: 4, batchSize: 4, ...o });
    const m = r.metrics as Record<string, number>;
    // Copy-last-frame and mean-frame MSE (sum over the frame, mean over sequences and frames), by a plain loop.
    const test2 = await movingMnist("test", TEST_SEED, { frames: 5 });
    let [last, mean] = [0, 0];
    for (let i = 0; i < 4; i++) {
      const d = test2.sequenceData(i);
      for (let t = 3; t < 5; t++)
        for (let k = 0; k < 4096; k++) {
          const truth = d[t * 4096 + k]!;
          last += (d[2 * 4096 + k]! - truth) ** 2;
          mean += ((d[k]! + d[4096 + k]! + d[2 * 4096 + k]!) / 3 - truth) ** 2;
        }
    }
    assert.ok(Math.abs(m.lastFrameMse! - last / 8) < 1e-3, `last-frame MSE ${m.lastFrameMse} vs ${last / 8}`);
    assert.ok(Math.abs(m.meanFrameMse! - mean / 8) < 1e-3, `mean-frame MSE ${m.meanFrameMse} vs ${mean / 8}`);
    assert.ok(m.mse! > 0 && m.mse! < 4096 && m.ssim! > -1 && m.ssim! <= 1);
    const e = await videoPrediction.evaluate(out, "moving-mnist", { testSequences: 4 });
    assert.ok(Math.abs((e.mse as number) - m.mse!) < 1e-3 * m.mse!, `eval ${e.mse} vs train ${m.mse}`);
    // A held-out sequence: input, prediction and truth rows; a strip file: input and prediction.
    const clip = test2.batch(0, 1).squeeze(0).narrow(0, 0, 3);
    const strip = join(dir, "clip.png");
    await writeImage(strip, clip.permute([1, 2, 0, 3]).reshape([1, 64, 3 * 64]));
    const p = (await videoPrediction.predict(out, ["moving-mnist:1", strip])) as { output: string }[];
    const a = await readImage(p[0]!.output);
    const b = await readImage(p[1]!.output);
    assert.deepEqual([a.height, a.width, b.height, b.width], [3 * 64, 3 * 64, 2 * 64, 3 * 64]);
    await assert.rejects(videoPrediction.predict(out, [join(dir, "missing.png")]));
    await assert.rejects(videoPrediction.train({ data: "mnist", out }), /--data must be "moving-mnist"/);
    fl.dispose(clip);
    // PredRNN through the same task: its family is saved, so eval rebuilds the same network.
    const pr = join(dir, "predrnn");
    const o2 = { inputFrames: 2, futureFrames: 1, testSequences: 2 };
    const r2 = await videoPrediction.train({
      data: "moving-mnist",
      out: pr,
      model: "predrnn-small",
      epochs: 1,
      limit: 2,
      batchSize: 2,
      ssimWeight: 0,
      ...o2,
    });
    // The loss's SSIM weight is recorded: 0 here (cross-entropy alone), the default 1 above.
    const weightOf = (d: string) => JSON.parse(readFileSync(join(d, "config.json"), "utf8")).metrics.ssimWeight;
    assert.deepEqual([weightOf(out), weightOf(pr)], [1, 0]);
    const e2 = await videoPrediction.evaluate(pr, "moving-mnist", { testSequences: 2 });
    assert.ok(Math.abs((e2.mse as number) - (r2.metrics.mse as number)) < 1e-3, `predrnn eval ${e2.mse} vs train ${r2.metrics.mse}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(!existsSync(dir));
});
