// config.json carries Hugging Face's fields beside ours and is checked against its schema when
// read: a hand-edited file fails with the file and the field named, not with silent output.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as fl from "flambeau";
import { textClassification } from "../../src/text/tasks/text-classification.js";
import { hfArchitecture, schema, validateModelConfig } from "../../src/train/config-schema.js";
import { imageProcessorConfig } from "../../src/train/hf-processor.js";

fl.setNumThreads(1);
const dir = mkdtempSync(join(tmpdir(), "fl-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const fruit = ["apple", "banana", "cherry", "grape"];
const car = ["truck", "bus", "tram", "bike"];
const rows = Array.from({ length: 24 }, (_, k) =>
  JSON.stringify(
    k % 2
      ? { text: `the ${fruit[k % 4]} ${fruit[(k + 1) % 4]}`, label: "fruit" }
      : { text: `a ${car[k % 4]} ${car[(k + 1) % 4]}`, label: "car" },
  ),
).join("\n");

const base = { task: "t", architecture: "a", hyper: { numClasses: 2 }, labels: ["x", "y"] };
const fails = (c: unknown, re: RegExp, parts?: Parameters<typeof validateModelConfig>[2]) =>
  assert.throws(
    () => validateModelConfig(c, "m/config.json", parts),
    (e: unknown) => e instanceof fl.FlambeauError && re.test(e.message),
  );

describe("config.json", () => {
  test("a trained model's config has id2label/label2id (string keys), architectures, model_type", async () => {
    const data = join(dir, "d.jsonl");
    writeFileSync(data, rows);
    const out = join(dir, "m");
    await textClassification.train({ data, val: data, out, model: "bow-logistic", epochs: 1, batchSize: 8 });
    const c = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    assert.deepEqual(c.labels, ["car", "fruit"]);
    assert.deepEqual(c.id2label, { "0": "car", "1": "fruit" });
    assert.deepEqual(c.label2id, { car: 0, fruit: 1 });
    assert.deepEqual(c.architectures, ["BowLogisticForTextClassification"]);
    assert.equal(c.model_type, "flambeau-bow-logistic");

    // Hand edits: no labels, a number as a label, a size past its bound, a disagreeing id2label.
    const edit = (f: (c: Record<string, unknown>) => void) => {
      const j = structuredClone(c);
      f(j);
      writeFileSync(join(out, "config.json"), JSON.stringify(j));
    };
    edit((j) => {
      delete j.labels;
    });
    await assert.rejects(textClassification.predict(out, ["a bus"]), /config\.json: labels: missing \(the model has 2 classes/);
    edit((j) => {
      j.labels = ["car", 7];
    });
    await assert.rejects(textClassification.predict(out, ["a bus"]), /config\.json: labels\[1\]: expected a string, got 7/);
    edit((j) => {
      j.labels = "car,fruit";
    });
    await assert.rejects(textClassification.predict(out, ["a bus"]), /config\.json: labels: expected an array of strings/);
    edit((j) => {
      (j.preprocessing as Record<string, unknown>).maxTokens = 1e9;
    });
    await assert.rejects(
      textClassification.predict(out, ["a bus"]),
      /config\.json: preprocessing\.maxTokens: expected an integer in \[1, 100000\], got 1000000000/,
    );
    edit((j) => {
      j.id2label = { "0": "fruit", "1": "car" };
    });
    await assert.rejects(textClassification.predict(out, ["a bus"]), /config\.json: id2label\.0: expected "car"/);
    edit(() => {});
    const [p] = (await textClassification.predict(out, ["a bus"])) as { labels: unknown[] }[];
    assert.equal(p!.labels.length, 2);
  });

  test("schema errors name the field and what was expected", () => {
    validateModelConfig(base, "m/config.json");
    fails({ ...base, task: 3 }, /m\/config\.json: task: expected a task name \(a string\), got 3/);
    fails({ ...base, hyper: undefined }, /m\/config\.json: hyper: missing/);
    fails({ ...base, labels: ["x", "x"] }, /labels: "x" appears twice/);
    fails({ ...base, labels: ["x"] }, /labels: expected 2 labels/);
    fails({ ...base, id2label: { zero: "x" } }, /id2label\.zero: expected an id/);
    fails({ ...base, label2id: { x: 0, y: 0 } }, /label2id\.y: expected 1/);
    const parts = { preprocessing: schema.object({ size: schema.int(1, 4096) }) };
    fails(base, /preprocessing: missing/, parts);
    fails({ ...base, preprocessing: { size: 5000 } }, /preprocessing\.size: expected an integer in \[1, 4096\], got 5000/, parts);
    fails({ ...base, preprocessing: { size: 2.5 } }, /preprocessing\.size: expected an integer/, parts);
  });

  test("HF names and the image processor block", () => {
    assert.equal(hfArchitecture("image-classification", "resnet-small"), "ResnetSmallForImageClassification");
    const p = imageProcessorConfig({ size: 32, channels: 3, mean: [0.5, 0.4, 0.3], std: [0.2, 0.2, 0.2] });
    assert.deepEqual(p.size, { height: 32, width: 32 });
    assert.deepEqual(p.image_mean, [0.5, 0.4, 0.3]);
    assert.equal(p.rescale_factor, 1 / 255);
  });
});
