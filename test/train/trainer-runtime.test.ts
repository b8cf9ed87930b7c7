// The runtime's options on batches of any type: a `step` hook equals the loop it replaces
// step for step; accumulation equals one step on the whole batch; schedules step per
// optimizer step or per epoch; keepBest restores the best epoch; a checkpointed run resumed
// equals an uninterrupted one; evaluator needs no optimizer; data-parallel sharding splits
// every tensor of an object batch by rows.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";

const nn = fl.nn;

/** A two-input regression: y = a·w1 + b·w2, batches as objects { a, b, y }. */
interface Pair {
  a: fl.Tensor;
  b: fl.Tensor;
  y: fl.Tensor;
}
class TwoTower extends nn.Module {
  readonly left = new nn.Linear(4, 1);
  readonly right = new nn.Linear(3, 1);
  constructor() {
    super();
    this.registerModule("left", this.left);
    this.registerModule("right", this.right);
  }
  forward(a: fl.Tensor, b: fl.Tensor): fl.Tensor {
    return this.left.forward(a).add(this.right.forward(b)).squeeze(1);
  }
}

function pairs(n: number, batch: number, seed: number): Pair[] {
  fl.manualSeed(seed);
  const a = fl.randn([n, 4]);
  const b = fl.randn([n, 3]);
  const y = a.sum({ dim: 1 }).sub(b.mul(2).sum({ dim: 1 }));
  const out: Pair[] = [];
  for (let i = 0; i < n; i += batch)
    out.push({ a: a.narrow(0, i, batch).keep(), b: b.narrow(0, i, batch).keep(), y: y.narrow(0, i, batch).keep() });
  return out;
}
/** Fresh copies each epoch: the trainer disposes the batches it has used. */
const source = (data: Pair[]) => ({
  length: data.length,
  *[Symbol.iterator]() {
    for (const p of data) yield { a: p.a.clone(), b: p.b.clone(), y: p.y.clone() };
  },
});
const mse = (m: TwoTower) => (p: Pair) => fl.nn.functional.mseLoss(m.forward(p.a, p.b), p.y);
const weights = (m: fl.nn.Module) => [...m.stateDict().values()].flatMap((t) => [...(t.data() as Float32Array)]);

test("a step hook over object batches equals the hand-written loop, step for step", async () => {
  const data = pairs(64, 16, 1);
  fl.manualSeed(7);
  const m1 = new TwoTower();
  const sd = new Map([...m1.stateDict()].map(([k, t]) => [k, t.clone()]));
  const o1 = new fl.optim.SGD(m1.parameters(), { lr: 0.05, momentum: 0.9 });
  const hand: number[] = [];
  for (let e = 0; e < 2; e++)
    for (const p of source(data))
      hand.push(
        fl.tidy(() => {
          o1.zeroGrad();
          const l = mse(m1)(p);
          l.backward();
          o1.step();
          return l.item();
        }),
      );
  const m2 = new TwoTower();
  m2.loadStateDict(sd);
  const o2 = new fl.optim.SGD(m2.parameters(), { lr: 0.05, momentum: 0.9 });
  const steps: number[] = [];
  const trainer = new fl.train.Trainer<Pair>({
    model: m2,
    optimizer: o2,
    step: mse(m2),
    callbacks: [{ onBatchEnd: (_s, logs) => void steps.push(logs.loss!) }],
  });
  const h = await trainer.fit(source(data), { epochs: 2 });
  assert.deepEqual(steps, hand);
  assert.deepEqual(weights(m2), weights(m1));
  assert.equal(h.epochs.length, 2);
});

test("accumulating two half batches equals one step on the whole batch", async () => {
  fl.manualSeed(3);
  const whole = new TwoTower();
  const sd = new Map([...whole.stateDict()].map(([k, t]) => [k, t.clone()]));
  const halves = new TwoTower();
  halves.loadStateDict(sd);
  const big = pairs(32, 32, 2);
  const small = pairs(32, 16, 2);
  await new fl.train.Trainer<Pair>({ model: whole, optimizer: new fl.optim.SGD(whole.parameters(), { lr: 0.1 }), step: mse(whole) }).fit(
    source(big),
    {
      epochs: 1,
    },
  );
  await new fl.train.Trainer<Pair>({
    model: halves,
    optimizer: new fl.optim.SGD(halves.parameters(), { lr: 0.1 }),
    step: mse(halves),
    accumulate: 2,
  }).fit(source(small), { epochs: 1 });
  const [a, b] = [weights(whole), weights(halves)];
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-6, `weight ${i}: ${a[i]} vs ${b[i]}`);
});

