// Runs a continual-learning scenario with one strategy: the experiences in order, each
// trained by the shared Trainer with the strategy's additions to the loss, and after each
// one the accuracy on every experience's test set. From the accuracy matrix R (row: after
// training experience i, column: tested on j): the average accuracy after the last
// experience, and backward transfer BWT = mean over j < T of R[T−1][j] − R[j][j]
// (Lopez-Paz & Ranzato 2017; negative is forgetting).

import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tidy } from "../../core/index.js";
import type { Module } from "../../nn/module.js";
import { Adam } from "../../optim/index.js";
import { Trainer } from "../../train/trainer.js";
import { activeLogits, type ContinualBatch, groupsLoss, pooledBatches } from "./batches.js";
import { type Scenario, targetsOf } from "./scenario.js";
import type { ContinualStrategy, StrategyContext } from "./strategies.js";

export interface ContinualOptions {
  scenario: Scenario;
  /** A fresh model: input features → `scenario.outputs` logits. */
  makeModel: () => Module & { forward(x: Tensor): Tensor };
  strategy: ContinualStrategy;
  /** Epochs per experience (default 2). */
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface ContinualResult {
  scenario: string;
  strategy: string;
  /** accuracy[i][j]: after learning experience i, on experience j's test set. */
  accuracy: number[][];
  /** Mean accuracy over all experiences after the last one. */
  average: number;
  /** Backward transfer: mean change of each earlier experience's accuracy since it was learnt. */
  backwardTransfer: number;
  seconds: number;
}

/** Test accuracy on experience `j` with the units of experiences 0..upTo. */
function accuracyOn(model: ReturnType<ContinualOptions["makeModel"]>, s: Scenario, j: number, upTo: number): number {
  const e = s.experiences[j]!;
  const n = e.test.y.shape[0]!;
  if (n === 0) return Number.NaN;
  let correct = 0;
  for (let b = 0; b < n; b += 1000)
    correct += noGrad(() =>
      tidy(() => {
        const m = Math.min(1000, n - b);
        const pred = activeLogits(model, s, j, e.test.x.narrow(0, b, m), upTo).argmax({ dim: 1 });
        return Number(
          pred
            .eq(targetsOf(s, e, e.test.y.narrow(0, b, m), upTo))
            .sum()
            .item(),
        );
      }),
    );
  return correct / n;
}

export async function runContinual(o: ContinualOptions): Promise<ContinualResult> {
  const { scenario: s, strategy } = o;
  const epochs = o.epochs ?? 2;
  const batchSize = o.batchSize ?? 128;
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new FlambeauError("E_ARG", `runContinual: epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new FlambeauError("E_ARG", `runContinual: batchSize must be a positive integer, got ${batchSize}`);
  manualSeed(o.seed ?? 0);
  const t0 = performance.now();
  const model = o.makeModel();
  const T = s.experiences.length;
  const accuracy: number[][] = [];
  try {
    for (let t = 0; t < T; t++) {
      const ctx: StrategyContext = { scenario: s, t, model, makeModel: o.makeModel };
      strategy.beforeExperience?.(ctx);
      const sets = (strategy.cumulative ? s.experiences.slice(0, t + 1) : [s.experiences[t]!]).map((e) => ({ exp: e.id, ...e.train }));
      const trainer = new Trainer<ContinualBatch>({
        model,
        // Adam restarts with each experience, as in van de Ven & Tolias's protocol.
        optimizer: new Adam(model.parameters(), { lr: o.lr ?? 1e-3, betas: [0.9, 0.999] }),
        name: `continual ${strategy.name}`,
        batchSize: (b) => b.reduce((a, g) => a + g.y.shape[0]!, 0),
        step: (batch) => {
          let loss = groupsLoss(model, s, batch, t);
          const extra = strategy.extra?.(ctx, batchSize);
          if (extra) {
            loss = loss.mul(1 - extra.weight).add(groupsLoss(model, s, extra.groups, t).mul(extra.weight));
            for (const g of extra.groups) {
              g.x.dispose();
              g.y.dispose();
            }
          }
          const p = strategy.penalty?.(ctx, batch);
          return p ? loss.add(p) : loss;
        },
      });
      const source = {
        length: Math.ceil(sets.reduce((a, x) => a + x.y.shape[0]!, 0) / batchSize),
        [Symbol.iterator]: () => pooledBatches(sets, batchSize),
      };
      await trainer.fit(source, { epochs });
      model.eval();
      strategy.afterExperience?.(ctx);
      accuracy.push(s.experiences.map((_, j) => accuracyOn(model, s, j, Math.max(t, j))));
      o.log?.(`${strategy.name}: after experience ${t + 1}/${T}: ${accuracy[t]!.map((a) => (a * 100).toFixed(1)).join(" ")}`);
    }
  } finally {
    strategy.dispose?.();
  }
  const last = accuracy[T - 1]!;
  const average = last.reduce((a, b) => a + b, 0) / T;
  const backwardTransfer = T > 1 ? last.slice(0, T - 1).reduce((a, v, j) => a + v - accuracy[j]![j]!, 0) / (T - 1) : 0;
  return { scenario: s.name, strategy: strategy.name, accuracy, average, backwardTransfer, seconds: (performance.now() - t0) / 1000 };
}
