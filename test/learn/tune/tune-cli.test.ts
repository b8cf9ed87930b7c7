// `flambeau tune` end to end: a tiny architecture search (small-cnn's width and depth, and the
// learning rate) on a small ImageFolder of real Fashion-MNIST images, with ASHA; the saved
// best model evaluates, through `flambeau eval`, to the very accuracy its trial recorded. Bad
// spaces and budgets exit with one line naming the parameter.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import * as fl from "flambeau";
import { FIXTURES } from "../../helpers/fixtures.js";
import { writeFashionImageFolder } from "../../helpers/image-folder.js";

const BIN = join(FIXTURES, "..", "..", "bin", "flambeau.js");
const run = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, CI: "1" }, timeout: 120_000 });
let root = "";

before(async () => {
  root = await writeFashionImageFolder({ train: 40, test: 15 });
});

test("tune image-classification: a tiny search over width, depth and lr; best model evaluates to its trial's accuracy", () => {
  const out = join(root, "study");
  const args = [
    "tune",
    "image-classification",
    "--data",
    join(root, "train"),
    "--val",
    join(root, "test"),
    "--trials",
    "3",
    "--epochs",
    "2",
    "--sampler",
    "random",
    "--param",
    "width=intlog:4:8",
    "--param",
    "depth=int:1:2",
    "--batch-size",
    "32",
    "--out",
    out,
    "--json",
  ];
  const r = run(...args);
  assert.equal(r.status, 0, r.stderr);
  const res = JSON.parse(r.stdout) as {
    best: { trial: number; value: number; params: Record<string, number>; isDefault: boolean };
    bestModel: string;
  };
  if (res.best.isDefault) assert.deepEqual(res.best.params, {});
  else {
    assert.ok(res.best.params.width! >= 4 && res.best.params.width! <= 8 && [1, 2].includes(res.best.params.depth!));
    assert.ok(res.best.params.lr! >= 3e-4 && res.best.params.lr! <= 3e-2);
  }
  // The journal: a header, 3 trials, each with its epochs' values and an end.
  const journal = fl.learn.tune.readStudyFile(join(out, "study.jsonl"));
  assert.equal(journal.trials.length, 3);
  assert.ok(journal.trials.every((t) => t.state === "complete" || t.state === "pruned"));
  assert.equal(journal.trials[0]!.state, "complete", "the first trial is alone at every rung");
  // Trial 0 is the task's default recipe at the same budget: the study's floor.
  assert.equal(journal.trials[0]!.isDefault, true);
  assert.deepEqual(journal.trials[0]!.params, {});
  assert.ok(res.best.value >= journal.trials[0]!.value!);
  for (const t of journal.trials) if (t.state === "complete") assert.equal(t.value, t.metrics!.accuracy);
  const best = JSON.parse(readFileSync(join(out, "best.json"), "utf8"));
  assert.equal(best.best.trial, res.best.trial);
  // Importances need three completed sampled trials; this study has at most two.
  assert.deepEqual(best.importance, {});
  assert.match(
    readFileSync(join(out, "trials.md"), "utf8"),
    /\| trial \| state \| accuracy \| epochs \| seconds \| lr \| width \| depth \|\n\|---\|---\|---\|---\|---\|---\|---\|---\|\n\| 0 \| complete \| [0-9.]+ \| 2 \| [0-9.]+ \| default \| default \| default \|/,
  );
  assert.match(readFileSync(join(out, "report.html"), "utf8"), /aria-label="optimisation history"/);
  // The best model is a normal model directory: eval on the validation folder gives the trial's value.
  const e = run("eval", res.bestModel, "--data", join(root, "test"), "--json");
  assert.equal(e.status, 0, e.stderr);
  const m = JSON.parse(e.stdout) as { accuracy: number; examples: number };
  assert.equal(m.examples, 45);
  assert.ok(Math.abs(m.accuracy - res.best.value) < 1e-9, `eval ${m.accuracy} vs trial ${res.best.value}`);
  // Only the best trial's folder is kept.
  const kept = journal.trials.filter((t) => existsSync(join(out, "trials", `trial-${String(t.number).padStart(4, "0")}`)));
  assert.deepEqual(
    kept.map((t) => t.number),
    [res.best.trial],
  );
  // Re-running the finished study trains nothing new and gives the same best.
  const again = run(...args);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).best.trial, res.best.trial);
  assert.equal(fl.learn.tune.readStudyFile(join(out, "study.jsonl")).trials.length, 3);
});

// (The other bad spaces are checked in-process by space.test.ts: each command here loads the engine.)
test("tune: bad spaces and budgets exit 2 with one line naming the parameter", () => {
  const base = ["tune", "image-classification", "--data", join(root, "train"), "--out", join(root, "bad")];
  const cases: [string[], RegExp][] = [
    [["--trials", "0"], /trials must be a positive integer, got "0"/],
    [["--trials", "2", "--parallel", "0"], /parallel must be a positive integer, got "0"/],
    [["--trials", "2", "--pruner", "bohb"], /--pruner must be asha, hyperband or none, got "bohb"/],
    [
      ["--trials", "2", "--param", "dropout=float:0:0.5"],
      /parameter "dropout" is not an option of image-classification; searchable: lr, batchSize/,
    ],
    [["--trials", "2", "--param", "lr=log:0:0.1"], /parameter "lr" is log-uniform with low 0/],
    [["--trials", "2", "--space", '{"width": {"type": "float", "low": 4, "high": 8}}'], /parameter "width" is an integer option/],
  ];
  for (const [extra, pattern] of cases) {
    const r = run(...base, ...extra);
    assert.equal(r.status, 2, `${extra.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});
