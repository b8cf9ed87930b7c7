// LR schedules against PyTorch 1.13: the lr (and cycled momentum) of every group over 30
// steps; state dict round trips; validation.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as fl from "flambeau";
import { assertClose, fixture, makeParams } from "./helpers.js";

const O = fl.optim;

interface SchedCase {
  id: string;
  scheduler: string;
  options: Record<string, unknown>;
  optimizer: "SGD" | "Adam";
  optimizerOptions: Record<string, unknown>;
  groupLrs: number[];
  metrics: number[] | null;
  lrs: number[][];
  momentum: number[][] | null;
}
const fx = fixture<{ steps: number; cases: SchedCase[] }>("schedulers.json");

type AnyScheduler = fl.optim.LRScheduler | fl.optim.ReduceLROnPlateau;

function optimizerFor(c: SchedCase): fl.optim.Optimizer {
  const groups = c.groupLrs.map((lr) => ({ params: makeParams([[0, 0]], [[2]]), lr }));
  return c.optimizer === "SGD" ? new O.SGD(groups, c.optimizerOptions as { lr: number }) : new O.Adam(groups, c.optimizerOptions);
}

/** The scheduler of a case; options are already Flambeau's except where a case needs code. */
function schedulerFor(c: SchedCase, opt: fl.optim.Optimizer): AnyScheduler {
  const o = c.options as never;
  switch (c.id) {
    case "LambdaLR-6":
      return new O.LambdaLR(opt, (e) => 0.95 ** e);
    case "LambdaLR-7":
      return new O.LambdaLR(opt, [(e) => 0.95 ** e, (e) => 1 / (e + 1)]);
    case "SequentialLR-11":
      return new O.SequentialLR(
        opt,
        [new O.LinearLR(opt, { startFactor: 0.1, totalIters: 5 }), new O.CosineAnnealingLR(opt, { tMax: 25 })],
        [5],
      );
    case "SequentialLR-12":
      return new O.SequentialLR(
        opt,
        [
          new O.LinearLR(opt, { startFactor: 0.25, totalIters: 4 }),
          new O.ExponentialLR(opt, { gamma: 0.9 }),
          new O.StepLR(opt, { stepSize: 3, gamma: 0.5 }),
        ],
        [4, 12],
      );
  }
  switch (c.scheduler) {
    case "MultiplicativeLR":
      return new O.MultiplicativeLR(opt, () => 0.9);
    case "ChainedScheduler":
      return new O.ChainedScheduler([new O.ConstantLR(opt, { factor: 0.25, totalIters: 6 }), new O.ExponentialLR(opt, { gamma: 0.9 })]);
    case "ConstantLR":
      return new O.ConstantLR(opt, o);
    case "PolynomialLR":
      return new O.PolynomialLR(opt, o);
    case "CosineAnnealingWarmRestarts":
      return new O.CosineAnnealingWarmRestarts(opt, o);
    case "StepLR":
      return new O.StepLR(opt, o);
    case "MultiStepLR":
      return new O.MultiStepLR(opt, o);
    case "ExponentialLR":
      return new O.ExponentialLR(opt, o);
    case "CosineAnnealingLR":
      return new O.CosineAnnealingLR(opt, o);
    case "LinearLR":
      return new O.LinearLR(opt, o);
    case "OneCycleLR":
      return new O.OneCycleLR(opt, o);
    case "ReduceLROnPlateau":
      return new O.ReduceLROnPlateau(opt, o);
  }
  throw new Error(`no factory for ${c.id}`);
}

function momenta(opt: fl.optim.Optimizer): number[] {
  return opt.paramGroups.map((g) => {
    const m = g as unknown as { betas?: number[]; momentum?: number };
    return m.betas ? m.betas[0]! : m.momentum!;
  });
}

function advance(s: AnyScheduler, c: SchedCase, k: number): void {
  if (s instanceof O.ReduceLROnPlateau) s.step(c.metrics![k]!);
  else s.step();
}

describe("LR schedulers match PyTorch 1.13", () => {
  for (const c of fx.cases) {
    it(`${c.id} ${JSON.stringify(c.options)}`, () => {
      const opt = optimizerFor(c);
      const s = schedulerFor(c, opt);
      for (let k = 0; k <= fx.steps; k++) {
        if (k > 0) advance(s, c, k - 1);
        assertClose(s.getLastLr(), c.lrs[k]!, 1e-15, 1e-12, `${c.id} lr after ${k} steps`);
        assertClose(
          opt.paramGroups.map((g) => g.lr),
          c.lrs[k]!,
          1e-15,
          1e-12,
          `${c.id} group lr after ${k} steps`,
        );
        if (c.momentum) assertClose(momenta(opt), c.momentum[k]!, 1e-15, 1e-12, `${c.id} momentum after ${k} steps`);
      }
    });
  }

  it("OneCycleLR refuses to step past totalSteps", () => {
    const opt = new O.SGD(makeParams([[0]], [[1]]), { lr: 0.1, momentum: 0.9 });
    const s = new O.OneCycleLR(opt, { maxLr: 1, totalSteps: 3 });
    for (let k = 0; k < 3; k++) s.step();
    assert.throws(() => s.step(), /stepped 5 times, but the cycle has totalSteps 3/);
  });
});

