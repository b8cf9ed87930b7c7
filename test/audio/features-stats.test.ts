// MFCC statistics (the shallow side of `flambeau compare` for audio) against torchaudio's
// MFCC and compute_deltas reduced per clip by PyTorch (scripts/fixtures/compare_features.py),
// the frame statistics against a hand count, and the pipeline on a tiny AudioFolder.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { frameStats, MfccStats, mfccStatNames } from "../../src/audio/features/mfcc-stats.js";
import { audioShallowPipeline } from "../../src/audio/features/pipeline.js";
import { compare } from "../../src/compare/index.js";
import { assertClose, readFixture, type TensorJson } from "../helpers/fixtures.js";

test("frameStats: mean, population std, min and max over frames, by hand", () => {
  const c = fl.tensor(Float32Array.from([1, 2, 3, 6, -2, 0, 0, 2]), { shape: [2, 4] });
  // Row 0: mean 3, deviations −2 −1 0 3 → var 14/4; row 1: mean 0, var 8/4.
  assertClose(frameStats(c), fl.tensor(Float32Array.from([3, 0, Math.sqrt(3.5), Math.sqrt(2), 1, -2, 6, 2])), "stats");
  assert.throws(() => frameStats(fl.tensor(Float32Array.from([1, 2]))), /frameStats: expected \[\.\.\., coefficients, frames\], got \[2\]/);
});

test("MfccStats matches torchaudio MFCC + compute_deltas statistics", () => {
  const f = readFixture<{ wave: { shape: number[]; data: number[] }; features: TensorJson }>("compare", "mfcc-stats.json");
  const wave = fl.tensor(Float32Array.from(f.wave.data), { shape: f.wave.shape });
  const ex = new MfccStats();
  const out = ex.forward(wave);
  assert.deepEqual(out.shape, [2, 104]);
  assert.equal(mfccStatNames().length, 104);
  assert.equal(mfccStatNames()[13 * 5], "delta0_std");
  // dB-scale MFCCs reach ±300; float32 spectra and logs agree to ~1e-4 relative.
  assertClose(out, { ...f.features, dtype: "float32" }, "mfcc stats", 1e-3, 2e-3);
  assert.throws(() => ex.forward(fl.zeros([3])), /MfccStats: expected waveforms \[B, T\], got \[3\]/);
  ex.dispose();
});

const tone = (hz: number, n: number, phase: number) =>
  fl
    .arange(0, n)
    .float()
    .div(8000)
    .mul(2 * Math.PI * hz)
    .add(phase)
    .sin()
    .mul(0.5)
    .unsqueeze(0);

test("the audio shallow pipeline separates low and high tones, on the task's splits", async () => {
  const root = mkdtempSync(join(tmpdir(), "flambeau-stats-"));
  for (const [c, hz] of [
    ["high", 2500],
    ["low", 300],
  ] as const) {
    mkdirSync(join(root, c));
    for (let i = 0; i < 10; i++) fl.audio.writeWav(join(root, c, `${i}.wav`), tone(hz + 20 * i, 4000, i), 8000);
  }
  // 20 clips: 2 validation, 18 available for training (6 used with limit 6), and (no test/
  // folder) the 14 clips the run did not train on as the test set.
  const s = await audioShallowPipeline.load(root, { seed: 0, limit: 6 });
  assert.deepEqual([s.train.n, s.val.n, s.test.n, s.available], [6, 2, 14, 18]);
  assert.deepEqual(s.classes, ["high", "low"]);
  const x = s.features(s.test.x);
  assert.deepEqual(x.shape, [14, 104]);
  // The same clips give the same features: the test noise stream is fixed.
  assertClose(s.features(s.test.x), x, "repeatable");
  audioShallowPipeline.dispose(s);
  const r = await compare("audio-classification", { data: root, fractions: [0.5, 1], seeds: 1, shallowOnly: true });
  assert.deepEqual(
    r.runs.map((u) => u.trainExamples),
    [9, 18],
  );
  for (const u of r.runs) assert.ok(u.shallow.accuracy >= 0.9, `accuracy ${u.shallow.accuracy}`);
});
