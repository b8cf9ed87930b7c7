// Generation metrics (GuacaMol / MOSES definitions): validity over all samples, uniqueness
// over the valid ones, novelty over the unique valid ones, the hit rate of the target
// property range over the valid ones, and the Wasserstein-1 distance between two samples of
// property values. Molecules are compared by a canonical key (openchemlib's ID code).
import { FlambeauError } from "../../core/errors.js";
import { inRange, type TargetRange } from "./target.js";

/** One sample: its canonical key and property value, or null when openchemlib refused it. */
export type ScoredSample = { key: string; value: number } | null;

export interface GenerationMetrics {
  samples: number;
  validity: number;
  uniqueness: number;
  novelty: number;
  /** Valid samples whose property lies in the target range. */
  hitRate: number;
  /** Wasserstein-1 between the valid samples' property values and the training set's. */
  w1ToTraining: number;
  /** Wasserstein-1 between the valid samples' values and the training molecules' inside the target range. */
  w1ToTrainingInRange: number;
  meanValue: number;
}

/** W1 of two empirical distributions: the area between their CDFs. */
export function wasserstein1(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0)
    throw new FlambeauError("E_ARG", `wasserstein1: needs two non-empty samples, got sizes ${a.length} and ${b.length}`, "wasserstein1");
  const xs = [...a].sort((x, y) => x - y);
  const ys = [...b].sort((x, y) => x - y);
  const all = [...xs, ...ys].sort((x, y) => x - y);
  let i = 0;
  let j = 0;
  let w = 0;
  for (let k = 0; k + 1 < all.length; k++) {
    const x = all[k]!;
    while (i < xs.length && xs[i]! <= x) i++;
    while (j < ys.length && ys[j]! <= x) j++;
    w += Math.abs(i / xs.length - j / ys.length) * (all[k + 1]! - x);
  }
  return w;
}

const mean = (v: readonly number[]) => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : Number.NaN);

/** The metrics of samples against the training set's keys and property values. */
export function generationMetrics(
  samples: readonly ScoredSample[],
  training: { keys: ReadonlySet<string>; values: readonly number[] },
  target: TargetRange,
): GenerationMetrics {
  const valid = samples.filter((s): s is { key: string; value: number } => s !== null);
  const unique = new Set(valid.map((s) => s.key));
  const novel = [...unique].filter((k) => !training.keys.has(k));
  const values = valid.map((s) => s.value);
  const inside = training.values.filter((v) => inRange(v, target));
  return {
    samples: samples.length,
    validity: samples.length ? valid.length / samples.length : 0,
    uniqueness: valid.length ? unique.size / valid.length : 0,
    novelty: unique.size ? novel.length / unique.size : 0,
    hitRate: valid.length ? values.filter((v) => inRange(v, target)).length / valid.length : 0,
    w1ToTraining: values.length && training.values.length ? wasserstein1(values, training.values) : Number.NaN,
    w1ToTrainingInRange: values.length && inside.length ? wasserstein1(values, inside) : Number.NaN,
    meanValue: mean(values),
  };
}
