// `flambeau train text-classification --nproc 2`: two worker processes train one model
// data-parallel on the one Trainer; rank 0 writes a model directory that `flambeau eval` reads.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { trainTwoProcessesThenEval } from "../helpers/nproc.js";

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
    const args = ["--data", data, "--model", "bow-logistic", "--epochs", "1", "--lr", "0.1", "--batch-size", "16"];
    // The rows repeat a few sentences, so every example shares its text with a training one.
    const r = trainTwoProcessesThenEval("text-classification", args, out, ["--data", data, "--include-training-data"]);
    assert.ok(existsSync(join(out, "tokenizer.json")));
    assert.equal(r.eval.examples, 80);
    assert.ok((r.eval.accuracy as number) >= 0 && (r.eval.accuracy as number) <= 1, `accuracy ${r.eval.accuracy}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
