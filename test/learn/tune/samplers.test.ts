// Samplers: random draws reproducible from the seed and distributed as declared (checked
// against the analytic moments of uniform and log-uniform laws); the Parzen estimator a
// normalised density; TPE reproducible and closer to the optimum than random search.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";

const { tune } = fl.learn;
type FinishedTrial = fl.learn.tune.FinishedTrial;
type SearchSpace = fl.learn.tune.SearchSpace;

const SPACE: SearchSpace = {
  lr: { type: "float", low: 1e-4, high: 1e-2, log: true },
  depth: { type: "int", low: 1, high: 3 },
  width: { type: "int", low: 8, high: 64, log: true },
  model: { type: "categorical", choices: ["a", "b", "c", "d"] },
};

test("random: the same seed gives the same trials, another seed others; marginals match the declared laws", () => {
  const a = new tune.RandomSampler(7);
  const b = new tune.RandomSampler(7);
  const c = new tune.RandomSampler(8);
  for (let n = 0; n < 5; n++) assert.deepEqual(a.sample(SPACE, n), b.sample(SPACE, n));
  assert.notDeepEqual(a.sample(SPACE, 0), c.sample(SPACE, 0));
  const N = 4000;
  let logSum = 0;
  let logSq = 0;
  const depth = [0, 0, 0];
  const model = new Map<unknown, number>();
  for (let n = 0; n < N; n++) {
    const p = a.sample(SPACE, n);
    const l = Math.log10(p.lr as number);
    assert.ok(l >= -4 && l <= -2);
    logSum += l;
    logSq += l * l;
    depth[(p.depth as number) - 1]!++;
    model.set(p.model, (model.get(p.model) ?? 0) + 1);
    assert.ok(Number.isInteger(p.width) && (p.width as number) >= 8 && (p.width as number) <= 64);
  }
  // log10(lr) ~ U(−4, −2): mean −3, variance 2²/12 = 1/3; standard errors √(1/3/4000) ≈ 0.009.
  const mean = logSum / N;
  assert.ok(Math.abs(mean + 3) < 0.04, `mean ${mean}`);
  assert.ok(Math.abs(logSq / N - mean * mean - 1 / 3) < 0.03, `var ${logSq / N - mean * mean}`);
  // Each depth and each model within 4 standard errors of 1/3 and 1/4.
  for (const d of depth) assert.ok(Math.abs(d / N - 1 / 3) < 4 * Math.sqrt(((1 / 3) * (2 / 3)) / N), `depth ${depth}`);
  for (const m of model.values()) assert.ok(Math.abs(m / N - 1 / 4) < 4 * Math.sqrt(((1 / 4) * (3 / 4)) / N), `model ${[...model]}`);
});

test("Parzen estimator: a density on [lo, hi] (integrates to 1, trapezoid rule)", () => {
  const pe = new tune.ParzenEstimator([0.1, 0.15, 0.8], 0, 1);
  const K = 20000;
  let sum = 0;
  for (let i = 0; i <= K; i++) sum += (i === 0 || i === K ? 0.5 : 1) * Math.exp(pe.logPdf(i / K));
  assert.ok(Math.abs(sum / K - 1) < 1e-3, `integral ${sum / K}`);
  // Its mass sits at the observations: denser at 0.12 than at 0.5.
  assert.ok(pe.logPdf(0.12) > pe.logPdf(0.5));
});

/** A sequential study of `f` in memory (no journal), as Study runs it. */
function run(sampler: fl.learn.tune.Sampler, space: SearchSpace, f: (p: fl.learn.tune.Params) => number, n: number): FinishedTrial[] {
  const history: FinishedTrial[] = [];
  for (let i = 0; i < n; i++) {
    const params = sampler.sample(space, i, history, "maximize");
    history.push({ number: i, params, state: "complete", value: f(params), intermediate: {} });
  }
  return history;
}

test("TPE: reproducible from the seed, and nearer the optimum than random search on a smooth objective", () => {
  const space: SearchSpace = { lr: { type: "float", low: 1e-5, high: 1, log: true }, depth: { type: "int", low: 1, high: 8 } };
  // Best at lr = 10^-2.5, depth 6.
  const f = (p: fl.learn.tune.Params) => -((Math.log10(p.lr as number) + 2.5) ** 2) - 0.1 * ((p.depth as number) - 6) ** 2;
  const t1 = run(new tune.TpeSampler(3, { startupTrials: 8 }), space, f, 40);
  const t2 = run(new tune.TpeSampler(3, { startupTrials: 8 }), space, f, 40);
  assert.deepEqual(
    t1.map((t) => t.params),
    t2.map((t) => t.params),
  );
  // The first 8 trials are the random sampler's own.
  const r = run(new tune.RandomSampler(3), space, f, 40);
  assert.deepEqual(
    t1.slice(0, 8).map((t) => t.params),
    r.slice(0, 8).map((t) => t.params),
  );
  // Over 5 seeds, TPE's last 20 trials sit closer to the optimum than random's (median regret).
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  let tpeWins = 0;
  for (let seed = 0; seed < 5; seed++) {
    const tpe = median(
      run(new tune.TpeSampler(seed, { startupTrials: 8 }), space, f, 40)
        .slice(20)
        .map((t) => -t.value!),
    );
    const rnd = median(
      run(new tune.RandomSampler(seed), space, f, 40)
        .slice(20)
        .map((t) => -t.value!),
    );
    if (tpe < rnd) tpeWins++;
  }
  assert.ok(tpeWins >= 4, `TPE beat random on ${tpeWins}/5 seeds`);
});

test("TPE: pruned trials count among the bad ones; failed ones are left out", () => {
  const mk = (number: number, state: fl.learn.tune.TrialState, value?: number): FinishedTrial => ({
    number,
    params: {},
    state,
    ...(value !== undefined ? { value } : {}),
    intermediate: {},
  });
  const { below, above } = fl.learn.tune.splitTrials(
    [mk(0, "complete", 0.5), mk(1, "pruned", 0.9), mk(2, "complete", 0.7), mk(3, "complete", 0.6), mk(4, "failed")],
    "maximize",
    0.25,
  );
  // 4 usable trials: ⌈0.25 · 4⌉ = 1 good one, the best complete; the pruned 0.9 is bad.
  assert.deepEqual(
    below.map((t) => t.number),
    [2],
  );
  assert.deepEqual(
    above.map((t) => t.number),
    [3, 0, 1],
  );
});
