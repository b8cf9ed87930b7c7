// Hyperband (Li et al. 2018) as Optuna's HyperbandPruner: brackets of successive halving
// that start at different budgets. Bracket s (0 ≤ s < n, n = ⌊log_η(max/min)⌋ + 1) is an
// ASHA whose first rung is at min · η^s epochs, so bracket 0 prunes most aggressively and the
// last one lets its trials run longest before judging them. A trial's bracket is drawn from
// (seed, trial number), weighted by each bracket's trial budget ⌈n · η^(n−1−s) / (n−s)⌉, and
// it competes only with the trials of its own bracket.

import { FlambeauError } from "../../core/errors.js";
import { Random } from "../../data/random.js";
import { AshaPruner, type Pruner } from "./pruner.js";
import type { Direction, FinishedTrial } from "./sampler.js";

// Its own stream: Random(seed, number) is the random sampler's, whose params must not decide the bracket.
const BRACKET_STREAM = 0x4842;

export interface HyperbandOptions {
  /** Epochs before the first rung of the most aggressive bracket (default 1). */
  minResource?: number;
  /** The largest resource: a trial's epochs. */
  maxResource: number;
  /** η (default 3). */
  reductionFactor?: number;
  /** Seeds the bracket draw. */
  seed?: number;
}

export class HyperbandPruner implements Pruner {
  readonly name = "hyperband";
  readonly brackets: readonly AshaPruner[];
  /** Trial budget of each bracket: the weights of the bracket draw. */
  readonly budgets: readonly number[];
  readonly seed: number;
  constructor(o: HyperbandOptions) {
    const min = o.minResource ?? 1;
    const eta = o.reductionFactor ?? 3;
    if (!Number.isSafeInteger(o.maxResource) || o.maxResource < min)
      throw new FlambeauError(
        "E_ARG",
        `HyperbandPruner: maxResource (epochs) must be an integer ≥ minResource ${min}, got ${o.maxResource}`,
      );
    // The AshaPruner constructor checks min and η.
    new AshaPruner({ minResource: min, reductionFactor: eta });
    // ⌊log_η(max/min)⌋ by integer steps: Math.log rounds 9/1 base 3 to 1.9999….
    let n = 1;
    while (min * eta ** n <= o.maxResource) n++;
    this.brackets = Array.from(
      { length: n },
      (_, s) => new AshaPruner({ minResource: min, reductionFactor: eta, minEarlyStoppingRate: s }),
    );
    this.budgets = this.brackets.map((_, s) => Math.ceil((n * eta ** (n - 1 - s)) / (n - s)));
    this.seed = o.seed ?? 0;
  }

  /** The bracket of trial `number`: a draw weighted by the brackets' budgets. */
  bracketOf(number: number): number {
    const total = this.budgets.reduce((a, b) => a + b, 0);
    let u = new Random(this.seed, number, BRACKET_STREAM).int(total);
    for (let s = 0; s < this.budgets.length; s++) {
      if (u < this.budgets[s]!) return s;
      u -= this.budgets[s]!;
    }
    return this.budgets.length - 1;
  }

  shouldPrune(step: number, value: number, others: readonly FinishedTrial[], direction: Direction, number?: number): boolean {
    if (number === undefined) throw new FlambeauError("E_ARG", "HyperbandPruner.shouldPrune: needs the trial's number (its bracket)");
    const b = this.bracketOf(number);
    const mates = others.filter((t) => this.bracketOf(t.number) === b);
    return this.brackets[b]!.shouldPrune(step, value, mates, direction);
  }
}
