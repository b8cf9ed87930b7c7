// Multi-task learning: PCGrad's projection against a hand computation (seeded with three tasks), uncertainty weighting's
// loss and gradient, the task sampler's proportions, and a shared encoder with two heads
// trained through the shared Trainer on opencv-doc's real digits (the digit, and odd vs even).

import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";

const { multitask } = fl.learn;

test("PCGrad: conflicting gradients lose their component along each other; the loss value is the plain sum", () => {
  const theta = new fl.nn.Parameter(fl.tensor([0.3, -0.2]));
  const losses = { a: theta.mul(fl.tensor([1, 0])).sum(), b: theta.mul(fl.tensor([-1, 1])).sum() };
  const total = new multitask.PCGrad(() => [theta]).combine(losses);
  assert.ok(Math.abs(total.item() - (0.3 - 0.5)) < 1e-6, `value ${total.item()}`);
  total.backward();
  // g_a' = (1,0) − (−1/2)(−1,1) = (0.5, 0.5); g_b' = (−1,1) − (−1)(1,0) = (0, 1).
  const g = theta.grad!.toArray() as number[];
  assert.ok(Math.abs(g[0]! - 0.5) < 1e-6 && Math.abs(g[1]! - 1.5) < 1e-6, `grad ${g}`);
  // Gradients that agree are left alone.
  const phi = new fl.nn.Parameter(fl.tensor([1, 1]));
  new multitask.PCGrad(() => [phi]).combine({ a: phi.sum(), b: phi.mul(2).sum() }).backward();
  assert.deepEqual(phi.grad!.toArray(), [3, 3]);
});

test("PCGrad with three tasks: the projection order is seeded, and each order's result is the hand-computed one", () => {
  // Linear losses θ·g_t, so each task's gradient is g_t; with three tasks the order in which a
  // gradient is projected against the other two changes the result.
  const gs = [
    [1, 0],
    [-0.8, 0.6],
    [-0.3, -1],
  ];
  const combined = (seed: number): number[] => {
    const theta = new fl.nn.Parameter(fl.tensor([0.1, 0.2]));
    const losses = Object.fromEntries(gs.map((g, t) => [`t${t}`, theta.mul(fl.tensor(g)).sum()]));
    new multitask.PCGrad(() => [theta], { seed }).combine(losses).backward();
    return theta.grad!.toArray() as number[];
  };
  // Every outcome by hand: g_i projected against the others in either order, summed over i.
  const dot = (u: number[], v: number[]) => u[0]! * v[0]! + u[1]! * v[1]!;
  const project = (i: number, order: number[]) =>
    order.reduce((g, j) => {
      const d = dot(g, gs[j]!);
      return d < 0 ? g.map((x, c) => x - (d / dot(gs[j]!, gs[j]!)) * gs[j]![c]!) : g;
    }, gs[i]!);
  const orders = (i: number) => {
    const o = [0, 1, 2].filter((j) => j !== i);
    return [o, [...o].reverse()];
  };
  const outcomes: number[][] = [];
  for (const o0 of orders(0))
    for (const o1 of orders(1))
      for (const o2 of orders(2)) {
        const p = [project(0, o0), project(1, o1), project(2, o2)];
        outcomes.push([0, 1].map((c) => p[0]![c]! + p[1]![c]! + p[2]![c]!));
      }
  const key = (g: number[]) => g.map((x) => x.toFixed(5)).join();
  assert.ok(new Set(outcomes.map(key)).size > 1, "the orders must matter for this test to mean anything");
  const seen = new Set<string>();
  for (let seed = 0; seed < 8; seed++) {
    const g = combined(seed);
    assert.deepEqual(combined(seed), g, `seed ${seed}: the same seed, the same gradient`);
    assert.ok(
      outcomes.some((o) => Math.abs(o[0]! - g[0]!) < 1e-5 && Math.abs(o[1]! - g[1]!) < 1e-5),
      `seed ${seed}: ${g} is none of the hand-computed outcomes`,
    );
    seen.add(key(g));
  }
  assert.ok(seen.size > 1, "different seeds draw different orders");
  assert.throws(() => new multitask.PCGrad(() => [], { seed: 0.5 }), /seed must be a safe integer, got 0.5/);
});

