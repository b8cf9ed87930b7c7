// --deterministic beyond train: `compare`, `tune` and `continual` run twice with the same seed
// give identical results (accuracies, trial values, accuracy matrices), log that they ran
// deterministically, and put the process settings back afterwards.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as fl from "flambeau";
import { runContinualCli } from "../../src/cli/continual.js";
import { runTuneCli } from "../../src/cli/tune.js";
import { compare } from "../../src/compare/index.js";
import { FIXTURES } from "../helpers/fixtures.js";
import { tempFiles } from "../helpers/temp-files.js";

const { dir, write } = tempFiles("fl-det-commands-");

const fruit = ["apple", "banana", "cherry", "grape", "mango", "pear"];
const car = ["truck", "bus", "tram", "bike", "train", "van"];
// Distinct texts: compare tests each run on the rows it did not train on, matched by content.
const line = (k: number, words: string[], label: string) =>
  JSON.stringify({ text: `review ${k}: the ${words[k % 6]} and the ${words[(k + 2) % 6]} near a ${words[(k + 3) % 6]}`, label });
const data = write(
  "reviews.jsonl",
  Array.from({ length: 100 }, (_, k) => (k % 2 ? line(k, fruit, "fruit") : line(k, car, "car"))).join("\n"),
);

/** The process settings a deterministic run changes and must restore. */
const settings = () => ({ mode: fl.areDeterministicAlgorithmsEnabled(), threads: fl.getNumThreads() });

describe("--deterministic in compare, tune and continual", () => {
  test("compare: two runs give the same shallow and deep accuracies", async () => {
    const before = settings();
    const run = async () => {
      const lines: string[] = [];
      const r = await compare("text-classification", {
        data,
        fractions: [0.5],
        seeds: 1,
        epochs: 1,
        deterministic: true,
        log: (s) => lines.push(s),
      });
      return { accuracies: r.runs.map((x) => [x.seed, x.shallow.accuracy, x.deep?.accuracy]), lines };
    };
    const a = await run();
    const b = await run();
    assert.deepEqual(b.accuracies, a.accuracies);
    assert.equal(a.accuracies.length, 1);
    assert.match(a.lines[0]!, /compare text-classification: deterministic run: seed 0, \d+ intra-op threads?/);
    assert.deepEqual(settings(), before);
  });

  test("tune: two studies give the same params and values, every trial deterministic", async () => {
    const before = settings();
    const run = async (out: string) => {
      const lines: string[] = [];
      const o = {
        data,
        out: join(dir, out),
        trials: 3,
        sampler: "random",
        pruner: "none",
        epochs: 1,
        seed: 3,
        metric: "accuracy",
        minEpochs: 1,
        reductionFactor: 3,
        startupTrials: 10,
        deterministic: true,
      };
      const r = await runTuneCli(fl.tasks.getTask("text-classification"), o, {}, ["tune"], (s) => lines.push(s));
      return { trials: r.study.trials.map((t) => [t.number, t.params, t.value, t.metrics]), lines };
    };
    const a = await run("study-a");
    const b = await run("study-b");
    assert.deepEqual(b.trials, a.trials);
    assert.equal(a.trials.length, 3);
    assert.equal(a.lines.filter((l) => /text-classification: deterministic run: seed 3/.test(l)).length, 3);
    assert.deepEqual(settings(), before);
  });

  test("continual: two runs give the same accuracy matrices", async () => {
    const before = settings();
    const run = async (out: string) => {
      const lines: string[] = [];
      const r = await runContinualCli({
        data: "digits",
        scenario: "split",
        mode: "class",
        strategies: ["naive", "ewc"],
        experiences: 2,
        epochs: 1,
        batchSize: 64,
        lr: 1e-3,
        hidden: 32,
        seed: 5,
        deterministic: true,
        out: join(dir, out),
        log: (s) => lines.push(s),
      });
      return { matrices: r.map((x) => [x.strategy, x.accuracy]), lines };
    };
    const a = await run("cl-a");
    const b = await run("cl-b");
    assert.deepEqual(b.matrices, a.matrices);
    assert.match(a.lines[0]!, /continual: deterministic run: seed 5/);
    assert.deepEqual(settings(), before);
  });

  test("the command line takes --deterministic in all three", () => {
    const bin = join(FIXTURES, "..", "..", "bin", "flambeau.js");
    const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env: { ...process.env, CI: "1" } });
    for (const c of ["tune", "compare"]) assert.match(cli(c, "--help").stdout, /--deterministic/, c);
    const r = cli(
      "continual",
      ...["--data", "digits", "--strategies", "naive", "--experiences", "2", "--epochs", "1", "--hidden", "16"],
      ...["--seed", "5", "--deterministic", "--out", join(dir, "cl-cli")],
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /continual: deterministic run: seed 5, \d+ intra-op threads?, deterministic algorithms on/);
  });
});
