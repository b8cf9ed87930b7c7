// Optimizers against PyTorch 1.13: five steps on fixed gradients, the parameters after each
// step compared; plus validation messages, zeroGrad, groups and memory per step.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as fl from "flambeau";
import { assertClose, build, flat, gradsAt, makeParams, optFixture, setGrads } from "./helpers.js";

const { SGD, Adam, AdamW, RMSprop, Adagrad } = fl.optim;

const fx = optFixture;

describe("optimizers match PyTorch 1.13 step for step", () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const { params, opt } = build(c);
      for (let k = 0; k < c.params.length; k++) {
        gradsAt(c, params, k);
        const before = fl.memory().liveTensors;
        opt.step();
        // Only the first step may create tensors (the state); no temporary survives a step.
        if (k > 0) assert.equal(fl.memory().liveTensors, before, `step ${k}: tensors leaked`);
        params.forEach((p, i) => assertClose(flat(p), c.params[k]![i]!, 1e-6, 0, `${c.name} step ${k} param ${i}`));
      }
      opt.dispose();
      // Undisposed garbage would be freed by GC at random times and disturb the counts of later cases.
      fl.dispose(params);
    });
  }
});

describe("optimizer options", () => {
  const ps = () => makeParams(fx.init, fx.shapes);
  const bad: [string, () => unknown, RegExp][] = [
    ["negative lr", () => new SGD(ps(), { lr: -0.1 }), /SGD: lr must be .*≥ 0, got -0\.1/],
    ["negative momentum", () => new SGD(ps(), { lr: 0.1, momentum: -0.5 }), /momentum .*got -0\.5/],
    ["nesterov without momentum", () => new SGD(ps(), { lr: 0.1, nesterov: true }), /nesterov needs momentum > 0 .*got momentum 0/],
    ["nesterov with dampening", () => new SGD(ps(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), /dampening 0\.1/],
    ["beta1 = 1", () => new Adam(ps(), { betas: [1, 0.999] }), /Adam: betas\[0\] must be in \[0, 1\), got 1/],
    ["beta2 < 0", () => new AdamW(ps(), { betas: [0.9, -0.1] }), /AdamW: betas\[1\] .*got -0\.1/],
    ["negative eps", () => new Adam(ps(), { eps: -1e-8 }), /eps .*got -1e-8/],
    ["negative weight decay", () => new Adam(ps(), { weightDecay: -0.01 }), /weightDecay .*got -0\.01/],
    ["NaN lr", () => new Adam(ps(), { lr: Number.NaN }), /lr .*got NaN/],
    ["negative alpha", () => new RMSprop(ps(), { alpha: -0.9 }), /RMSprop: alpha .*got -0\.9/],
    ["negative lrDecay", () => new Adagrad(ps(), { lrDecay: -1 }), /Adagrad: lrDecay .*got -1/],
    ["negative initial accumulator", () => new Adagrad(ps(), { initialAccumulatorValue: -0.1 }), /initialAccumulatorValue .*got -0\.1/],
    ["bad lr in a group", () => new Adam([{ params: ps(), lr: -1 }]), /lr .*got -1/],
    ["unknown option in a group", () => new Adam([{ params: ps(), weight_decay: 0.1 } as never]), /unknown option "weight_decay"/],
    ["empty parameter list", () => new Adam([]), /empty parameter list/],
    [
      "a parameter twice",
      () => {
        const [w] = ps();
        return new SGD([{ params: [w!] }, { params: [w!] }], { lr: 0.1 });
      },
      /appears twice/,
    ],
    ["an integer tensor", () => new SGD([fl.tensor([1, 2], { dtype: "int64" })], { lr: 0.1 }), /dtype int64/],
    [
      "a non-leaf tensor",
      () => {
        const [w] = ps();
        return new SGD([w!.mul(2)], { lr: 0.1 });
      },
      /not a leaf/,
    ],
  ];
  for (const [what, make, message] of bad) {
    it(`rejects ${what}`, () => assert.throws(make, (e: Error) => e instanceof fl.FlambeauError && message.test(e.message)));
  }

  it("defaults are PyTorch's (AdamW decays by 1e-2)", () => {
    assert.deepEqual(new AdamW(ps()).defaults, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 1e-2,
      amsgrad: false,
      maximize: false,
    });
    assert.equal(new Adam(ps()).defaults.weightDecay, 0);
    assert.equal(new RMSprop(ps()).defaults.alpha, 0.99);
    assert.equal(new Adagrad(ps()).defaults.eps, 1e-10);
  });

  it("lr is mutable per group and read on every step", () => {
    const params = ps();
    const opt = new SGD([{ params: [params[0]!] }, { params: [params[1]!] }], { lr: 0.1 });
    setGrads(params, fx.grads[0]!, fx.shapes);
    opt.paramGroups[0]!.lr = 0;
    opt.step();
    assert.deepEqual(flat(params[0]!), Array.from(new Float32Array(fx.init[0]!)));
    assert.notDeepEqual(flat(params[1]!), Array.from(new Float32Array(fx.init[1]!)));
  });

  it("addParamGroup adds parameters with their own options", () => {
    const [w, b] = ps();
    const opt = new Adam([w!], { lr: 0.01 });
    opt.addParamGroup({ params: [b!], lr: 0.1 });
    assert.equal(opt.paramGroups.length, 2);
    assert.equal(opt.paramGroups[1]!.lr, 0.1);
    assert.equal(opt.paramGroups[1]!.eps, 1e-8);
    assert.throws(() => opt.addParamGroup({ params: [w!] }), /appears twice/);
    setGrads([w!, b!], fx.grads[0]!, fx.shapes);
    opt.step();
    assert.equal(opt.state.get(b!)?.get("step"), 1);
  });

  it("zeroGrad drops the gradients, or zeroes them in place", () => {
    const params = ps();
    const opt = new SGD(params, { lr: 0.1 });
    setGrads(params, fx.grads[0]!, fx.shapes);
    opt.zeroGrad(false);
    for (const p of params) assert.ok(fl.tidy(() => flat(p.grad!).every((v) => v === 0)));
    opt.zeroGrad();
    for (const p of params) assert.equal(p.grad, null);
  });
});

