// Splits that cannot leak: a model trained on one file or folder keeps split.json, and
// `flambeau eval` on that same data scores only what it was not trained on.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as fl from "flambeau";
import sharp from "sharp";
import { audioClassification } from "../../src/audio/tasks/audio-classification.js";
import { writeWav } from "../../src/audio/wav.js";
import { compare } from "../../src/compare/index.js";
import { overlapLine, type TrainingOverlap } from "../../src/data/split-overlap.js";
import { textClassification } from "../../src/text/tasks/text-classification.js";
import { tokenClassification } from "../../src/text/tasks/token-classification.js";
import { generateScenes, writeSceneDataset } from "../../src/vision/scenes/index.js";
import { imageClassification } from "../../src/vision/tasks/image-classification.js";
import { imageLocalization } from "../../src/vision/tasks/localization.js";
import { FIXTURES } from "../helpers/fixtures.js";

fl.setNumThreads(1);

const BIN = join(FIXTURES, "..", "..", "bin", "flambeau.js");
const run = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, CI: "1", OMP_NUM_THREADS: "1" } });
const dir = mkdtempSync(join(tmpdir(), "fl-split-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const fruit = ["apple", "banana", "cherry", "grape", "mango", "pear"];
const car = ["truck", "bus", "tram", "bike", "train", "van"];

test("a CSV trained on alone: eval on it scores the 10% held out, --include-training-data all with a warning", async () => {
  // 100 distinct rows: 10 held out, 90 trained on.
  const rows = Array.from({ length: 100 }, (_, k) => {
    const words = k % 2 ? fruit : car;
    return `"row ${k}: the ${words[k % 6]} and ${words[(k + 2) % 6]}",${k % 2 ? "fruit" : "car"}`;
  });
  const csv = join(dir, "texts.csv");
  writeFileSync(csv, `text,label\n${rows.join("\n")}\n`);
  const out = join(dir, "text-model");
  await textClassification.train({ data: csv, out, model: "bow-logistic", epochs: 1 });
  const record = JSON.parse(readFileSync(join(out, "split.json"), "utf8")) as { examples: number; train: string[]; heldOut: string[] };
  assert.equal(record.examples, 100);
  assert.equal(record.train.length, 90);
  assert.equal(record.heldOut.length, 10);

  // The CLI prints the line and takes the flag.
  const e = run("eval", out, "--data", csv, "--json");
  assert.equal(e.status, 0, e.stderr);
  assert.match(e.stderr, /scoring the 10 held-out examples of 100; 90 were used in training/);
  const ej = JSON.parse(e.stdout) as { examples: number; trainingOverlap: TrainingOverlap };
  assert.equal(ej.examples, 10);
  assert.deepEqual(ej.trainingOverlap, { examples: 100, trained: 90, scored: 10, included: false });

  // A copy elsewhere still matches: the record keys content, not paths.
  const copy = join(dir, "copy.csv");
  cpSync(csv, copy);
  const all = await textClassification.evaluate(out, copy, { includeTrainingData: true });
  assert.equal(all.examples, 100);
  assert.match(overlapLine(all.trainingOverlap as TrainingOverlap), /warning: scoring all 100 examples, 90 of which were used in training/);

  // Separate data with no overlap behaves as before: no line, every row scored.
  const other = join(dir, "other.csv");
  writeFileSync(other, `text,label\n"a new mango and pear",fruit\n"a new truck and bus",car\n`);
  const o = await textClassification.evaluate(out, other);
  assert.equal(o.examples, 2);
  assert.equal(o.trainingOverlap, undefined);

  // Only training rows: an error that says how to score them anyway.
  const trainedOnly = join(dir, "trained-only.csv");
  const trainedRow = rows.find((_, k) => k === 0)!;
  writeFileSync(trainedOnly, `text,label\n${trainedRow}\n`);
  const first = await textClassification.evaluate(out, trainedOnly, { includeTrainingData: true });
  if ((first.trainingOverlap as TrainingOverlap | undefined)?.trained === 1)
    await assert.rejects(textClassification.evaluate(out, trainedOnly), /were used in training .*--include-training-data/);

  // Retrained with --val: the stale record goes.
  await textClassification.train({ data: csv, val: other, out, model: "bow-logistic", epochs: 1 });
  assert.equal(existsSync(join(out, "split.json")), false);
});

test("an ImageFolder without train/ and test/: eval on it scores only the held-out images", async () => {
  const root = join(dir, "images");
  for (const [c, cls] of ["dark", "light"].entries()) {
    mkdirSync(join(root, cls), { recursive: true });
    for (let i = 0; i < 10; i++) {
      // Distinct images: a class's base level plus a per-image pattern.
      const px = Buffer.from(Array.from({ length: 64 }, (_, j) => (c * 128 + ((i * 7 + j * 3) % 100)) & 255));
      await sharp(px, { raw: { width: 8, height: 8, channels: 1 } })
        .png()
        .toFile(join(root, cls, `${i}.png`));
    }
  }
  const out = join(dir, "image-model");
  await imageClassification.train({ data: root, out, epochs: 1 });
  const e = await imageClassification.evaluate(out, root);
  assert.equal(e.examples, 2);
  assert.deepEqual(e.trainingOverlap, { examples: 20, trained: 18, scored: 2, included: false });
  // --limit counts untrained images (the first image of the folder was trained on or not: either way 1 is scored).
  assert.equal((await imageClassification.evaluate(out, root, { limit: 1 })).examples, 1);
  const all = await imageClassification.evaluate(out, root, { includeTrainingData: true });
  assert.equal(all.examples, 20);
  assert.deepEqual(all.trainingOverlap, { examples: 20, trained: 18, scored: 20, included: true });
});

test("a CoNLL file trained on alone: eval on it scores the last 5% of its sentences", async () => {
  const sentences = Array.from({ length: 40 }, (_, k) => `word${k}\tN\nruns\tV\n`).join("\n");
  const conll = join(dir, "tags.conll");
  writeFileSync(conll, sentences);
  const out = join(dir, "tag-model");
  await tokenClassification.train({ data: conll, out, epochs: 1 });
  const e = await tokenClassification.evaluate(out, conll);
  assert.equal(e.sentences, 2);
  assert.deepEqual(e.trainingOverlap, { examples: 40, trained: 38, scored: 2, included: false });
});

test("an AudioFolder trained on alone: eval on it scores the held-out clips", async () => {
  const root = join(dir, "clips");
  for (const [c, cls] of ["low", "high"].entries()) {
    mkdirSync(join(root, cls), { recursive: true });
    for (let i = 0; i < 10; i++) {
      const f = (c ? 2000 : 300) + 10 * i;
      const wave = Float32Array.from({ length: 4000 }, (_, t) => 0.5 * Math.sin((2 * Math.PI * f * t) / 8000));
      writeWav(join(root, cls, `${i}.wav`), [wave], 8000);
    }
  }
  const out = join(dir, "audio-model");
  await audioClassification.train({ data: root, out, epochs: 1 });
  const e = await audioClassification.evaluate(out, root);
  assert.equal(e.examples, 2);
  assert.deepEqual(e.trainingOverlap, { examples: 20, trained: 18, scored: 2, included: false });
});

test("a COCO folder without train/ and test/: eval on it scores the held-out images (scene tasks)", async () => {
  const coco = join(dir, "coco");
  await writeSceneDataset(coco, await generateScenes({ count: 10, seed: 5, size: 16 }));
  const out = join(dir, "loc-model");
  await imageLocalization.train({ data: coco, out, epochs: 1, batchSize: 8 });
  const e = await imageLocalization.evaluate(out, coco);
  assert.deepEqual(e.trainingOverlap, { examples: 10, trained: 9, scored: 1, included: false });
});

test("compare on one CSV tests both sides on the rows each run did not train on", async () => {
  const rows = Array.from({ length: 100 }, (_, k) => `"line ${k} with ${(k % 2 ? fruit : car)[k % 6]}",${k % 2 ? "fruit" : "car"}`);
  const csv = join(dir, "compare.csv");
  writeFileSync(csv, `text,label\n${rows.join("\n")}\n`);
  const report = await compare("text-classification", { data: csv, fractions: [0.5, 1], seeds: 1, epochs: 1 });
  // 10 rows held out, 90 available: half of them trained on leaves 55 untrained rows.
  assert.deepEqual(
    report.runs.map((r) => [r.trainExamples, r.testExamples]),
    [
      [45, 55],
      [90, 10],
    ],
  );
  assert.equal(report.testExamples, 10);
});
