import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as fl from "flambeau";
import { textClassification } from "../../src/text/tasks/text-classification.js";
import { type TagPrediction, tokenClassification } from "../../src/text/tasks/token-classification.js";

// These models are tiny: one thread avoids OpenMP spinning on a busy machine.
fl.setNumThreads(1);
const dir = mkdtempSync(join(tmpdir(), "fl-text-tasks-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, content: string): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

// Two separable classes: fruit words vs vehicle words.
const fruit = ["apple", "banana", "cherry", "grape", "mango", "pear"];
const car = ["truck", "bus", "tram", "bike", "train", "van"];
const line = (k: number, words: string[], label: string) =>
  JSON.stringify({ text: `the ${words[k % 6]} and ${words[(k + 2) % 6]} ${words[(k + 3) % 6]}`, label });
const rows = (n: number) => Array.from({ length: n }, (_, k) => (k % 2 ? line(k, fruit, "fruit") : line(k, car, "car"))).join("\n");

describe("text-classification end to end", () => {
  test("train (TF-IDF logistic), evaluate, predict with probabilities", async () => {
    const train = write("train.jsonl", rows(80));
    const val = write("val.jsonl", rows(20));
    const out = join(dir, "clf");
    const r = await textClassification.train({ data: train, val, out, model: "bow-logistic", epochs: 8, lr: 0.1, batchSize: 16 });
    assert.equal(r.history.epochs.length, 8);
    const m = await textClassification.evaluate(out, val);
    assert.equal(m.accuracy, 1);
    assert.deepEqual(m.labels, ["car", "fruit"]);
    assert.equal(m.majorityBaselineAccuracy, 0.5);
    const [p] = (await textClassification.predict(out, ["a mango and a pear"])) as { labels: { label: string; probability: number }[] }[];
    assert.equal(p!.labels[0]!.label, "fruit");
    assert.ok(p!.labels[0]!.probability > 0.5);
    assert.match(textClassification.formatPrediction(p!), /^fruit \d+\.\d%/);
  });
  test("unknown labels at evaluation and empty inputs are errors", async () => {
    const out = join(dir, "clf");
    const bad = write("bad.jsonl", `${line(1, fruit, "fruit")}\n${line(2, car, "boat")}\n`);
    await assert.rejects(textClassification.evaluate(out, bad), /bad\.jsonl:2: unknown label "boat"; the model knows "car", "fruit"/);
    await assert.rejects(textClassification.predict(out, ["  "]), /input 1 is an empty text/);
    await assert.rejects(
      textClassification.train({ data: join(dir, "nope.csv"), out }),
      (e: unknown) => e instanceof fl.FlambeauError && /no such file, and not a built-in set/.test(e.message),
    );
  });
});

describe("token-classification end to end", () => {
  const sent = (k: number) => (k % 2 ? "The\tDET\ncat\tNOUN\nsat\tVERB\n" : "A\tDET\ndog\tNOUN\nran\tVERB\nquickly\tADV\n");
  test("train a BiLSTM-CRF on CoNLL, evaluate token accuracy, tag new text", async () => {
    const train = write("train.conll", Array.from({ length: 40 }, (_, k) => sent(k)).join("\n"));
    const out = join(dir, "tagger");
    await tokenClassification.train({ data: train, val: train, out, epochs: 4, lr: 0.03, batchSize: 10 });
    const m = await tokenClassification.evaluate(out, train);
    assert.ok((m.accuracy as number) > 0.9, `token accuracy ${m.accuracy}`);
    const [p] = (await tokenClassification.predict(out, ["The dog sat"])) as TagPrediction[];
    assert.deepEqual(p!.tokens, ["The", "dog", "sat"]);
    assert.equal(p!.tags.length, 3);
    const bad = write("bad.conll", "The\tDET\ncat\tXYZ\n");
    await assert.rejects(tokenClassification.evaluate(out, bad), /sentence 1: unknown tag "XYZ"/);
  });
});
