// The in-process simulation: N clients as objects holding index sets into one data set,
// K sampled per round (seeded), each running `localUpdate` from the global model, and the
// server's aggregation (plain, secure or with client-level DP) and strategy step. One
// model instance is reused for every client, so memory stays at one model.

import { FlambeauError } from "../../core/errors.js";
import { manualSeed, tensor } from "../../core/index.js";
import { mulberry32 } from "../../data/random.js";
import { type AggregateOptions, aggregateDeltas } from "./aggregate.js";
import { type Classifier, evaluate, type LocalData, type LocalOptions, localUpdate } from "./local.js";
import type { Strategy } from "./strategy.js";
import { flatten, layoutOf } from "./weights.js";

export interface SimulationOptions extends AggregateOptions {
  makeModel: () => Classifier;
  train: LocalData;
  test: LocalData;
  /** Per client, indices into `train` (see partition.ts). */
  parts: readonly number[][];
  rounds: number;
  clientsPerRound: number;
  strategy: Strategy;
  local: Omit<LocalOptions, "mu" | "seed">;
  seed?: number;
  log?: (line: string) => void;
}

export interface SimulationResult {
  strategy: string;
  /** Test accuracy after each round. */
  accuracy: number[];
  seconds: number;
  final: Float32Array;
}

/** K distinct clients out of N for a round. */
export function sampleClients(n: number, k: number, rand: () => number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (n - i));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, k).sort((a, b) => a - b);
}

export function simulate(o: SimulationOptions): SimulationResult {
  if (!(Number.isInteger(o.clientsPerRound) && o.clientsPerRound >= 1 && o.clientsPerRound <= o.parts.length))
    throw new FlambeauError("E_ARG", `simulate: clientsPerRound must be in [1, ${o.parts.length}], got ${o.clientsPerRound}`);
  const t0 = performance.now();
  // Every run of a comparison starts from the same initial model.
  manualSeed(o.seed ?? 0);
  const model = o.makeModel();
  const layout = layoutOf(model);
  let global = flatten(model, layout);
  const rand = mulberry32((o.seed ?? 0) + 17);
  const locals: LocalData[] = o.parts.map((idx) => {
    const i = tensor(idx, { dtype: "int64" });
    const d = { x: o.train.x.indexSelect(0, i), y: o.train.y.indexSelect(0, i) };
    i.dispose();
    return d;
  });
  const accuracy: number[] = [];
  try {
    for (let r = 0; r < o.rounds; r++) {
      const chosen = sampleClients(o.parts.length, o.clientsPerRound, rand);
      const results = chosen.map((c) =>
        localUpdate(model, layout, global, locals[c]!, {
          ...o.local,
          mu: o.strategy.clientConfig.mu,
          seed: (o.seed ?? 0) * 100_003 + r * 1009 + c,
        }),
      );
      const delta = aggregateDeltas(
        global,
        results.map((x, i) => ({ id: chosen[i]!, weights: x.weights, examples: x.examples })),
        { ...o, round: r, seed: (o.seed ?? 0) * 7919 + r },
      );
      global = o.strategy.step(global, delta);
      accuracy.push(evaluate(model, layout, global, o.test));
      o.log?.(`${o.strategy.name} round ${r + 1}/${o.rounds}: test accuracy ${(accuracy[r]! * 100).toFixed(2)} %`);
    }
  } finally {
    for (const d of locals) {
      d.x.dispose();
      d.y.dispose();
    }
    model.dispose();
  }
  return { strategy: o.strategy.name, accuracy, seconds: (performance.now() - t0) / 1000, final: global };
}
