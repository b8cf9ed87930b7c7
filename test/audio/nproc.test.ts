// `flambeau train audio-classification --nproc 2` on a tiny AudioFolder of tones: data-parallel
// training (each rank takes its rows of every batch) finishes, and `flambeau eval` reads the model.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { trainTwoProcessesThenEval } from "../helpers/nproc.js";

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

test("audio-classification trains with 2 worker processes; eval reads the model", () => {
  const root = mkdtempSync(join(tmpdir(), "flambeau-audio-nproc-"));
  try {
    const data = join(root, "tones");
    for (const [c, hz] of [
      ["low", 300],
      ["high", 2500],
    ] as const) {
      mkdirSync(join(data, c), { recursive: true });
      for (let i = 0; i < 8; i++) fl.audio.writeWav(join(data, c, `${i}.wav`), tone(hz + 20 * i, 4000, i), 8000);
    }
    const args = ["--data", data, "--model", "tc-resnet8", "--epochs", "1", "--batch-size", "8"];
    const r = trainTwoProcessesThenEval("audio-classification", args, join(root, "model"), ["--data", data, "--include-training-data"]);
    assert.equal(r.eval.examples, 16);
    assert.ok((r.eval.accuracy as number) >= 0 && (r.eval.accuracy as number) <= 1);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
