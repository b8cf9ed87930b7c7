// The Tree-structured Parzen Estimator (Bergstra et al. 2011), independent per parameter as
// Optuna's default TPESampler: after `startupTrials` random trials, the finished trials are
// split into the best γ fraction ("below") and the rest; each parameter is drawn from a
// Parzen (Gaussian-mixture / smoothed-histogram) density l(x) fitted to the good values,
// and the candidate with the largest l(x) / g(x) among `candidates` draws is kept.
// Pruned trials always count among the bad ones; failed trials are left out.

import { Random } from "../../data/random.js";
import { RandomSampler } from "./random-sampler.js";
import type { Direction, FinishedTrial, Sampler } from "./sampler.js";
import { type Choice, inSpace, type Param, type Params, type SearchSpace } from "./space.js";

export interface TpeOptions {
  /** Random trials before the model takes over (default 10). */
  startupTrials?: number;
  /** Draws from l(x) scored per parameter (default 24). */
  candidates?: number;
  /** Fraction of the finished trials counted as good (default 0.25, at most 25 trials). */
  gamma?: number;
}

// Abramowitz & Stegun 7.1.26: |error| < 1.5e-7, plenty for ranking candidates.
function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}
const phi = (z: number): number => 0.5 * (1 + erf(z / Math.SQRT2));

function normal(rng: Random): number {
  const u = 1 - rng.nextFloat();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
}

/** A mixture of Gaussians truncated to [lo, hi]: one per observation plus a broad prior at the centre. */
export class ParzenEstimator {
  readonly mus: number[];
  readonly sigmas: number[];
  constructor(
    obs: readonly number[],
    readonly lo: number,
    readonly hi: number,
  ) {
    const range = hi - lo || 1;
    const sorted = [lo, ...[...obs].sort((a, b) => a - b), hi];
    // Bandwidth: the wider gap to a neighbouring observation (Optuna's rule), kept within [range / min(100, n + 1), range].
    const minSigma = range / Math.min(100, obs.length + 1);
    this.mus = [...obs, (lo + hi) / 2];
    this.sigmas = obs.map((m) => {
      const i = sorted.indexOf(m);
      const gap = Math.max(m - sorted[i - 1]!, sorted[i + 1]! - m);
      return Math.min(range, Math.max(minSigma, gap));
    });
    this.sigmas.push(range);
  }
  sample(rng: Random): number {
    const k = rng.int(this.mus.length);
    for (let tries = 0; tries < 100; tries++) {
      const x = this.mus[k]! + this.sigmas[k]! * normal(rng);
      if (x >= this.lo && x <= this.hi) return x;
    }
    return Math.min(this.hi, Math.max(this.lo, this.mus[k]!));
  }
  logPdf(x: number): number {
    let p = 0;
    for (let k = 0; k < this.mus.length; k++) {
      const m = this.mus[k]!;
      const s = this.sigmas[k]!;
      const mass = phi((this.hi - m) / s) - phi((this.lo - m) / s);
      p += Math.exp(-0.5 * ((x - m) / s) ** 2) / (s * Math.sqrt(2 * Math.PI) * Math.max(mass, 1e-12));
    }
    return Math.log(p / this.mus.length + 1e-300);
  }
}

/** Where a numeric parameter's density lives: its log for log ranges, ints widened by ½ on each side. */
function internal(p: Extract<Param, { low: number }>): { lo: number; hi: number; to(x: number): number; from(x: number): number } {
  const [lo, hi] = p.type === "int" ? [p.low - 0.5, p.high + 0.5] : [p.low, p.high];
  const to = (x: number) => (p.log ? Math.log(x) : x);
  const from = (y: number) => {
    const x = p.log ? Math.exp(y) : y;
    return p.type === "int" ? Math.min(p.high, Math.max(p.low, Math.round(x))) : Math.min(p.high, Math.max(p.low, x));
  };
  return { lo: to(lo), hi: to(hi), to, from };
}

/** Good and bad trials: complete ones ranked by value, pruned ones always after them. */
export function splitTrials(
  history: readonly FinishedTrial[],
  direction: Direction,
  gamma: number,
): { below: FinishedTrial[]; above: FinishedTrial[] } {
  const sign = direction === "maximize" ? -1 : 1;
  const complete = history.filter((t) => t.state === "complete" && Number.isFinite(t.value));
  const pruned = history.filter((t) => t.state === "pruned");
  complete.sort((a, b) => sign * (a.value! - b.value!) || a.number - b.number);
  const ranked = [...complete, ...pruned];
  const nBelow = Math.max(1, Math.min(25, Math.ceil(gamma * ranked.length), complete.length));
  return { below: ranked.slice(0, nBelow), above: ranked.slice(nBelow) };
}

export class TpeSampler implements Sampler {
  readonly name = "tpe";
  readonly startupTrials: number;
  readonly candidates: number;
  readonly gamma: number;
  readonly #random: RandomSampler;
  constructor(
    readonly seed: number,
    o: TpeOptions = {},
  ) {
    this.startupTrials = o.startupTrials ?? 10;
    this.candidates = o.candidates ?? 24;
    this.gamma = o.gamma ?? 0.25;
    this.#random = new RandomSampler(seed);
  }

  sample(space: SearchSpace, trialNumber: number, history: readonly FinishedTrial[], direction: Direction): Params {
    // Trials whose params fit this space (a widened space on resume keeps the old ones that still fit).
    const usable = history.filter(
      (t) => t.state !== "failed" && Object.entries(space).every(([n, p]) => inSpace(p, t.params[n])) && t.value !== undefined,
    );
    if (usable.length < this.startupTrials || !usable.some((t) => t.state === "complete")) return this.#random.sample(space, trialNumber);
    const rng = new Random(this.seed, trialNumber);
    const { below, above } = splitTrials(usable, direction, this.gamma);
    const out: Params = {};
    for (const [name, p] of Object.entries(space)) {
      const good = below.map((t) => t.params[name]!);
      const badv = above.map((t) => t.params[name]!);
      out[name] = p.type === "categorical" ? this.#categorical(p.choices, good, badv, rng) : this.#numeric(p, good, badv, rng);
    }
    return out;
  }

  #numeric(p: Extract<Param, { low: number }>, good: Choice[], bad: Choice[], rng: Random): number {
    if (p.low === p.high) return p.low;
    const m = internal(p);
    const l = new ParzenEstimator(
      good.map((v) => m.to(v as number)),
      m.lo,
      m.hi,
    );
    const g = new ParzenEstimator(
      bad.map((v) => m.to(v as number)),
      m.lo,
      m.hi,
    );
    let best = Number.NaN;
    let bestScore = -Infinity;
    for (let c = 0; c < this.candidates; c++) {
      const x = l.sample(rng);
      const score = l.logPdf(x) - g.logPdf(x);
      if (score > bestScore) [best, bestScore] = [x, score];
    }
    return m.from(best);
  }

  #categorical(choices: readonly Choice[], good: Choice[], bad: Choice[], rng: Random): Choice {
    // Counts smoothed by one prior observation per choice.
    const weights = (obs: Choice[]) => choices.map((c) => (obs.filter((v) => v === c).length + 1) / (obs.length + choices.length));
    const l = weights(good);
    const g = weights(bad);
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < this.candidates; c++) {
      let u = rng.nextFloat();
      let k = 0;
      while (k < choices.length - 1 && u >= l[k]!) u -= l[k++]!;
      const score = Math.log(l[k]!) - Math.log(g[k]!);
      if (score > bestScore) [best, bestScore] = [k, score];
    }
    return choices[best]!;
  }
}