test("a scheduler steps after every optimizer step, or every epoch", async () => {
  const data = pairs(64, 16, 4);
  const m = new TwoTower();
  const opt = new fl.optim.SGD(m.parameters(), { lr: 1e-3 });
  const sched = new fl.optim.LambdaLR(opt, (step) => 1 / (step + 1));
  await new fl.train.Trainer<Pair>({ model: m, optimizer: opt, step: mse(m), scheduler: sched }).fit(source(data), { epochs: 2 });
  assert.ok(Math.abs(opt.paramGroups[0]!.lr - 1e-3 / 9) < 1e-12, `lr after 8 steps: ${opt.paramGroups[0]!.lr}`);
  const m2 = new TwoTower();
  const opt2 = new fl.optim.SGD(m2.parameters(), { lr: 1e-3 });
  const perEpoch = new fl.optim.LambdaLR(opt2, (epoch) => 0.5 ** epoch);
  await new fl.train.Trainer<Pair>({ model: m2, optimizer: opt2, step: mse(m2), scheduler: perEpoch, schedulerInterval: "epoch" }).fit(
    source(data),
    { epochs: 3 },
  );
  assert.ok(Math.abs(opt2.paramGroups[0]!.lr - 1e-3 / 8) < 1e-12);
});

test("keepBest restores the best epoch's weights, on a metric from validate()", async () => {
  const data = pairs(32, 16, 5);
  const m = new TwoTower();
  const opt = new fl.optim.SGD(m.parameters(), { lr: 0.01 });
  const scores = [0.2, 0.9, 0.5];
  let epoch = 0;
  let atBest: number[] = [];
  const trainer = new fl.train.Trainer<Pair>({
    model: m,
    optimizer: opt,
    step: mse(m),
    validate: () => {
      const score = scores[epoch++]!;
      if (score === 0.9) atBest = weights(m);
      return { valScore: score };
    },
    keepBest: { monitor: "valScore" },
  });
  const h = await trainer.fit(source(data), { epochs: 3 });
  assert.equal(h.bestEpoch, 2);
  assert.deepEqual(weights(m), atBest);
  assert.deepEqual(
    h.epochs.map((e) => e.valScore),
    scores,
  );
});

test("a run checkpointed and resumed equals the uninterrupted run", async () => {
  const data = pairs(64, 16, 6);
  const dir = mkdtempSync(join(tmpdir(), "fl-runtime-"));
  const run = async (epochs: number, ckpt: string, resume: boolean, sd?: Map<string, fl.Tensor>) => {
    const m = new TwoTower();
    if (sd) m.loadStateDict(sd);
    const opt = new fl.optim.Adam(m.parameters(), { lr: 0.01 });
    const sched = new fl.optim.LambdaLR(opt, (s) => 1 / (1 + 0.1 * s));
    const t = new fl.train.Trainer<Pair>({ model: m, optimizer: opt, step: mse(m), scheduler: sched, checkpoint: ckpt });
    const h = await t.fit(source(data), { epochs, resume });
    return { m, h, lr: opt.paramGroups[0]!.lr };
  };
  fl.manualSeed(11);
  const init = new Map([...new TwoTower().stateDict()].map(([k, t]) => [k, t.clone()]));
  const straight = await run(4, join(dir, "a.ckpt"), false, init);
  await run(2, join(dir, "b.ckpt"), false, init);
  assert.ok(existsSync(join(dir, "b.ckpt")));
  const resumed = await run(4, join(dir, "b.ckpt"), true);
  assert.equal(resumed.h.epochs.length, 2, "epochs 3 and 4 only");
  assert.deepEqual(weights(resumed.m), weights(straight.m));
  assert.equal(resumed.lr, straight.lr);
});

test("evaluator scores a model without an optimizer; the divergence error names the run", async () => {
  const m = new TwoTower();
  const ev = fl.train.evaluator<Pair>({ model: m, step: mse(m) });
  const r = await ev.evaluate(source(pairs(32, 16, 7)));
  assert.ok(Number.isFinite(r.loss as number));
  const bad = new fl.train.Trainer<Pair>({
    name: "my-task",
    model: m,
    optimizer: new fl.optim.SGD(m.parameters(), { lr: 0.1 }),
    step: (p) => mse(m)(p).mul(Number.NaN),
  });
  await assert.rejects(bad.fit(source(pairs(16, 16, 8)), { epochs: 1 }), /my-task: training diverged: loss is NaN at epoch 1/);
  assert.throws(() => new fl.train.Trainer({ model: m, optimizer: new fl.optim.SGD(m.parameters(), { lr: 0.1 }) }), /either `loss`/);
});

test("data parallel: each rank trains on its rows of every tensor in an object batch", async () => {
  const m = new TwoTower();
  const seen: number[][] = [];
  const batch = { a: fl.arange(0, 8).float().unsqueeze(1).expand([8, 4]).contiguous(), b: fl.zeros([8, 3]), y: fl.arange(0, 8).float() };
  const trainer = new fl.train.Trainer<Pair>({
    model: m,
    optimizer: new fl.optim.SGD(m.parameters(), { lr: 0 }),
    step: (p) => {
      seen.push([...(p.y.data() as Float32Array)]);
      assert.deepEqual([...p.a.shape], [4, 4]);
      return mse(m)(p);
    },
    // A stand-in for a process group of two, seen from rank 1, with the split the ambient group uses.
    shard: fl.train.shardByRows,
    distributed: { rank: 1, worldSize: 2, syncGradients: async () => {}, allReduceSum: async (v) => v.map((x) => 2 * x) },
  });
  await trainer.fit([batch], { epochs: 1 });
  assert.deepEqual(seen, [[1, 3, 5, 7]]);
});
