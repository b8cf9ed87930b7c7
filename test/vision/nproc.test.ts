// `flambeau train <vision task> --nproc 2`: a scene task (the training run localization,
// segmentation and detection share) trains data-parallel in two processes, and the model
// directory rank 0 writes is one `flambeau eval` reads.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const BIN = join(ROOT, "bin", "flambeau.js");
const ENV = { ...process.env, FLAMBEAU_NUM_THREADS: "1" };

test("flambeau train image-localization --nproc 2 writes a model directory flambeau eval reads", () => {
  const tmp = mkdtempSync(join(tmpdir(), "fl-vision-nproc-"));
  try {
    const dir = join(tmp, "model");
    const train = spawnSync(
      process.execPath,
      [
        BIN,
        "train",
        "image-localization",
        "--data",
        "scenes",
        "--epochs",
        "1",
        "--limit",
        "32",
        "--batch-size",
        "16",
        "--nproc",
        "2",
        "--out",
        dir,
        "--json",
      ],
      // Generous: on a loaded machine a worker may wait 30 s for the rendezvous.
      { encoding: "utf8", env: ENV, timeout: 300_000 },
    );
    assert.equal(train.status, 0, train.stderr);
    const lines = train.stdout.trim().split("\n");
    assert.equal(lines.length, 1, `expected one JSON line from rank 0, got: ${train.stdout}`);
    const t = JSON.parse(lines[0]!) as { worldSize: number; dir: string; meanIou: number };
    assert.equal(t.worldSize, 2);
    assert.equal(t.dir, dir);
    assert.ok(t.meanIou >= 0 && t.meanIou <= 1, `meanIou ${t.meanIou}`);
    assert.ok(existsSync(join(dir, "model.safetensors")) && existsSync(join(dir, "config.json")));
    const ev = spawnSync(process.execPath, [BIN, "eval", dir, "--data", "scenes", "--limit", "16", "--json"], {
      encoding: "utf8",
      env: ENV,
      timeout: 120_000,
    });
    assert.equal(ev.status, 0, ev.stderr);
    const e = JSON.parse(ev.stdout) as { task: string; examples: number; accuracy: number };
    assert.equal(e.task, "image-localization");
    assert.equal(e.examples, 16);
    assert.ok(e.accuracy >= 0 && e.accuracy <= 1);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