describe("scheduler state dicts", () => {
  for (const c of fx.cases.filter((x) =>
    ["StepLR-0", "CosineAnnealingLR-3", "OneCycleLR-8", "SequentialLR-11", "ReduceLROnPlateau-13", "MultiStepLR-1"].includes(x.id),
  )) {
    it(`${c.id}: a resumed schedule continues as the uninterrupted one`, () => {
      const optA = optimizerFor(c);
      const a = schedulerFor(c, optA);
      for (let k = 0; k < 12; k++) advance(a, c, k);
      const optB = optimizerFor(c);
      const b = schedulerFor(c, optB);
      optB.loadStateDict(optA.stateDict());
      b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())));
      assert.deepEqual(b.getLastLr(), a.getLastLr());
      for (let k = 12; k < fx.steps; k++) {
        advance(b, c, k);
        assertClose(b.getLastLr(), c.lrs[k + 1]!, 1e-15, 1e-12, `${c.id} resumed lr after ${k + 1} steps`);
      }
    });
  }
});

describe("scheduler options", () => {
  const sgd = () => new O.SGD(makeParams([[0]], [[1]]), { lr: 0.1 });
  const adagrad = () => new O.Adagrad(makeParams([[0]], [[1]]));
  const bad: [string, () => unknown, RegExp][] = [
    ["stepSize 0", () => new O.StepLR(sgd(), { stepSize: 0 }), /StepLR: stepSize must be an integer ≥ 1, got 0/],
    ["a fractional milestone", () => new O.MultiStepLR(sgd(), { milestones: [2.5] }), /milestones\[0\] .*got 2\.5/],
    ["startFactor 0", () => new O.LinearLR(sgd(), { startFactor: 0 }), /startFactor must be in \(0, 1\], got 0/],
    ["tMax 0", () => new O.CosineAnnealingLR(sgd(), { tMax: 0 }), /tMax .*got 0/],
    ["pctStart 1.5", () => new O.OneCycleLR(sgd(), { maxLr: 1, totalSteps: 10, pctStart: 1.5 }), /pctStart must be in \[0, 1\], got 1\.5/],
    ["no cycle length", () => new O.OneCycleLR(sgd(), { maxLr: 1 } as never), /totalSteps, or epochs and stepsPerEpoch/],
    ["cycling momentum without momentum", () => new O.OneCycleLR(adagrad(), { maxLr: 1, totalSteps: 10 }), /Adagrad has neither/],
    ["one maxLr per group", () => new O.OneCycleLR(sgd(), { maxLr: [1, 2], totalSteps: 10 }), /expected 1 values for maxLr/],
    ["plateau factor 1", () => new O.ReduceLROnPlateau(sgd(), { factor: 1 }), /factor must be in \[0, 1\), got 1/],
    ["plateau mode", () => new O.ReduceLROnPlateau(sgd(), { mode: "up" as never }), /mode must be "min" or "max", got "up"/],
    ["lambdas per group", () => new O.LambdaLR(sgd(), [(e) => e, (e) => e]), /expected 1 lrLambdas/],
    [
      "milestones for SequentialLR",
      () => {
        const o = sgd();
        return new O.SequentialLR(o, [new O.LinearLR(o), new O.ExponentialLR(o, { gamma: 0.9 })], []);
      },
      /expected 1 milestones for 2 schedulers/,
    ],
    ["resuming without initialLr", () => new O.StepLR(sgd(), { stepSize: 2, lastEpoch: 5 }), /no initialLr/],
  ];
  for (const [what, make, message] of bad) {
    it(`rejects ${what}`, () => assert.throws(make, (e: Error) => e instanceof fl.FlambeauError && message.test(e.message)));
  }

  it("sets initialLr in each group, as PyTorch's initial_lr", () => {
    const opt = sgd();
    new O.ExponentialLR(opt, { gamma: 0.5 });
    assert.equal(opt.paramGroups[0]!.initialLr, 0.1);
    assert.equal(opt.stateDict().paramGroups[0]!.initial_lr, 0.1);
  });
});