test("UncertaintyWeighting: ½(e^{−s}L + s) per task, and d/ds = ½(1 − e^{−s}L)", () => {
  const w = new multitask.UncertaintyWeighting(["a", "b"]);
  const total = w.combine({ a: fl.tensor(2), b: fl.tensor(0.5) });
  assert.ok(Math.abs(total.item() - 1.25) < 1e-6);
  total.backward();
  const g = w.logVar.grad!.toArray() as number[];
  assert.ok(Math.abs(g[0]! - -0.5) < 1e-6 && Math.abs(g[1]! - 0.25) < 1e-6, `grad ${g}`);
  assert.throws(() => w.combine({ c: fl.tensor(1) }), /unknown task "c" \(tasks: a, b\)/);
  assert.ok(Math.abs(w.combine({ b: fl.tensor(0.5) }).item() - 0.25) < 1e-6, "a step may carry some of the tasks");
  assert.throws(() => new multitask.FixedWeighting({ a: -1 }), /weight of "a" must be ≥ 0/);
});

test("MultiTaskSampler: by size, by temperature, round-robin; seeded", async () => {
  assert.deepEqual(multitask.taskProbabilities({ a: 30, b: 10 }, "size"), { a: 0.75, b: 0.25 });
  const pt = multitask.taskProbabilities({ a: 30, b: 10 }, "temperature", 2);
  assert.ok(Math.abs(pt.a! - Math.sqrt(30) / (Math.sqrt(30) + Math.sqrt(10))) < 1e-12);
  const sources = { a: Array.from({ length: 30 }, (_, i) => `a${i}`), b: Array.from({ length: 10 }, (_, i) => `b${i}`) };
  const draw = async (o: Partial<fl.learn.multitask.MultiTaskSamplerOptions<string>>) => {
    const out: string[] = [];
    for await (const { task } of new multitask.MultiTaskSampler<string>({ sources, steps: 4000, ...o })) out.push(task);
    return out;
  };
  const bySize = await draw({ seed: 1 });
  const share = bySize.filter((t) => t === "a").length / bySize.length;
  assert.ok(Math.abs(share - 0.75) < 0.03, `share of a: ${share}`);
  assert.deepEqual(await draw({ seed: 1 }), bySize, "the same seed, the same order");
  assert.deepEqual((await draw({ sampling: "round-robin", steps: 4 })).join(), "a,b,a,b");
  assert.throws(() => new multitask.MultiTaskSampler({ sources: { a: [] } }), /task "a" has no batches/);
});

test("a shared encoder with two heads learns both tasks on real digits", async () => {
  fl.manualSeed(0);
  const data = await fl.learn.continual.loadContinualData("digits");
  const parity = (y: fl.Tensor) => y.remainder(2);
  const model = new multitask.MultiTaskModel(new fl.nn.Sequential(new fl.nn.Linear(400, 64), new fl.nn.ReLU()), {
    digit: new fl.nn.Linear(64, 10),
    parity: new fl.nn.Linear(64, 2),
  });
  const weighting = new multitask.UncertaintyWeighting(model.tasks);
  // The sheet's digits come sorted by class: batches of shuffled rows.
  const order = fl.randperm(data.train.y.shape[0]!);
  const batches = (n: number) => Array.from({ length: Math.floor(4000 / n) }, (_, k) => ({ at: k * n, n }));
  const sampler = new multitask.MultiTaskSampler({ sources: { digit: batches(64), parity: batches(64) }, seed: 0 });
  const trainer = new fl.train.Trainer<fl.learn.multitask.TaskBatch<{ at: number; n: number }>>({
    model,
    optimizer: new fl.optim.Adam([...model.parameters(), ...weighting.parameters()], { lr: 3e-3 }),
    step: ({ task, batch }) => {
      const rows = order.narrow(0, batch.at, batch.n);
      const [x, y] = [data.train.x.indexSelect(0, rows), data.train.y.indexSelect(0, rows)];
      return weighting.combine({ [task]: fl.nn.functional.crossEntropy(model.forward(x, task), task === "parity" ? parity(y) : y) });
    },
  });
  await trainer.fit(sampler, { epochs: 3 });
  model.eval();
  const out = fl.noGrad(() => model.forward(data.test.x));
  const acc = (logits: fl.Tensor, y: fl.Tensor) => logits.argmax({ dim: 1 }).eq(y).float().mean().item();
  const digit = acc(out.digit!, data.test.y);
  const odd = acc(out.parity!, parity(data.test.y));
  assert.ok(digit > 0.85, `digit accuracy ${digit}`);
  assert.ok(odd > 0.85, `parity accuracy ${odd}`);
});
