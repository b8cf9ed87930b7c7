// Schedules that multiply the lr down (or ramp it): StepLR, MultiStepLR, ExponentialLR,
// LinearLR — PyTorch's chainable formulas, so the numbers match step for step.
import { argError } from "../core/errors.js";
import { checkFinite, checkInt, LRScheduler, type SchedulerOptions } from "./lr-scheduler.js";
import type { Optimizer } from "./optimizer.js";

export interface StepLROptions extends SchedulerOptions {
  /** Epochs between decays. */
  stepSize: number;
  /** Multiplicative factor at each decay (default 0.1). */
  gamma?: number;
}

/** Multiplies the lr by gamma every stepSize epochs. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: StepLROptions) {
    super(optimizer, options.lastEpoch);
    checkInt("StepLR", "stepSize", options.stepSize, 1);
    this.stepSize = options.stepSize;
    this.gamma = options.gamma ?? 0.1;
    checkFinite("StepLR", "gamma", this.gamma);
    this.initialStep();
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

export interface MultiStepLROptions extends SchedulerOptions {
  /** Epochs at which to decay (a repeated epoch decays that many times). */
  milestones: readonly number[];
  /** Multiplicative factor at each milestone (default 0.1). */
  gamma?: number;
}

/** Multiplies the lr by gamma at each milestone epoch. */
export class MultiStepLR extends LRScheduler {
  readonly milestones: readonly number[];
  readonly gamma: number;
  readonly #counts = new Map<number, number>();

  constructor(optimizer: Optimizer, options: MultiStepLROptions) {
    super(optimizer, options.lastEpoch);
    if (!Array.isArray(options.milestones))
      argError("MultiStepLR", `milestones must be an array of epochs, got ${String(options.milestones)}`);
    options.milestones.forEach((m, i) => checkInt("MultiStepLR", `milestones[${i}]`, m, 0));
    this.milestones = [...options.milestones].sort((a, b) => a - b);
    for (const m of this.milestones) this.#counts.set(m, (this.#counts.get(m) ?? 0) + 1);
    this.gamma = options.gamma ?? 0.1;
    checkFinite("MultiStepLR", "gamma", this.gamma);
    this.initialStep();
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const count = this.#counts.get(this.lastEpoch);
    if (count === undefined) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma ** count);
  }

  protected override closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }
}

export interface ExponentialLROptions extends SchedulerOptions {
  /** Multiplicative factor per epoch. */
  gamma: number;
}

/** Multiplies the lr by gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: ExponentialLROptions) {
    super(optimizer, options.lastEpoch);
    checkFinite("ExponentialLR", "gamma", options.gamma);
    this.gamma = options.gamma;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}

export interface LinearLROptions extends SchedulerOptions {
  /** Factor of the initial lr at epoch 0 (default 1/3; in (0, 1]). */
  startFactor?: number;
  /** Factor reached at totalIters (default 1; in [0, 1]). */
  endFactor?: number;
  /** Epochs of the ramp (default 5). */
  totalIters?: number;
}

/** Ramps the lr factor linearly from startFactor to endFactor over totalIters epochs (warm-up). */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(optimizer: Optimizer, options: LinearLROptions = {}) {
    super(optimizer, options.lastEpoch);
    const { startFactor = 1 / 3, endFactor = 1, totalIters = 5 } = options;
    // PyTorch 1.13 accepts startFactor 0 and then divides by zero on the second step.
    if (typeof startFactor !== "number" || !(startFactor > 0 && startFactor <= 1))
      argError("LinearLR", `startFactor must be in (0, 1], got ${String(startFactor)}`);
    if (typeof endFactor !== "number" || !(endFactor >= 0 && endFactor <= 1))
      argError("LinearLR", `endFactor must be in [0, 1], got ${String(endFactor)}`);
    checkInt("LinearLR", "totalIters", totalIters, 1);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { startFactor: s, endFactor: e, totalIters: n, lastEpoch: t } = this;
    if (t === 0) return groups.map((g) => g.lr * s);
    if (t > n) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1 + (e - s) / (n * s + (t - 1) * (e - s))));
  }

  protected override closedFormLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: n, lastEpoch: t } = this;
    return this.baseLrs.map((b) => b * (s + ((e - s) * Math.min(n, t)) / n));
  }
}
