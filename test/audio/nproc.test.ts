// `flambeau train audio-classification --nproc 2` on a tiny AudioFolder of tones: data-parallel
// training (each rank takes its rows of every batch) finishes, and `flambeau eval` reads the model.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as fl from "flambeau";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const BIN = join(ROOT, "bin", "flambeau.js");
const env = { ...process.env, FLAMBEAU_NUM_THREADS: "1" };

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
    const dir = join(root, "model");
    const args = ["train", "audio-classification", "--data", data, "--model", "tc-resnet8", "--epochs", "1", "--batch-size", "8"];
    const r = spawnSync(process.execPath, [BIN, ...args, "--nproc", "2", "--out", dir, "--json"], {
      encoding: "utf8",
      env,
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, 1, `expected one JSON line from rank 0, got: ${r.stdout}`);
    assert.equal((JSON.parse(lines[0]!) as { worldSize: number }).worldSize, 2);
    assert.ok(existsSync(join(dir, "model.safetensors")));
    const e = spawnSync(process.execPath, [BIN, "eval", dir, "--data", data, "--json"], { encoding: "utf8", env, timeout: 60_000 });
    assert.equal(e.status, 0, e.stderr);
    const m = JSON.parse(e.stdout) as { task: string; examples: number; accuracy: number };
    assert.equal(m.task, "audio-classification");
    assert.equal(m.examples, 16);
    assert.ok(m.accuracy >= 0 && m.accuracy <= 1);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
