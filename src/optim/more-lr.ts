// ConstantLR, PolynomialLR, MultiplicativeLR, CosineAnnealingWarmRestarts and ChainedScheduler:
// PyTorch 1.13's chainable formulas (and closed forms), so the lrs match step for step.
import { argError } from "../core/errors.js";
import { checkFinite, checkInt, LRScheduler, type LrLambda, type SchedulerOptions, type SchedulerStateDict } from "./lr-scheduler.js";
import type { Optimizer } from "./optimizer.js";

export interface ConstantLROptions extends SchedulerOptions {
  /** The factor applied until totalIters (default 1/3, in [0, 1]). */
  factor?: number;
  /** Epochs the factor applies (default 5). */
  totalIters?: number;
}
/** Multiplies the lr by a constant factor for the first totalIters epochs. */
export class ConstantLR extends LRScheduler {
  readonly factor: number;
  readonly totalIters: number;
  constructor(optimizer: Optimizer, options: ConstantLROptions = {}) {
    super(optimizer, options.lastEpoch);
    const { factor = 1 / 3, totalIters = 5 } = options;
    // PyTorch 1.13 accepts factor 0 and then divides by it at totalIters.
    if (typeof factor !== "number" || !(factor > 0 && factor <= 1))
      argError("ConstantLR", `factor must be in (0, 1], got ${String(factor)}`);
    checkInt("ConstantLR", "totalIters", totalIters, 0);
    this.factor = factor;
    this.totalIters = totalIters;
    this.initialStep();
  }
  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1 / this.factor));
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (this.factor + (this.lastEpoch >= this.totalIters ? 1 - this.factor : 0)));
  }
}

export interface PolynomialLROptions extends SchedulerOptions {
  /** Epochs until the lr reaches 0 (default 5). */
  totalIters?: number;
  /** The polynomial's power (default 1). */
  power?: number;
}
/** Decays the lr as (1 − t / totalIters)^power. */
export class PolynomialLR extends LRScheduler {
  readonly totalIters: number;
  readonly power: number;
  constructor(optimizer: Optimizer, options: PolynomialLROptions = {}) {
    super(optimizer, options.lastEpoch);
    const { totalIters = 5, power = 1 } = options;
    checkInt("PolynomialLR", "totalIters", totalIters, 1);
    checkFinite("PolynomialLR", "power", power);
    this.totalIters = totalIters;
    this.power = power;
    this.initialStep();
  }
  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { lastEpoch: t, totalIters: n } = this;
    if (t === 0 || t > n) return groups.map((g) => g.lr);
    const decay = ((1 - t / n) / (1 - (t - 1) / n)) ** this.power;
    return groups.map((g) => g.lr * decay);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (1 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power);
  }
}

/** Multiplies each group's lr by lrLambda(epoch) every epoch (one function, or one per group). */
export class MultiplicativeLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];
  constructor(optimizer: Optimizer, lrLambda: LrLambda | readonly LrLambda[], options: SchedulerOptions = {}) {
    super(optimizer, options.lastEpoch);
    const n = optimizer.paramGroups.length;
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== n) argError("MultiplicativeLR", `expected ${n} lrLambdas (one per parameter group), got ${lrLambda.length}`);
      this.lrLambdas = [...lrLambda];
    } else this.lrLambdas = new Array<LrLambda>(n).fill(lrLambda as LrLambda);
    if (!this.lrLambdas.every((f) => typeof f === "function")) argError("MultiplicativeLR", "every lrLambda must be a function");
    this.initialStep();
  }
  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch > 0) return groups.map((g, i) => g.lr * this.lrLambdas[i]!(this.lastEpoch));
    return groups.map((g) => g.lr);
  }
}