describe("updates in cache-sized chunks", () => {
  // Tensors of more than one chunk (65536 elements) and small ones around them: the classes
  // split the lists, the plain functions below take them whole; the results must be equal.
  const shapes = [[5], [300, 300], [7], [40000], [30000], [3]];
  const make = (seed: number) =>
    shapes.map((s) =>
      fl.tidy(() => {
        fl.manualSeed(seed);
        return new fl.nn.Parameter(fl.randn(s));
      }),
    );
  const grads = (params: fl.Tensor[], k: number) =>
    params.forEach((p) =>
      fl.tidy(() => {
        fl.manualSeed(100 + k);
        p.grad = fl.randn(p.shape);
      }),
    );
  const same = (a: fl.Tensor[], b: fl.Tensor[], what: string) =>
    a.forEach((p, i) => assert.deepEqual(flat(p), flat(b[i]!), `${what}: param ${i}`));

  it("Adam (amsgrad, weight decay) equals the whole-list update", () => {
    const a = make(1);
    const b = make(1);
    const opt = new Adam(a, { lr: 0.01, amsgrad: true, weightDecay: 0.1 });
    const state = b.map((p) => [0, 1, 2].map(() => fl.zerosLike(p).keep()));
    for (let k = 1; k <= 3; k++) {
      grads(a, k);
      grads(b, k);
      opt.step();
      fl.noGrad(() =>
        fl.tidy(() => {
          const g = b.map((p) => p.grad!);
          const col = (j: number) => state.map((s) => s[j]!);
          fl.optim.adam(
            b,
            g,
            col(0),
            col(1),
            col(2),
            b.map(() => k),
            { ...opt.defaults, decoupled: false },
          );
        }),
      );
      same(a, b, `step ${k}`);
    }
    opt.dispose();
    fl.dispose([a, b, state]);
  });

  it("SGD with Nesterov momentum equals the whole-list update", () => {
    const a = make(2);
    const b = make(2);
    const opt = new SGD(a, { lr: 0.1, momentum: 0.9, nesterov: true });
    const bufs: (fl.Tensor | null)[] = b.map(() => null);
    for (let k = 1; k <= 3; k++) {
      grads(a, k);
      grads(b, k);
      opt.step();
      fl.noGrad(() =>
        fl.tidy(() =>
          fl.optim.sgd(
            b,
            b.map((p) => p.grad!),
            bufs,
            opt.defaults,
          ),
        ),
      );
      same(a, b, `step ${k}`);
    }
    opt.dispose();
    fl.dispose([a, b, bufs]);
  });

  it("RMSprop (centered, momentum) and Adagrad equal the whole-list updates", () => {
    const a = make(3);
    const b = make(3);
    const rms = new RMSprop(a.slice(0, 3), { centered: true, momentum: 0.5 });
    const ada = new Adagrad(a.slice(3), { lrDecay: 0.1 });
    const rs = b.slice(0, 3).map((p) => [0, 1, 2].map(() => fl.zerosLike(p).keep()));
    const sums = b.slice(3).map((p) => fl.zerosLike(p).keep());
    for (let k = 1; k <= 3; k++) {
      grads(a, k);
      grads(b, k);
      rms.step();
      ada.step();
      fl.noGrad(() =>
        fl.tidy(() => {
          const g = b.map((p) => p.grad!);
          const col = (j: number) => rs.map((s) => s[j]!);
          fl.optim.rmsprop(b.slice(0, 3), g.slice(0, 3), col(0), col(1), col(2), rms.defaults);
          fl.optim.adagrad(b.slice(3), g.slice(3), sums, [k, k, k], ada.defaults);
        }),
      );
      same(a, b, `step ${k}`);
    }
    rms.dispose();
    ada.dispose();
    fl.dispose([a, b, rs, sums]);
  });
});
