// Freezing by name pattern, discriminative learning rates and gradual unfreezing: frozen
// parameters get no gradient and do not move, a wholly frozen BatchNorm keeps its running
// statistics in train mode, and patterns that match nothing are errors naming the model's parameters.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";

const { nn } = fl;

class Net extends nn.Module {
  features = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.BatchNorm2d(4), new nn.ReLU());
  head = new nn.Linear(4, 3);
  forward(x: fl.Tensor): fl.Tensor {
    return this.head.forward(this.features.forward(x).mean({ dim: [2, 3] }));
  }
}

const snapshot = (m: fl.nn.Module) => new Map([...m.stateDict()].map(([k, v]) => [k, v.flatten().toArray() as number[]]));

test("freeze: matching parameters get no gradient, do not move, and their BatchNorm keeps its statistics", () => {
  fl.manualSeed(0);
  const m = new Net();
  const names = nn.utils.freeze(m, "features.*");
  assert.deepEqual(names, ["features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias"]);
  assert.deepEqual(nn.utils.frozenParameters(m), names);
  const before = snapshot(m);
  const opt = new fl.optim.SGD(m.parameters(), { lr: 0.5, momentum: 0.9 });
  m.train();
  assert.equal(m.features.at(1).training, false, "a wholly frozen BatchNorm stays in eval mode");
  assert.equal(m.head.training, true);
  for (let i = 0; i < 3; i++) {
    opt.zeroGrad();
    m.forward(fl.randn([4, 1, 6, 6]))
      .pow(2)
      .sum()
      .backward();
    opt.step();
  }
  const after = snapshot(m);
  for (const k of before.keys()) {
    const moved = before.get(k)!.some((v, i) => v !== after.get(k)![i]);
    assert.equal(moved, k.startsWith("head."), `${k} ${moved ? "moved" : "did not move"}`);
  }
  assert.equal((m.features.at(0) as fl.nn.Conv2d).weight.grad, null);
  nn.utils.unfreeze(m, "features.1.*");
  m.train();
  assert.equal(m.features.at(1).training, true, "an unfrozen BatchNorm trains again");
});

test("unfreeze: the normalisation layers it releases train again; a submodule put in eval by hand stays in eval", () => {
  const m = new Net();
  m.train();
  nn.utils.freeze(m, "features.*");
  assert.equal(m.features.at(1).training, false);
  m.head.eval();
  m.features.at(2).eval();
  nn.utils.unfreeze(m);
  assert.equal(m.features.at(1).training, true, "the released BatchNorm follows its model's train mode");
  assert.equal(m.head.training, false, "the head put in eval by hand");
  assert.equal(m.features.at(2).training, false, "the ReLU put in eval by hand");
  assert.equal(m.features.at(0).training, true, "the rest keeps its mode");
  // In an eval-mode model, a released layer stays in eval too.
  const e = new Net();
  nn.utils.freeze(e, "features.*");
  e.eval();
  nn.utils.unfreeze(e);
  assert.equal(e.features.at(1).training, false);
});

test("freeze: a pattern that matches nothing names the model's parameters", () => {
  const m = new Net();
  assert.throws(
    () => nn.utils.freeze(m, "backbone.*"),
    /freeze: pattern "backbone\.\*" matches no parameter of Net; its parameters start with: features, head/,
  );
  assert.throws(() => nn.utils.freeze(m, []), /at least one name pattern/);
  assert.throws(() => nn.utils.freeze(m, [""]), /non-empty strings/);
});

test("paramGroupsByName and discriminativeLr: first match wins, the rest keep the defaults, lower layers smaller rates", () => {
  const m = new Net();
  const groups = fl.optim.paramGroupsByName<fl.optim.SGDOptions>(m, [
    { params: "features.0.*", lr: 0.01 },
    { params: "features.*", lr: 0.1 },
  ]);
  assert.deepEqual(
    groups.map((g) => [g.params.length, g.lr]),
    [
      [2, 0.01],
      [2, 0.1],
      [2, undefined],
    ],
  );
  const opt = new fl.optim.AdamW(groups, { lr: 1 });
  assert.deepEqual(
    opt.paramGroups.map((g) => g.lr),
    [0.01, 0.1, 1],
  );
  const d = fl.optim.discriminativeLr(m, ["features.0.*", "features.1.*"], { lr: 2.6 ** 2 });
  assert.deepEqual(
    d.map((g) => Number(g.lr!.toFixed(6))),
    [1, 2.6, 6.76],
  );
  assert.throws(() => fl.optim.paramGroupsByName(m, [{ params: "body.*" }]), /pattern "body\.\*" matches no parameter/);
});

test("GradualUnfreezing: one layer group per epoch from the top", async () => {
  fl.manualSeed(1);
  const m = new Net();
  const x = fl.randn([8, 1, 6, 6]);
  const y = fl.tensor([0, 1, 2, 0, 1, 2, 0, 1], { dtype: "int64" });
  const seen: string[][] = [];
  const cb = new fl.train.GradualUnfreezing({ model: m, groups: ["features.1.*", "features.0.*"] });
  const trainer = new fl.train.Trainer({
    model: m,
    optimizer: new fl.optim.SGD(m.parameters(), { lr: 0.1 }),
    loss: (p, t) => fl.nn.functional.crossEntropy(p, t),
    callbacks: [cb, { onEpochBegin: () => void seen.push(nn.utils.frozenParameters(m)) }],
  });
  // A fresh batch each epoch: the Trainer disposes what it is given.
  const data = {
    length: 1,
    *[Symbol.iterator]() {
      yield [x.clone(), y.clone()] as fl.train.Batch;
    },
  };
  await trainer.fit(data, { epochs: 3 });
  assert.deepEqual(seen, [
    ["features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias"],
    ["features.0.weight", "features.0.bias"],
    [],
  ]);
  assert.throws(() => new fl.train.GradualUnfreezing({ model: m, groups: [], every: 1 }), /at least one layer group/);
});
