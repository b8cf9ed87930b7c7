// The run settings compress trains through: `prepare` re-applies pruning masks to the model a
// task's Trainer builds (pruned weights stay zero while it trains), and `distill` replaces the
// first fit's supervised loss (claimed once, as the other run settings are).
import assert from "node:assert/strict";
import { it } from "node:test";
import * as fl from "flambeau";

const C = fl.learn.compress;

function batches() {
  fl.manualSeed(2);
  const data = Array.from({ length: 4 }, () => [fl.randn([8, 6]), fl.randint(0, 3, [8])] as [fl.Tensor, fl.Tensor]);
  return {
    length: data.length,
    *[Symbol.iterator]() {
      for (const [x, y] of data) yield [x.clone(), y.clone()] as [fl.Tensor, fl.Tensor];
    },
  };
}

it("a Trainer applies the run's masks before fitting and the run's distillation loss to its first fit only", async () => {
  fl.manualSeed(1);
  const teacher = new fl.nn.Linear(6, 3);
  const mask = fl.tensor(
    Float32Array.from({ length: 18 }, (_, i) => (i % 3 === 0 ? 0 : 1)),
    { shape: [3, 6] },
  );
  let distilled = 0;
  fl.train.setRunSettings({
    prepare: (m) => C.applyMasks(m, new Map([["weight", mask]])),
    distill: (forwardOn, out, y) => {
      distilled++;
      return C.distillationLoss(out, forwardOn(teacher), y, { temperature: 2, alpha: 0.5 });
    },
  });
  try {
    const student = new fl.nn.Linear(6, 3);
    const fit = (m: fl.nn.Linear) =>
      new fl.train.Trainer({
        model: m,
        optimizer: new fl.optim.SGD(m.parameters(), { lr: 0.5 }),
        loss: (o, y) => fl.nn.functional.crossEntropy(o, y),
      }).fit(batches(), { epochs: 2 });
    await fit(student);
    assert.equal(distilled, 8, "every training batch of the first fit used the distillation loss");
    const w = Array.from(C.foldMasks(student.stateDict()).get("weight")!.data() as Float32Array);
    w.forEach((v, i) => {
      if (i % 3 === 0) assert.ok(v === 0, `weight[${i}] stays pruned, got ${v}`);
      else assert.notEqual(v, 0);
    });
    await fit(new fl.nn.Linear(6, 3));
    assert.equal(distilled, 8, "a second fit does not claim it again");
  } finally {
    fl.train.setRunSettings({});
  }
});
