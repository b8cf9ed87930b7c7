// What a sampler sees and returns. A sampler is a pure function of (seed, trial number,
// finished trials): the same study file and seed give the same next point, so a study
// killed and resumed continues exactly as an uninterrupted one would.

import type { Params, SearchSpace } from "./space.js";

export type TrialState = "complete" | "pruned" | "failed";
export type Direction = "maximize" | "minimize";

/** A trial that ended, as samplers and pruners read it. */
export interface FinishedTrial {
  readonly number: number;
  readonly params: Params;
  readonly state: TrialState;
  /** The objective (complete) or the last reported intermediate value (pruned). */
  readonly value?: number;
  /** Intermediate values by step (epoch). */
  readonly intermediate: Readonly<Record<number, number>>;
}

export interface Sampler {
  readonly name: string;
  sample(space: SearchSpace, trialNumber: number, history: readonly FinishedTrial[], direction: Direction): Params;
}
