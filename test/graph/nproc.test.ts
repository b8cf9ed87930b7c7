// `flambeau train node-classification --nproc 2`: full-graph training data-parallel (each rank
// takes its part of the training nodes) finishes, and `flambeau eval` reads the model it wrote.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const BIN = join(ROOT, "bin", "flambeau.js");
const env = { ...process.env, FLAMBEAU_NUM_THREADS: "1" };

test("node-classification trains with 2 worker processes; eval reads the model", () => {
  const out = mkdtempSync(join(tmpdir(), "flambeau-graph-nproc-"));
  try {
    const dir = join(out, "model");
    const args = ["train", "node-classification", "--data", "karate", "--epochs", "3", "--nproc", "2", "--out", dir, "--json"];
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env, timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, 1, `expected one JSON line from rank 0, got: ${r.stdout}`);
    assert.equal((JSON.parse(lines[0]!) as { worldSize: number }).worldSize, 2);
    assert.ok(existsSync(join(dir, "model.safetensors")));
    const e = spawnSync(process.execPath, [BIN, "eval", dir, "--data", "karate", "--json"], { encoding: "utf8", env, timeout: 60_000 });
    assert.equal(e.status, 0, e.stderr);
    const m = JSON.parse(e.stdout) as { task: string; nodes: number; accuracy: number };
    assert.equal(m.task, "node-classification");
    assert.equal(m.nodes, 32);
    assert.ok(m.accuracy >= 0 && m.accuracy <= 1);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