export interface CosineAnnealingWarmRestartsOptions extends SchedulerOptions {
  /** Epochs of the first cycle. */
  t0: number;
  /** Factor by which each cycle is longer than the last (default 1). */
  tMult?: number;
  /** The lowest lr (default 0). */
  etaMin?: number;
}
/** SGDR: cosine annealing from the initial lr to etaMin, restarting every cycle (cycles grow by tMult). */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  readonly t0: number;
  readonly tMult: number;
  readonly etaMin: number;
  tI: number;
  tCur: number;
  constructor(optimizer: Optimizer, options: CosineAnnealingWarmRestartsOptions) {
    super(optimizer, options.lastEpoch);
    checkInt("CosineAnnealingWarmRestarts", "t0", options.t0, 1);
    checkInt("CosineAnnealingWarmRestarts", "tMult", options.tMult ?? 1, 1);
    this.t0 = options.t0;
    this.tI = options.t0;
    this.tMult = options.tMult ?? 1;
    this.etaMin = options.etaMin ?? 0;
    checkFinite("CosineAnnealingWarmRestarts", "etaMin", this.etaMin);
    this.tCur = this.lastEpoch;
    this.initialStep();
  }
  protected computeLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2);
  }
  /** Advances one epoch, or jumps to a (possibly fractional) `epoch`, restarting cycles as they end. */
  override step(epoch?: number): void {
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.tCur += 1;
      if (this.tCur >= this.tI) {
        this.tCur -= this.tI;
        this.tI *= this.tMult;
      }
    } else {
      if (typeof epoch !== "number" || !(epoch >= 0)) argError("CosineAnnealingWarmRestarts", `epoch must be ≥ 0, got ${String(epoch)}`);
      if (epoch >= this.t0) {
        if (this.tMult === 1) this.tCur = epoch % this.t0;
        else {
          const n = Math.floor(Math.log((epoch / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
          this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else {
        this.tI = this.t0;
        this.tCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    this.stepCount++;
    const values = this.computeLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = values[i]!));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), T_i: this.tI, T_cur: this.tCur };
  }
  override loadStateDict(sd: SchedulerStateDict): void {
    super.loadStateDict(sd);
    if (typeof sd.T_i !== "number" || typeof sd.T_cur !== "number")
      argError("CosineAnnealingWarmRestarts", "loadStateDict: expected T_i and T_cur");
    this.tI = sd.T_i;
    this.tCur = sd.T_cur;
  }
}

/** Steps several schedulers of one optimizer together, each after the other (their effects multiply). */
export class ChainedScheduler extends LRScheduler {
  readonly schedulers: readonly LRScheduler[];
  constructor(schedulers: readonly LRScheduler[]) {
    if (!Array.isArray(schedulers) || schedulers.length === 0 || !(schedulers[0] instanceof LRScheduler))
      argError("ChainedScheduler", "expected a non-empty array of schedulers");
    super(schedulers[0]!.optimizer);
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) argError("ChainedScheduler", `schedulers[${i}] is not an LRScheduler`);
      if (s.optimizer !== this.optimizer) argError("ChainedScheduler", `schedulers[${i}] drives a different optimizer than schedulers[0]`);
    });
    this.schedulers = [...schedulers];
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }
  protected computeLr(): number[] {
    return this.lastLr;
  }
  override step(): void {
    for (const s of this.schedulers) s.step();
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }
  override stateDict(): SchedulerStateDict {
    return { _last_lr: [...this.lastLr], _schedulers: this.schedulers.map((s) => s.stateDict()) };
  }
  override loadStateDict(sd: SchedulerStateDict): void {
    const subs = sd._schedulers;
    if (!Array.isArray(subs) || subs.length !== this.schedulers.length)
      argError("ChainedScheduler", `loadStateDict: expected _schedulers with ${this.schedulers.length} entries`);
    subs.forEach((s, i) => this.schedulers[i]!.loadStateDict(s as SchedulerStateDict));
    if (Array.isArray(sd._last_lr)) this.lastLr = [...(sd._last_lr as number[])];
  }
}
