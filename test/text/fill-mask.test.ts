import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as fl from "flambeau";
import { embedTexts, featureExtraction, nearestNeighbourAccuracy } from "../../src/text/tasks/feature-extraction.js";
import { type FillMaskPrediction, fillMask } from "../../src/text/tasks/fill-mask.js";
import { labelSubset, textClassification, trainTextClassifier } from "../../src/text/tasks/text-classification.js";
import { readUnlabelledTexts } from "../../src/text/unlabelled.js";
import { loadModelDir } from "../../src/train/model-dir.js";

// Tiny models: one thread avoids OpenMP spinning on a busy machine.
fl.setNumThreads(1);
const dir = mkdtempSync(join(tmpdir(), "fl-fill-mask-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, content: string): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

// Two fixed phrases: after pre-training, "red apple <mask> sweet" should be "tastes".
const paragraphs = Array.from({ length: 160 }, (_, k) =>
  k % 2 ? "the red apple tastes sweet and the green pear tastes sour" : "a fast train runs late and the slow bus runs early",
);
const corpus = write("corpus.txt", paragraphs.join("\n\n"));
const mlmDir = join(dir, "mlm");
const labelled = write(
  "labelled.jsonl",
  paragraphs.map((t, k) => JSON.stringify({ text: t, label: k % 2 ? "fruit" : "transport" })).join("\n"),
);

describe("unlabelled text sources", () => {
  test(".txt paragraphs, .jsonl text fields, comma-separated lists", async () => {
    const j = write("u.jsonl", `${JSON.stringify({ text: "one two" })}\n\n${JSON.stringify({ text: "three", label: "x" })}\n`);
    const c = write("u.csv", 'id,text\n1,"four, five"\n2,six\n');
    assert.deepEqual(await readUnlabelledTexts(`${j}, ${c}`), ["one two", "three", "four, five", "six"]);
    assert.equal((await readUnlabelledTexts(corpus)).length, 160);
  });
  test("malformed sources name the file and line", async () => {
    const bad = write("bad.jsonl", `${JSON.stringify({ text: "ok" })}\n{"text": 3}\n`);
    await assert.rejects(readUnlabelledTexts(bad), /bad\.jsonl:2: expected a JSON object with a "text" string/);
    const broken = write("broken.jsonl", "{oops\n");
    await assert.rejects(readUnlabelledTexts(broken), /broken\.jsonl:1: invalid JSON/);
    const noText = write("no-text.csv", "id,body\n1,hello\n");
    await assert.rejects(readUnlabelledTexts(noText), /no-text\.csv:1: the header has no "text" column \(columns: id, body\)/);
    await assert.rejects(readUnlabelledTexts(write("x.bin", "hi")), /unknown extension "\.bin"/);
    await assert.rejects(readUnlabelledTexts(write("empty.txt", "\n \n")), /empty\.txt: no non-empty texts/);
    await assert.rejects(
      readUnlabelledTexts(join(dir, "missing.txt")),
      (e: unknown) => e instanceof fl.FlambeauError && /missing\.txt.*no such file, and not a built-in set/.test(e.message),
    );
  });
});

describe("fill-mask", () => {
  test("pre-trains, saves encoder + vocabulary, evaluates, and fills masks", async () => {
    const r = await fillMask.train({ data: corpus, out: mlmDir, epochs: 12, batchSize: 16, lr: 3e-3, seed: 0 });
    assert.equal(r.history.epochs.length, 12);
    const first = r.history.epochs[0]!.loss!;
    const last = r.history.epochs[11]!.loss!;
    assert.ok(last < first / 2, `MLM loss should fall: ${first} → ${last}`);
    const m = await fillMask.evaluate(mlmDir, corpus);
    assert.ok((m.maskedAccuracy as number) > 0.5, `masked-token accuracy ${m.maskedAccuracy}`);
    const [p] = (await fillMask.predict(mlmDir, ["the red apple <mask> sweet"], { topK: 3 })) as FillMaskPrediction[];
    assert.equal(p!.masks.length, 1);
    assert.equal(p!.masks[0]!.length, 3);
    assert.equal(p!.masks[0]![0]!.token, "tastes");
    assert.equal(p!.filled, "the red apple tastes sweet");
    const probs = p!.masks[0]!.map((c) => c.probability);
    assert.deepEqual(
      probs,
      [...probs].sort((a, b) => b - a),
    );
    assert.match(fillMask.formatPrediction(p!), /^the red apple tastes sweet {2}\[tastes \d+\.\d%/);
    // Two masks, [MASK] spelling too.
    const [q] = (await fillMask.predict(mlmDir, ["a fast [MASK] runs <mask>"])) as FillMaskPrediction[];
    assert.equal(q!.masks.length, 2);
  });
  test("an input without a mask is an error", async () => {
    await assert.rejects(fillMask.predict(mlmDir, ["no mask here"]), /input 1 has no <mask>/);
  });

  test("--init fine-tunes the pre-trained encoder: its bert.* weights are loaded unchanged (lr 0)", async () => {
    const out = join(dir, "ft");
    await trainTextClassifier({ data: labelled, out, init: mlmDir, epochs: 1, lr: 0, batchSize: 16 });
    const mlm = await loadModelDir(mlmDir, "fill-mask");
    const clf = await loadModelDir(out, "text-classification");
    assert.equal(clf.config.architecture, "bert");
    const keys = [...mlm.weights.keys()].filter((k) => k.startsWith("bert."));
    assert.ok(keys.length > 10);
    for (const k of keys) assert.deepEqual(clf.weights.get(k)!.toArray(), mlm.weights.get(k)!.toArray(), k);
    // The ablation keeps the vocabulary but not the weights.
    const out2 = join(dir, "ft-vocab");
    await trainTextClassifier({ data: labelled, out: out2, init: mlmDir, initWeights: false, epochs: 1, lr: 0, batchSize: 16 });
    const clf2 = await loadModelDir(out2, "text-classification");
    assert.notDeepEqual(clf2.weights.get("bert.tok_embed.weight")!.toArray(), mlm.weights.get("bert.tok_embed.weight")!.toArray());
    // The fine-tuned model predicts through the pre-training vocabulary.
    // Trained on `labelled` alone: its training rows are scored only when asked for.
    const m = await textClassification.evaluate(out, labelled, { includeTrainingData: true });
    assert.equal(m.examples, 160);
  });
  test("--init needs the bert model and a fill-mask directory", async () => {
    await assert.rejects(
      trainTextClassifier({ data: labelled, out: join(dir, "x"), init: mlmDir, model: "textcnn" }),
      /the model must be "bert", not "textcnn"/,
    );
    await assert.rejects(trainTextClassifier({ data: labelled, out: join(dir, "x"), init: dir }), /not a Flambeau model directory/);
    await assert.rejects(
      trainTextClassifier({ data: labelled, out: join(dir, "x"), init: join(dir, "ft") }),
      /holds a text-classification model, not a pre-trained encoder/,
    );
  });
});

describe("feature-extraction", () => {
  test("unit-norm embeddings of width dModel, unchanged by batch padding", async () => {
    const [a] = await embedTexts(mlmDir, ["a fast train"]);
    const [b, c] = await embedTexts(mlmDir, ["a fast train", "the red apple tastes sweet and the green pear tastes sour today"]);
    assert.equal(a!.length, 64);
    assert.ok(Math.abs(Math.hypot(...a!) - 1) < 1e-5);
    a!.forEach((v, i) => assert.ok(Math.abs(v - b![i]!) < 1e-4, `${i}: ${v} vs ${b![i]}`));
    assert.ok(a!.some((v, i) => Math.abs(v - c![i]!) > 1e-3));
    const [p] = (await featureExtraction.predict(mlmDir, ["a fast train"])) as { embedding: number[] }[];
    assert.match(featureExtraction.formatPrediction(p!), /^\[-?\d\.\d{3}, .*\(64 dims\)$/);
    await assert.rejects(embedTexts(mlmDir, ["ok", " "]), /input 2 is an empty text/);
  });
  test("leave-one-out nearest-neighbour accuracy: hand example and labelled texts", async () => {
    const v = (x: number, y: number) => Float32Array.from([x, y]);
    // Points 0,1 near each other (class 0), 2,3 near each other; point 3 labelled 0 → 2 of 4 correct.
    assert.equal(nearestNeighbourAccuracy([v(1, 0), v(0.99, 0.14), v(0, 1), v(0.14, 0.99)], [0, 0, 1, 0]), 0.5);
    const m = await featureExtraction.evaluate(mlmDir, labelled);
    assert.equal(m.nearestNeighbourAccuracy, 1);
    assert.equal(m.majorityBaselineAccuracy, 0.5);
  });
});

describe("label fraction", () => {
  const d = {
    texts: Array.from({ length: 100 }, (_, i) => `t${i}`),
    labels: Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1)),
    classes: ["a", "b"],
    source: "mem",
  };
  test("stratified by class, deterministic per seed", () => {
    const s = labelSubset(d, 0.1, 3);
    assert.equal(s.labels.filter((l) => l === 0).length, 8);
    assert.equal(s.labels.filter((l) => l === 1).length, 2);
    assert.deepEqual(labelSubset(d, 0.1, 3).texts, s.texts);
    assert.notDeepEqual(labelSubset(d, 0.1, 4).texts, s.texts);
    // Texts keep their labels.
    for (const [i, t] of s.texts.entries()) assert.equal(s.labels[i], Number(t.slice(1)) < 80 ? 0 : 1);
    // A tiny class keeps at least one example.
    assert.equal(labelSubset(d, 0.01, 0).labels.filter((l) => l === 1).length, 1);
    assert.equal(labelSubset(d, 1, 0), d);
  });
  test("fractions outside (0, 1] are errors", () => {
    assert.throws(() => labelSubset(d, 0), /labelFraction must be in \(0, 1\], got 0/);
    assert.throws(() => labelSubset(d, 1.5), /got 1\.5/);
  });
});
