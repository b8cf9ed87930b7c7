// ASHA (successive halving over epochs) on hand-made learning curves: the rungs, the
// promotion rule worked out by hand, and a study whose pruned trials are the expected ones.

import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";

const { tune } = fl.learn;
type FinishedTrial = fl.learn.tune.FinishedTrial;

const curve = (number: number, values: number[]): FinishedTrial => ({
  number,
  params: {},
  state: "complete",
  value: values[values.length - 1]!,
  intermediate: Object.fromEntries(values.map((v, i) => [i + 1, v])),
});

test("rungs at minResource · η^k epochs", () => {
  const p = new tune.AshaPruner({ minResource: 1, reductionFactor: 3 });
  assert.deepEqual(
    [1, 2, 3, 4, 8, 9, 27].map((s) => p.rungOf(s)),
    [0, -1, 1, -1, -1, 2, 3],
  );
  const q = new tune.AshaPruner({ minResource: 2, reductionFactor: 2 });
  assert.deepEqual(
    [1, 2, 3, 4, 8].map((s) => q.rungOf(s)),
    [-1, 0, -1, 1, 2],
  );
});

test("promotion: the best ⌊n/η⌋ of the values at a rung go on; with fewer than η values only the best", () => {
  const p = new tune.AshaPruner({ reductionFactor: 3 });
  const others = [0.5, 0.6, 0.7, 0.8, 0.9].map((v, i) => curve(i, [v, v + 0.01, v + 0.02]));
  // 6 values at epoch 1 with 0.85: ⌊6/3⌋ = 2 go on, {0.9, 0.85}: kept; with 0.75 the two are {0.9, 0.8}: pruned.
  assert.equal(p.shouldPrune(1, 0.85, others, "maximize"), false);
  assert.equal(p.shouldPrune(1, 0.75, others, "maximize"), true);
  // Epoch 2 is no rung: never pruned there.
  assert.equal(p.shouldPrune(2, 0.0, others, "maximize"), false);
  // Epoch 3 (rung 1): values 0.52 … 0.92 and 0.91: top 2 are 0.92, 0.91; with 0.81 they are 0.92, 0.82.
  assert.equal(p.shouldPrune(3, 0.91, others, "maximize"), false);
  assert.equal(p.shouldPrune(3, 0.81, others, "maximize"), true);
  // Minimising a loss: the smallest go on.
  assert.equal(p.shouldPrune(1, 0.55, others, "minimize"), false);
  assert.equal(p.shouldPrune(1, 0.61, others, "minimize"), true);
  // Fewer than η values: must be the best so far (ties go on).
  assert.equal(p.shouldPrune(1, 0.5, [curve(0, [0.5])], "maximize"), false);
  assert.equal(p.shouldPrune(1, 0.49, [curve(0, [0.5])], "maximize"), true);
  assert.equal(p.shouldPrune(1, 0.1, [], "maximize"), false);
  assert.equal(p.shouldPrune(1, Number.NaN, [], "maximize"), true);
  assert.equal(new tune.NopPruner().shouldPrune(), false);
});

test("a study with ASHA stops exactly the trials the rule says, at the rung where it says", async () => {
  // Trial n's curve (9 epochs), fixed by hand; the study's sampler is irrelevant to the pruning.
  const curves = [
    [0.5, 0.55, 0.6, 0.62, 0.64, 0.66, 0.68, 0.7, 0.72], // 0: alone, promoted at every rung
    [0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.92, 0.95], // 1: 0.4 < 0.5 at epoch 1 (2 values, only the best): pruned
    [0.6, 0.62, 0.64, 0.66, 0.68, 0.7, 0.72, 0.74, 0.76], // 2: best at 1 (0.6); at 3: 0.64 > 0.6: on; at 9: on
    [0.55, 0.6, 0.61, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7], // 3: epoch 1 values {0.5, 0.4, 0.6, 0.55}: ⌊4/3⌋ = 1 → needs 0.6: pruned
    [0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7], // 4: 0.7 best at 1; at 3 {0.6, 0.64, 0.7}: best → on; 9 is the last epoch
    [0.65, 0.66, 0.63, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7], // 5: epoch 1 {.5,.4,.6,.55,.7,.65}: top 2 = .7,.65 → on; epoch 3 {.6,.64,.7,.63}: top 1 = .7 → pruned
  ];
  const dir = mkdtempSync(join(tmpdir(), "fl-asha-"));
  const study = new tune.Study({
    file: join(dir, "study.jsonl"),
    space: { x: { type: "float", low: 0, high: 1 } },
    sampler: new tune.RandomSampler(0),
    pruner: new tune.AshaPruner({ minResource: 1, reductionFactor: 3 }),
  });
  await study.optimize(
    async (trial) => {
      const c = curves[trial.number]!;
      for (let e = 1; e <= c.length; e++) {
        trial.report(e, c[e - 1]!);
        // The last epoch's value is the result: no pruning there.
        if (e < c.length && trial.shouldPrune()) throw new tune.TrialPruned(e);
      }
      return c[c.length - 1]!;
    },
    { trials: curves.length },
  );
  const summary = study.trials.map((t) => [t.state, Object.keys(t.intermediate).length]);
  assert.deepEqual(summary, [
    ["complete", 9],
    ["pruned", 1],
    ["complete", 9],
    ["pruned", 1],
    ["complete", 9],
    ["pruned", 3],
  ]);
  assert.equal(study.best()?.number, 2);
  // Pruned trials carry their last reported value.
  assert.equal(study.trials[5]!.value, 0.63);
});
