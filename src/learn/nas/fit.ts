// The one training loop of the NAS code: the comparison's retraining of both networks and
// evolution's proxy training of each candidate (Adam, cosine-annealed rate, shuffled
// minibatches, seeded so equal candidates score equal).

import { manualSeed, type Tensor, tensor, tidy } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { mulberry32, shuffleInPlace } from "../../data/random.js";
import type { Module } from "../../nn/module.js";
import { Adam } from "../../optim/adam.js";
import type { ImageSet } from "./darts.js";

type Classifier = Module & { forward(x: Tensor): Tensor };

export interface FitOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** Stop after this many steps (the schedule still spans them all): evolution's proxy budget. */
  maxSteps?: number;
}

/** Trains `model` on `d`; the cosine schedule spans `maxSteps` when that cuts the epochs short. */
export function trainClassifier(model: Classifier, d: ImageSet, o: FitOptions): void {
  manualSeed(o.seed);
  const rand = mulberry32(o.seed);
  const n = d.y.shape[0]!;
  const opt = new Adam(model.parameters(), { lr: o.lr });
  const steps = Math.ceil(n / o.batchSize);
  const total = Math.min(o.epochs * steps, o.maxSteps ?? Number.POSITIVE_INFINITY);
  for (let e = 0, t = 0; e < o.epochs && t < total; e++) {
    model.train();
    const order = shuffleInPlace(
      Array.from({ length: n }, (_, i) => i),
      rand,
    );
    for (let s = 0; s < steps && t < total; s++, t++) {
      for (const g of opt.paramGroups) g.lr = 0.5 * o.lr * (1 + Math.cos((Math.PI * t) / total));
      tidy(() => {
        opt.zeroGrad();
        const idx = tensor(order.slice(s * o.batchSize, (s + 1) * o.batchSize), { dtype: "int64" });
        crossEntropy(model.forward(d.x.indexSelect(0, idx)) as Tensor, d.y.indexSelect(0, idx)).backward();
        opt.step();
      });
    }
  }
}
