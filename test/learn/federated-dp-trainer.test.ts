// DP-SGD as a Trainer option: one step on a tiny linear model equals the hand computation
// (per-example gradients of the squared error, each clipped to C, summed, plus the seeded
// N(0, (σC)²) noise, over the batch size, times the learning rate), ε is logged per epoch
// as the accountant gives it, and a target ε picks the σ that meets it.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";

const F = fl.nn.functional;
const { federated: fed } = fl.learn;

function tinyRun(dp: fl.train.DpSgdOptions, batches: Iterable<[fl.Tensor, fl.Tensor]>, epochs = 1) {
  const model = new fl.nn.Linear(2, 1);
  fl.noGrad(() => {
    model.weight.copy_(fl.tensor([[0.5, -1]]));
    model.bias!.copy_(fl.tensor([0.25]));
  });
  const trainer = new fl.train.Trainer({
    model,
    optimizer: new fl.optim.SGD(model.parameters(), { lr: 0.1 }),
    loss: (out, y) => F.mseLoss(out, y),
    dp,
  });
  return { model, fit: trainer.fit(batches, { epochs }) };
}

test("DP-SGD step on a linear model equals the hand computation", async () => {
  const xs = [
    [1, 2],
    [3, -1],
    [0.5, 0.5],
  ];
  const ys = [1, -2, 0.5];
  const batch: [fl.Tensor, fl.Tensor] = [fl.tensor(xs), fl.tensor(ys.map((y) => [y]))];
  const C = 1.5;
  const sigma = 0.7;
  const { model, fit } = tinyRun({ clip: C, noiseMultiplier: sigma, seed: 5 }, [batch]);
  const history = await fit;
  // By hand: o = w·x + b, loss (o − y)², ∇w = 2(o − y)x, ∇b = 2(o − y); clip each to C.
  const w = [0.5, -1];
  const b = 0.25;
  const sum = [0, 0, 0];
  xs.forEach((x, i) => {
    const r = 2 * (w[0]! * x[0]! + w[1]! * x[1]! + b - ys[i]!);
    const g = [r * x[0]!, r * x[1]!, r];
    const scale = Math.min(1, C / Math.hypot(...g));
    g.forEach((v, k) => (sum[k]! += scale * v));
  });
  // The noise the trainer's first step draws (seed · 1_000_003 + step 0), in parameter order.
  const noise = new Float64Array(3);
  fed.addGaussianNoise(noise, { clip: C, noiseMultiplier: sigma }, 5 * 1_000_003);
  const grad = sum.map((s, k) => (s + noise[k]!) / xs.length);
  const expectW = [w[0]! - 0.1 * grad[0]!, w[1]! - 0.1 * grad[1]!];
  const expectB = b - 0.1 * grad[2]!;
  const gotW = Array.from(model.weight.data() as Float32Array);
  const gotB = (model.bias!.data() as Float32Array)[0]!;
  gotW.forEach((v, k) => assert.ok(Math.abs(v - expectW[k]!) < 1e-5, `w[${k}] ${v} vs ${expectW[k]}`));
  assert.ok(Math.abs(gotB - expectB) < 1e-5, `b ${gotB} vs ${expectB}`);
  // One batch an epoch: q = 1, one step.
  const eps = history.epochs[0]!.dpEpsilon!;
  assert.ok(Math.abs(eps - fed.epsilonFor(1, sigma, 1, 1e-5).epsilon) < 1e-9, `ε ${eps}`);
});

test("DP-SGD: a target ε picks σ for the planned steps, and ε grows to it by the last epoch", async () => {
  // Fresh tensors each epoch: the trainer disposes a batch once it is used.
  const batches = {
    length: 10,
    *[Symbol.iterator](): Generator<[fl.Tensor, fl.Tensor]> {
      for (let i = 0; i < 10; i++)
        yield [
          fl.tensor([
            [i / 10, 1],
            [1, -i / 10],
          ]),
          fl.tensor([[0.5], [-0.5]]),
        ];
    },
  };
  const history = await tinyRun({ clip: 1, epsilon: 8, delta: 1e-5, seed: 1 }, batches, 5).fit;
  const eps = history.epochs.map((e) => e.dpEpsilon!);
  assert.ok(
    eps.every((e, i) => i === 0 || e > eps[i - 1]!),
    `ε per epoch ${eps}`,
  );
  // noiseForEpsilon gives the smallest σ (to its search tolerance) with ε ≤ target.
  assert.ok(eps[4]! <= 8 + 1e-6 && eps[4]! > 7.5, `ε after the planned 50 steps: ${eps[4]}`);
  assert.throws(() => new fl.train.DpSgd({ clip: 1 }), /either a noise multiplier/);
  assert.throws(() => new fl.train.DpSgd({ clip: 0, noiseMultiplier: 1 }), /clip must be > 0/);
});
