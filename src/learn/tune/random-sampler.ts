// Random search (Bergstra & Bengio 2012): every parameter drawn independently, uniform on
// its scale; the stream of trial n is Random(seed, n), so trials do not depend on each other.

import { Random } from "../../data/random.js";
import type { Sampler } from "./sampler.js";
import type { Choice, Param, Params, SearchSpace } from "./space.js";

/** One uniform draw of a parameter (ints: log-uniform over [low − ½, high + ½] then rounded, as Optuna). */
export function drawParam(p: Param, rng: Random): Choice {
  if (p.type === "categorical") return p.choices[rng.int(p.choices.length)]!;
  if (p.type === "int" && !p.log) return p.low + rng.int(p.high - p.low + 1);
  const [lo, hi] = p.type === "int" ? [p.low - 0.5, p.high + 0.5] : [p.low, p.high];
  const u = rng.nextFloat();
  const x = p.log ? Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo))) : lo + u * (hi - lo);
  return p.type === "int" ? Math.min(p.high, Math.max(p.low, Math.round(x))) : x;
}

export class RandomSampler implements Sampler {
  readonly name = "random";
  constructor(readonly seed: number) {}
  sample(space: SearchSpace, trialNumber: number): Params {
    const rng = new Random(this.seed, trialNumber);
    const out: Params = {};
    for (const [name, p] of Object.entries(space)) out[name] = drawParam(p, rng);
    return out;
  }
}
