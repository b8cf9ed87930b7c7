// The options tune now searches in text-classification reach the model and its config.json:
// a textcnn trained with --embed-dim and --dropout loads back with those sizes, and a model
// trained without them (the default recipe, every model saved before) still loads.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as fl from "flambeau";

// Tiny models: one thread avoids OpenMP spinning on a busy machine.
fl.setNumThreads(1);
const dir = mkdtempSync(join(tmpdir(), "fl-search-hints-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const fruit = ["apple", "banana", "cherry", "grape", "mango", "pear"];
const car = ["truck", "bus", "tram", "bike", "train", "van"];
const row = (k: number) => {
  const [w, label] = k % 2 ? [fruit, "fruit"] : [car, "car"];
  return JSON.stringify({ text: `the ${w[k % 6]} and ${w[(k + 2) % 6]}`, label });
};
const data = join(dir, "train.jsonl");
writeFileSync(data, Array.from({ length: 60 }, (_, k) => row(k)).join("\n"));

test("text-classification: embedDim and dropout are saved in hyper and size the loaded model; without them it loads too", async () => {
  const task = fl.tasks.getTask("text-classification");
  const sized = join(dir, "sized");
  await task.train({ data, out: sized, model: "textcnn", epochs: 1, embedDim: 12, dropout: 0.1 });
  const hyper = JSON.parse(readFileSync(join(sized, "config.json"), "utf8")).hyper;
  assert.equal(hyper.embedDim, 12);
  assert.equal(hyper.dropout, 0.1);
  const m = (await task.loadModule!(sized)) as fl.nn.Module;
  const embedding = m.namedParameters().find(([k]) => k.endsWith("embedding.weight"))!;
  assert.equal(embedding[1].shape[1], 12);
  const plain = join(dir, "plain");
  await task.train({ data, out: plain, model: "textcnn", epochs: 1 });
  assert.equal(JSON.parse(readFileSync(join(plain, "config.json"), "utf8")).hyper.embedDim, undefined);
  const e = await task.evaluate(plain, data, { includeTrainingData: true });
  assert.equal(typeof e.accuracy, "number");
});
