// `flambeau train text-classification --nproc 2`: two worker processes train one model
// data-parallel on the one Trainer; rank 0 writes a model directory that `flambeau eval` reads.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const BIN = join(ROOT, "bin", "flambeau.js");

const fruit = ["apple", "banana", "cherry", "grape", "mango", "pear"];
const car = ["truck", "bus", "tram", "bike", "train", "van"];
const line = (k: number, words: string[], label: string) =>
  JSON.stringify({ text: `the ${words[k % 6]} and ${words[(k + 2) % 6]} ${words[(k + 3) % 6]}`, label });
const rows = (n: number) => Array.from({ length: n }, (_, k) => (k % 2 ? line(k, fruit, "fruit") : line(k, car, "car"))).join("\n");

test("text-classification trains with --nproc 2 and flambeau eval reads the model", () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-text-nproc-"));
  try {
    const data = join(dir, "train.jsonl");
    writeFileSync(data, `${rows(80)}\n`);
    const out = join(dir, "model");
    const env = { ...process.env, FLAMBEAU_NUM_THREADS: "1" };
    const args = ["train", "text-classification", "--data", data, "--model", "bow-logistic", "--epochs", "1", "--lr", "0.1"];
    const r = spawnSync(process.execPath, [BIN, ...args, "--batch-size", "16", "--nproc", "2", "--out", out, "--json"], {
      encoding: "utf8",
      env,
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, 1, `expected one JSON line from rank 0, got: ${r.stdout}`);
    const j = JSON.parse(lines[0]!) as { worldSize: number; dir: string };
    assert.equal(j.worldSize, 2);
    assert.equal(j.dir, out);
    assert.ok(existsSync(join(out, "model.safetensors")) && existsSync(join(out, "vocab.json")));
    const e = spawnSync(process.execPath, [BIN, "eval", out, "--data", data, "--json"], { encoding: "utf8", env, timeout: 60_000 });
    assert.equal(e.status, 0, e.stderr);
    const m = JSON.parse(e.stdout.trim().split("\n").at(-1)!) as { examples: number; accuracy: number };
    assert.equal(m.examples, 80);
    assert.ok(m.accuracy >= 0 && m.accuracy <= 1, `accuracy ${m.accuracy}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
