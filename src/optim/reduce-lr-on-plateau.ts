// ReduceLROnPlateau (PyTorch's): lowers the lr when a watched metric has stopped improving
// for `patience` epochs. It reads a metric, so its step takes one and it is not an LRScheduler.
import { argError } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";
import { checkInt, perGroup, type SchedulerStateDict } from "./lr-scheduler.js";
import { checkNonNegative, Optimizer } from "./optimizer.js";

export interface ReduceLROnPlateauOptions {
  /** "min": lower is better (a loss); "max": higher is better (an accuracy). Default "min". */
  mode?: "min" | "max";
  /** New lr = lr × factor (default 0.1; must be < 1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** How much better counts as an improvement (default 1e-4). */
  threshold?: number;
  /** "rel": better than best × (1 ∓ threshold); "abs": better than best ∓ threshold. Default "rel". */
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** Lower bound on the lr, for all groups or one per group (default 0). */
  minLr?: number | readonly number[];
  /** Reductions smaller than eps are skipped (default 1e-8). */
  eps?: number;
}

export class ReduceLROnPlateau {
  readonly optimizer: Optimizer;
  readonly mode: "min" | "max";
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: "rel" | "abs";
  readonly cooldown: number;
  readonly minLrs: readonly number[];
  readonly eps: number;
  /** The best metric so far (±Infinity before the first step). */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  #lastLr: number[];

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    const op = "ReduceLROnPlateau";
    if (!(optimizer instanceof Optimizer)) argError(op, `expected an Optimizer, got ${String(optimizer)}`);
    this.optimizer = optimizer;
    const {
      mode = "min",
      factor = 0.1,
      patience = 10,
      threshold = 1e-4,
      thresholdMode = "rel",
      cooldown = 0,
      minLr = 0,
      eps = 1e-8,
    } = options;
    if (mode !== "min" && mode !== "max") argError(op, `mode must be "min" or "max", got ${JSON.stringify(mode)}`);
    if (thresholdMode !== "rel" && thresholdMode !== "abs")
      argError(op, `thresholdMode must be "rel" or "abs", got ${JSON.stringify(thresholdMode)}`);
    if (typeof factor !== "number" || !(factor >= 0 && factor < 1)) argError(op, `factor must be in [0, 1), got ${String(factor)}`);
    checkInt(op, "patience", patience, 0);
    checkInt(op, "cooldown", cooldown, 0);
    checkNonNegative(op, "threshold", threshold);
    checkNonNegative(op, "eps", eps);
    this.minLrs = perGroup(op, "minLr", minLr, optimizer);
    this.minLrs.forEach((m, i) => checkNonNegative(op, `minLr[${i}]`, m));
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = cooldown;
    this.eps = eps;
    this.best = this.#worst();
    this.#lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** Records this epoch's metric (a number or a one-element tensor) and lowers the lrs if it has plateaued. */
  step(metric: number | Tensor): void {
    const current = metric instanceof Tensor ? metric.item() : metric;
    if (typeof current !== "number")
      argError("ReduceLROnPlateau", `step: the metric must be a number or a one-element tensor, got ${String(metric)}`);
    this.lastEpoch++;
    if (this.#isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0; // bad epochs during the cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const newLr = Math.max(g.lr * this.factor, this.minLrs[i]!);
        if (g.lr - newLr > this.eps) g.lr = newLr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.#lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.#lastLr];
  }

  /** The progress; `best` is null while still ±Infinity (JSON has no infinities). */
  stateDict(): SchedulerStateDict {
    return {
      last_epoch: this.lastEpoch,
      best: Number.isFinite(this.best) ? this.best : null,
      num_bad_epochs: this.numBadEpochs,
      cooldown_counter: this.cooldownCounter,
      _last_lr: [...this.#lastLr],
    };
  }

  loadStateDict(sd: SchedulerStateDict): void {
    const { last_epoch: e, best, num_bad_epochs: bad, cooldown_counter: cd, _last_lr: lr } = sd;
    if (typeof e !== "number" || typeof bad !== "number" || typeof cd !== "number" || (best !== null && typeof best !== "number"))
      argError("ReduceLROnPlateau", "loadStateDict: expected a state dict from stateDict()");
    this.lastEpoch = e;
    this.best = best ?? this.#worst();
    this.numBadEpochs = bad;
    this.cooldownCounter = cd;
    if (Array.isArray(lr) && lr.every((x) => typeof x === "number")) this.#lastLr = [...(lr as number[])];
  }

  #worst(): number {
    return this.mode === "min" ? Infinity : -Infinity;
  }

  #isBetter(a: number, best: number): boolean {
    if (this.mode === "min") return this.thresholdMode === "rel" ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === "rel" ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }
}
