// Hyperband (Li et al. 2018) as Optuna's HyperbandPruner: the brackets and their trial
// budgets worked out by hand, the bracket draw's frequencies, promotion within a bracket only,
// and a study over synthetic learning curves whose pruned trials stop at their bracket's rungs.

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

test("brackets: ⌊log_η(max/min)⌋ + 1 of them, first rungs at min · η^s, budgets ⌈n · η^(n−1−s) / (n−s)⌉", () => {
  const h = new tune.HyperbandPruner({ minResource: 1, maxResource: 9, reductionFactor: 3 });
  assert.equal(h.brackets.length, 3);
  // Optuna's _calculate_trial_allocation_budget for n = 3, η = 3: ⌈3·9/3⌉, ⌈3·3/2⌉, ⌈3·1/1⌉.
  assert.deepEqual(h.budgets, [9, 5, 3]);
  assert.deepEqual(
    h.brackets.map((b) => [1, 2, 3, 9].map((s) => b.rungOf(s))),
    [
      [0, -1, 1, 2],
      [-1, -1, 0, 1],
      [-1, -1, -1, 0],
    ],
  );
  assert.equal(new tune.HyperbandPruner({ minResource: 1, maxResource: 8, reductionFactor: 2 }).brackets.length, 4);
  assert.equal(new tune.HyperbandPruner({ minResource: 2, maxResource: 3, reductionFactor: 3 }).brackets.length, 1);
  assert.throws(
    () => new tune.HyperbandPruner({ minResource: 4, maxResource: 3 }),
    /maxResource \(epochs\) must be an integer ≥ minResource 4, got 3/,
  );
});

test("bracket assignment: a function of (seed, trial number), in proportion to the budgets", () => {
  const h = new tune.HyperbandPruner({ maxResource: 9, seed: 7 });
  const n = 17_000;
  const counts = [0, 0, 0];
  for (let i = 0; i < n; i++) counts[h.bracketOf(i)]!++;
  [9, 5, 3].forEach((b, s) => assert.ok(Math.abs(counts[s]! / n - b / 17) < 0.015, `bracket ${s}: ${counts[s]} of ${n}`));
  assert.equal(new tune.HyperbandPruner({ maxResource: 9, seed: 7 }).bracketOf(123), h.bracketOf(123));
  const other = new tune.HyperbandPruner({ maxResource: 9, seed: 8 });
  assert.ok(Array.from({ length: 50 }, (_, i) => other.bracketOf(i) !== h.bracketOf(i)).some(Boolean));
});

test("promotion compares a trial with the trials of its own bracket only", () => {
  const h = new tune.HyperbandPruner({ maxResource: 9, seed: 1 });
  const by = (s: number) => Array.from({ length: 200 }, (_, i) => i).filter((i) => h.bracketOf(i) === s);
  const [b0, b1] = [by(0), by(1)];
  // Bracket 0 judges at epoch 1. Its two earlier trials scored 0.5 and 0.6; a bracket-1 trial's 0.99 does not count.
  const others = [curve(b0[0]!, [0.5]), curve(b0[1]!, [0.6]), curve(b1[0]!, [0.99])];
  // 3 values at the rung with η = 3: only the best goes on.
  assert.equal(h.shouldPrune(1, 0.7, others, "maximize", b0[2]), false);
  assert.equal(h.shouldPrune(1, 0.55, others, "maximize", b0[2]), true);
  // Bracket 1 does not judge at epoch 1 at all, then at 3 against bracket 1 alone.
  assert.equal(h.shouldPrune(1, 0.0, others, "maximize", b1[1]), false);
  const others3 = [curve(b1[0]!, [0.1, 0.2, 0.3]), curve(b0[0]!, [0.9, 0.9, 0.9])];
  assert.equal(h.shouldPrune(3, 0.35, others3, "maximize", b1[1]), false, "0.35 beats bracket 1's 0.3; bracket 0's 0.9 is not its rival");
  assert.equal(h.shouldPrune(3, 0.25, others3, "maximize", b1[1]), true);
  assert.throws(() => h.shouldPrune(1, 0.5, others, "maximize"), /needs the trial's number/);
});

test("a study under Hyperband on synthetic curves: pruned trials stop at their bracket's rungs, the best one completes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-hyperband-"));
  const EPOCHS = 9;
  const pruner = new tune.HyperbandPruner({ maxResource: EPOCHS, reductionFactor: 3, seed: 2 });
  // The curve of quality q: q · (1 − 1/(e + 1)); rank by q is the rank at every epoch.
  const value = (q: number, e: number) => q * (1 - 1 / (e + 1));
  const study = new tune.Study({
    file: join(dir, "study.jsonl"),
    space: { q: { type: "float", low: 0, high: 1 } },
    sampler: new tune.RandomSampler(4),
    pruner,
  });
  await study.optimize(
    async (trial) => {
      const q = trial.params.q as number;
      for (let e = 1; e <= EPOCHS; e++) {
        trial.report(e, value(q, e));
        if (e < EPOCHS && (await trial.shouldPrune())) throw new tune.TrialPruned(e);
      }
      return value(q, EPOCHS);
    },
    { trials: 40 },
  );
  const ts = study.trials;
  assert.ok(ts.some((t) => t.state === "pruned"));
  for (const t of ts) {
    const b = pruner.bracketOf(t.number);
    if (t.state === "pruned") {
      const step = Math.max(...Object.keys(t.intermediate).map(Number));
      assert.ok(pruner.brackets[b]!.rungOf(step) >= 0, `trial ${t.number} (bracket ${b}) pruned at ${step}, not a rung`);
      // Pruned: some earlier trial of its bracket was better at that rung (the curves keep the order of q).
      const q = t.params.q as number;
      const mates = ts.filter((u) => u.number < t.number && pruner.bracketOf(u.number) === b);
      assert.ok(
        mates.some((u) => (u.params.q as number) > q),
        `trial ${t.number} pruned with no better mate`,
      );
    }
    if (b === 2) assert.equal(t.state, "complete", "the last bracket judges only at max resource");
  }
  // Each bracket's best trial (by q) so far was never pruned.
  const bestQ = Math.max(...ts.map((t) => t.params.q as number));
  assert.equal(ts.find((t) => t.params.q === bestQ)!.state, "complete");
  assert.equal(study.best()!.params.q, bestQ);
});
