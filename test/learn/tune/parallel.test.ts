// The default trial and parallel studies: trial 0 is the objective's own defaults and is
// never pruned; P worker processes give the same set of trial params as one process for a
// seed (sampled in the parent, in trial order); a parallel study killed with SIGKILL resumes.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import * as fl from "flambeau";
import { EPOCHS, quality } from "./synthetic-objective.js";

const { tune } = fl.learn;
const CHILD = join(dirname(fileURLToPath(import.meta.url)), "parallel-child.js");
const runChild = (dir: string, P: number, ms = 0) => {
  const r = spawnSync(process.execPath, [CHILD, dir, String(P), String(ms)], { encoding: "utf8", timeout: 90_000 });
  assert.equal(r.status, 0, r.stderr);
};
const journal = (dir: string) => tune.readStudyFile(join(dir, "study.jsonl"));
const paramSet = (ts: readonly fl.learn.tune.TrialRecord[]) => ts.map((t) => `${t.number}:${JSON.stringify(t.params)}`).sort();
const calls = (dir: string) => readFileSync(join(dir, "calls.txt"), "utf8").trim().split("\n").map(Number);

test("the default trial is trial 0, with no params, never pruned, and a floor for the best", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-default-"));
  const seen: Record<string, unknown>[] = [];
  const study = new tune.Study({
    file: join(dir, "study.jsonl"),
    space: { x: { type: "float", low: 0, high: 1 } },
    sampler: new tune.RandomSampler(3),
    pruner: new tune.AshaPruner({ reductionFactor: 2 }),
    defaultTrial: true,
  });
  await study.optimize(
    async (trial) => {
      seen.push({ ...trial.params, isDefault: trial.isDefault === true });
      const x = trial.params.x as number;
      for (let e = 1; e <= 3; e++) {
        trial.report(e, trial.isDefault ? e / 3 - 0.6 : x * 0.1);
        if (e < 3 && (await trial.shouldPrune())) throw new tune.TrialPruned(e);
      }
      return trial.isDefault ? 0.4 : x * 0.1;
    },
    { trials: 4 },
  );
  assert.deepEqual(seen[0], { isDefault: true });
  const ts = journal(dir).trials;
  assert.equal(ts.length, 4);
  assert.equal(ts[0]!.isDefault, true);
  assert.deepEqual(ts[0]!.params, {});
  assert.equal(ts[0]!.state, "complete");
  assert.ok(ts.slice(1).every((t) => t.isDefault === undefined && typeof t.params.x === "number"));
  assert.equal(study.best()!.number, 0, "the sampled trials (≤ 0.1) never beat the default's 0.4");
  // The journal records the setting: a study without the default trial is another study.
  assert.throws(
    () =>
      new tune.Study({
        file: join(dir, "study.jsonl"),
        space: { x: { type: "float", low: 0, high: 1 } },
        sampler: new tune.RandomSampler(3),
        pruner: new tune.AshaPruner({ reductionFactor: 2 }),
      }),
    /other settings \(defaultTrial: true there, undefined now\)/,
  );
});

test("a parallel study (3 worker processes) draws the same params as a sequential one for a seed", () => {
  const seq = mkdtempSync(join(tmpdir(), "fl-par-1-"));
  const par = mkdtempSync(join(tmpdir(), "fl-par-3-"));
  runChild(seq, 1);
  runChild(par, 3, 30);
  const [a, b] = [journal(seq).trials, journal(par).trials];
  assert.equal(a.length, 9);
  assert.equal(b.length, 9);
  assert.deepEqual(paramSet(b), paramSet(a));
  assert.equal(b[0]!.isDefault, true);
  // Every trial ended, each ran once, and the complete ones have the same values (the objective is a function of the params).
  assert.ok(b.every((t) => t.state === "complete" || t.state === "pruned"));
  assert.deepEqual(
    calls(par).sort((x, y) => x - y),
    [0, 1, 2, 3, 4, 5, 6, 7, 8],
  );
  for (const t of b) if (t.state === "complete") assert.equal(t.value, quality(t.params) - 0.5 / EPOCHS);
});

test("a parallel study killed with SIGKILL resumes: interrupted trials re-run with their params, the set unchanged", async () => {
  const ref = mkdtempSync(join(tmpdir(), "fl-par-ref-"));
  runChild(ref, 1);
  const dir = mkdtempSync(join(tmpdir(), "fl-par-kill-"));
  const child = spawn(process.execPath, [CHILD, dir, "2", "400"], { stdio: "ignore" });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  for (let t = 0; t < 3000; t++) {
    if (existsSync(join(dir, "calls.txt")) && calls(dir).length >= 4) break;
    await sleep(10);
  }
  child.kill("SIGKILL");
  await exited;
  const before = journal(dir).trials;
  assert.ok(
    before.some((t) => t.state === undefined),
    "some trial was interrupted",
  );
  runChild(dir, 2);
  const after = journal(dir).trials;
  assert.equal(after.length, 9);
  assert.ok(after.every((t) => t.state !== undefined));
  assert.deepEqual(paramSet(after), paramSet(journal(ref).trials));
  assert.ok(readFileSync(join(dir, "study.jsonl"), "utf8").endsWith("}\n"));
});

test("--parallel and the space: bad values are FlambeauErrors naming the parameter", () => {
  assert.throws(
    () => new tune.TrialPool({ module: "x", export: "y", args: {} }, 0),
    (e: unknown) => e instanceof fl.FlambeauError && /parallel must be a positive integer, got 0/.test(e.message),
  );
  assert.throws(
    () => tune.checkSpace({ depth: { type: "int", low: 3, high: 1 } }),
    (e: unknown) => e instanceof fl.FlambeauError && /parameter "depth" has low 3 > high 1: no value fits/.test(e.message),
  );
  assert.throws(
    () => tune.checkSpace({ model: { type: "categorical", choices: [] } }),
    (e: unknown) => e instanceof fl.FlambeauError && /parameter "model" has an empty choice list/.test(e.message),
  );
  assert.equal(tune.threadsPerWorker(1) >= 1, true);
});
