// The task contract, through the example of docs/adding-a-task.md (test/tasks/tabular-task.ts):
// a task declared in one file trains on the one Trainer, evaluates, loads once into a
// Predictor and predicts many times; its options are typed and checked with the task's name;
// the registry holds every built-in task declared the same way.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { tabularClassification } from "./tabular-task.js";

/** Two Gaussian blobs in 3 columns, labelled "a" and "b". */
function writeBlobs(path: string, n: number, seed: number): void {
  const rng = new fl.data.Random(seed);
  const lines = ["x1,x2,x3,label"];
  for (let i = 0; i < n; i++) {
    const b = i % 2;
    const v = [0, 1, 2].map(() => (rng.nextFloat() - 0.5) * 2 + (b ? 1.5 : -1.5));
    lines.push(`${v.map((x) => x.toFixed(4)).join(",")},${b ? "b" : "a"}`);
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
}

test("a task declared in one file trains, evaluates, loads once and predicts", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-task-"));
  writeBlobs(join(dir, "train.csv"), 200, 1);
  writeBlobs(join(dir, "test.csv"), 100, 2);
  const out = join(dir, "model");
  const r = await tabularClassification.train({ data: join(dir, "train.csv"), out, epochs: 5, hidden: 8 });
  assert.ok((r.metrics.accuracy as number) > 0.95, `validation accuracy ${r.metrics.accuracy}`);
  const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
  assert.equal(config.task, "tabular-classification");
  assert.equal(config.hyper.hidden, 8);
  assert.equal(typeof config.flambeauVersion, "string");
  const m = await tabularClassification.evaluate(out, join(dir, "test.csv"));
  assert.ok((m.accuracy as number) > 0.95, `test accuracy ${m.accuracy}`);
  const p = await tabularClassification.load(out);
  const first = await p.predict(["-1.5,-1.5,-1.5"]);
  const again = await p.predict(["1.5,1.5,1.5", "-2,-2,-2"], { topK: 1 });
  p.dispose();
  assert.equal((first[0] as { label: string }[]).length, 2, "declared default topK 2");
  assert.equal((first[0] as { label: string }[])[0]!.label, "a");
  assert.deepEqual(
    (again as { label: string }[][]).map((x) => x.map((l) => l.label)),
    [["b"], ["a"]],
  );
  assert.match(tabularClassification.formatPrediction(first[0]!), /^a \d+\.\d%, b/);
});

test("options are checked against the declaration, naming the task and the option", async () => {
  const t = tabularClassification;
  await assert.rejects(
    t.train({ data: "x.csv", out: "o", model: "transformer" }),
    /unknown model "transformer" for tabular-classification; models: mlp/,
  );
  await assert.rejects(t.train({ data: "x.csv", out: "o", hidden: 0 }), /hidden must be a positive integer, got "0"/);
  await assert.rejects(
    t.train({ data: "x.csv", out: "o", topK: 2 }),
    /tabular-classification: option topK \(--top-k\) applies to predict, not train/,
  );
  await assert.rejects(t.train({ data: "x.csv", out: "o", hidden: "8" }), /tabular-classification: option hidden must be int/);
  assert.throws(
    () => fl.tasks.defineTask({ ...minimal, options: { seed: fl.tasks.opt.int("seed", { phases: ["train"] }) } }),
    /option "seed" belongs to the runtime in train/,
  );
  assert.throws(() => fl.tasks.defineTask({ ...minimal, name: "Bad Name" }), /kebab-case/);
  assert.throws(() => fl.tasks.defineTask({ ...minimal, defaultModel: "nope" }), /defaultModel "nope" is not in models/);
});

const minimal = {
  name: "minimal",
  description: "",
  dataFormat: "",
  models: ["m"],
  defaultModel: "m",
  train: async () => ({ dir: "", metrics: {}, history: { epochs: [], seconds: 0, samplesPerSecond: 0 } }),
  evaluate: async () => ({}),
  load: async () => ({ task: "minimal", predict: async () => [], dispose: () => {} }),
  formatPrediction: () => "",
};

test("every registered task is declared through defineTask: options, a loader, a model zoo", () => {
  for (const [name, t] of Object.entries(fl.tasks.TASKS) as [string, fl.tasks.Task][]) {
    assert.equal(t.name, name);
    assert.ok(Object.isFrozen(t), `${name} is frozen`);
    assert.equal(typeof t.load, "function", `${name}.load`);
    assert.ok(t.models.includes(t.defaultModel.split(" ")[0]!), `${name}: default model ${t.defaultModel}`);
    for (const [k, s] of Object.entries(t.options)) assert.ok(s.help.length > 0 && s.phases.length > 0, `${name}.${k}`);
  }
  assert.throws(() => fl.tasks.getTask("no-such-task"), /unknown task "no-such-task"; tasks: image-classification/);
});
