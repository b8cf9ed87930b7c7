// Early stopping of unpromising trials. ASHA (Li et al. 2020, asynchronous successive halving)
// as Optuna's SuccessiveHalvingPruner: rungs at minResource · η^k epochs; a trial reaching a
// rung continues only when its value there is among the best 1/η of every value recorded at
// that rung so far (its own included). With fewer than η values at a rung it must be the best
// of them: trials are not suspended and resumed, so the first ones would otherwise all pass.

import { FlambeauError } from "../../core/errors.js";
import type { Direction, FinishedTrial } from "./sampler.js";

export interface Pruner {
  readonly name: string;
  /**
   * Whether trial `number` that reported `value` at `step` should stop, given the other
   * trials (finished or still running: only their numbers and reported values are read).
   */
  shouldPrune(step: number, value: number, others: readonly FinishedTrial[], direction: Direction, number?: number): boolean;
}

export class NopPruner implements Pruner {
  readonly name = "none";
  shouldPrune(): boolean {
    return false;
  }
}

export interface AshaOptions {
  /** Epochs before the first rung (default 1). */
  minResource?: number;
  /** η: one trial in η is promoted at each rung (default 3). */
  reductionFactor?: number;
  /** s: the first rung is at minResource · η^s epochs (Optuna's min_early_stopping_rate; default 0). */
  minEarlyStoppingRate?: number;
}

export class AshaPruner implements Pruner {
  readonly name = "asha";
  readonly minResource: number;
  readonly reductionFactor: number;
  readonly minEarlyStoppingRate: number;
  constructor(o: AshaOptions = {}) {
    this.minResource = o.minResource ?? 1;
    this.reductionFactor = o.reductionFactor ?? 3;
    this.minEarlyStoppingRate = o.minEarlyStoppingRate ?? 0;
    if (!Number.isSafeInteger(this.minEarlyStoppingRate) || this.minEarlyStoppingRate < 0)
      throw new FlambeauError("E_ARG", `AshaPruner: minEarlyStoppingRate must be an integer ≥ 0, got ${this.minEarlyStoppingRate}`);
    if (!Number.isSafeInteger(this.minResource) || this.minResource < 1)
      throw new FlambeauError("E_ARG", `AshaPruner: minResource must be a positive integer, got ${this.minResource}`);
    if (!Number.isSafeInteger(this.reductionFactor) || this.reductionFactor < 2)
      throw new FlambeauError("E_ARG", `AshaPruner: reductionFactor must be an integer ≥ 2, got ${this.reductionFactor}`);
  }

  /** The rung index whose resource is `step` epochs, or -1 when `step` is not a rung. */
  rungOf(step: number): number {
    const first = this.minResource * this.reductionFactor ** this.minEarlyStoppingRate;
    for (let k = 0, r = first; r <= step; k++, r *= this.reductionFactor) if (r === step) return k;
    return -1;
  }

  shouldPrune(step: number, value: number, others: readonly FinishedTrial[], direction: Direction): boolean {
    if (this.rungOf(step) < 0) return false;
    if (!Number.isFinite(value)) return true;
    const competing = [value];
    for (const t of others) {
      const v = t.intermediate[step];
      if (v !== undefined && Number.isFinite(v)) competing.push(v);
    }
    return !promotable(value, competing, this.reductionFactor, direction);
  }
}

/** Whether `value` is among the best ⌊n/η⌋ (at least 1) of `competing` (which holds it). */
export function promotable(value: number, competing: readonly number[], eta: number, direction: Direction): boolean {
  const k = Math.max(1, Math.floor(competing.length / eta));
  const sorted = [...competing].sort((a, b) => (direction === "maximize" ? b - a : a - b));
  const threshold = sorted[k - 1]!;
  return direction === "maximize" ? value >= threshold : value <= threshold;
}
