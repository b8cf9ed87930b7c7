// `compress --quantize int8` on text classifiers (the default wide & deep model and a BiLSTM,
// on a small JSONL file): the variant's Linear and LSTM layers run libtorch's dynamic int8
// kernels at eval, its logits stay within tolerance of the float model's, and a copied weight
// map still gets them.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as fl from "flambeau";
import { checkInt8Variant } from "./compress-text-audio-check.js";

const root = mkdtempSync(join(tmpdir(), "fl-compress-text-"));
after(() => rmSync(root, { recursive: true, force: true }));

const fruit = ["apple", "banana", "cherry", "grape", "mango", "pear"];
const car = ["truck", "bus", "tram", "bike", "train", "van"];
const line = (k: number, words: string[], label: string) =>
  JSON.stringify({ text: `the ${words[k % 6]} and the ${words[(k + 2) % 6]} near a ${words[(k + 3) % 6]}, note ${k}`, label });

// 64 training texts and 16 held-out ones for eval (a file's own examples were all seen in training: its split record).
const texts = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => from + i).map((k) => (k % 2 ? line(k, fruit, "fruit") : line(k, car, "car")));
const data = join(root, "train.jsonl");
const heldOut = join(root, "test.jsonl");
writeFileSync(data, texts(0, 64).join("\n"));
writeFileSync(heldOut, texts(64, 16).join("\n"));

/** Trains `model` (the task's default when undefined) for 2 epochs and checks its int8 variant. */
async function int8Check(name: string, model?: string) {
  const task = fl.tasks.getTask("text-classification");
  const base = join(root, `${name}-base`);
  await task.train({ data, out: base, ...(model ? { model } : {}), epochs: 2, batchSize: 8, seed: 0, log: () => {} } as Parameters<
    typeof task.train
  >[0]);
  return checkInt8Variant(task, base, heldOut, data, join(root, `${name}-cmp`));
}

test("text-classification: an int8 variant runs dynamic int8 Linear kernels at eval, close to float", async () => {
  const r = await int8Check("default");
  assert.equal(r.plan.kernels, "dynamic");
  assert.ok(r.maxError <= 0.05 * Math.max(1, r.span), `int8 logits within 5 % of the float range (error ${r.maxError}, range ${r.span})`);
});

test("text-classification: a BiLSTM classifier's int8 variant runs its LSTM on aten::quantized_lstm, close to float", async () => {
  const r = await int8Check("rnn", "bilstm");
  assert.equal(r.plan.kernels, "dynamic");
  assert.ok(r.plan.layers?.includes("rnn"), `the LSTM is in the dynamic plan: ${r.plan.layers}`);
  assert.ok(r.maxError <= 0.05 * Math.max(1, r.span), `int8 logits within 5 % of the float range (error ${r.maxError}, range ${r.span})`);
});
