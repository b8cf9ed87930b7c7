// The LR scheduler base (PyTorch's _LRScheduler in optim/lr_scheduler.py) and LambdaLR.
// A scheduler writes each group's `lr` once per step(). Like PyTorch, most schedules are
// "chainable": the new lr is computed from the group's current lr, so several schedulers
// can act on one optimizer; a closed form (lr from the epoch alone) is used when step()
// is given an epoch, as SequentialLR does at its milestones.
import { argError } from "../core/errors.js";
import { Optimizer } from "./optimizer.js";

/** A JSON-serialisable value in a scheduler's state dict. */
export type SchedulerStateValue = number | boolean | string | null | number[] | SchedulerStateDict[];
/** A scheduler's progress, under PyTorch's key names (`last_epoch`, `base_lrs` …). */
export interface SchedulerStateDict {
  [key: string]: SchedulerStateValue;
}

/** Options every epoch-based scheduler takes. */
export interface SchedulerOptions {
  /** The index of the last epoch when resuming (default −1: start; otherwise groups need `initialLr`). */
  lastEpoch?: number;
}

/** Throws unless v is a finite number. */
export function checkFinite(op: string, name: string, v: unknown): asserts v is number {
  if (typeof v !== "number" || !Number.isFinite(v)) argError(op, `${name} must be a finite number, got ${String(v)}`);
}

/** Throws unless v is an integer ≥ min. */
export function checkInt(op: string, name: string, v: unknown, min: number): asserts v is number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) argError(op, `${name} must be an integer ≥ ${min}, got ${String(v)}`);
}

/** One value per group: a single value is repeated, an array must have one entry per group. */
export function perGroup(op: string, name: string, v: number | readonly number[], optimizer: Optimizer): number[] {
  const n = optimizer.paramGroups.length;
  if (typeof v === "number") return new Array<number>(n).fill(v);
  if (!Array.isArray(v) || v.length !== n)
    argError(op, `expected ${n} values for ${name} (one per parameter group), got ${JSON.stringify(v)}`);
  return [...v];
}

function numbers(op: string, key: string, v: SchedulerStateValue | undefined): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "number")) argError(op, `loadStateDict: "${key}" must be an array of numbers`);
  return [...(v as number[])];
}

export abstract class LRScheduler {
  readonly optimizer: Optimizer;
  /** Each group's starting lr (its `initialLr`). */
  baseLrs: number[];
  /** Index of the last step taken (−1 before the first, 0 after construction). */
  lastEpoch: number;
  protected stepCount = 0;
  protected lastLr: number[] = [];

  /** Subclasses set their fields, then call `initialStep()` at the end of their constructor. */
  protected constructor(optimizer: Optimizer, lastEpoch = -1) {
    const op = new.target.name;
    if (!(optimizer instanceof Optimizer)) argError(op, `expected an Optimizer, got ${String(optimizer)}`);
    checkInt(op, "lastEpoch", lastEpoch, -1);
    this.optimizer = optimizer;
    optimizer.paramGroups.forEach((g, i) => {
      if (lastEpoch === -1) g.initialLr ??= g.lr;
      else if (g.initialLr === undefined)
        argError(op, `lastEpoch is ${lastEpoch} but paramGroups[${i}] has no initialLr (resume from a state dict, or start at −1)`);
    });
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
  }

  /** The chainable form: the next lrs, from the groups' current lrs (PyTorch's get_lr). */
  protected abstract computeLr(): number[];

  /** The lrs at `lastEpoch` from the base lrs alone; schedules without one use computeLr. */
  protected closedFormLr(): number[] {
    return this.computeLr();
  }

  /** Restarts the step count and takes the first step, as construction does (SequentialLR uses it). */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** Advances one epoch (or, given `epoch`, jumps there through the closed form) and writes the groups' lrs. */
  step(epoch?: number): void {
    this.stepCount++;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      values = this.computeLr();
    } else {
      checkInt(this.constructor.name, "epoch", epoch, 0);
      this.lastEpoch = epoch;
      values = this.closedFormLr();
    }
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = values[i]!));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lrs the last step() set, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The progress (not the hyper-parameters, which come from the constructor). */
  stateDict(): SchedulerStateDict {
    return { last_epoch: this.lastEpoch, _step_count: this.stepCount, base_lrs: [...this.baseLrs], _last_lr: [...this.lastLr] };
  }

  loadStateDict(sd: SchedulerStateDict): void {
    const op = this.constructor.name;
    const { last_epoch: lastEpoch, _step_count: stepCount } = sd;
    if (typeof lastEpoch !== "number" || typeof stepCount !== "number")
      argError(op, "loadStateDict: expected a state dict from stateDict()");
    this.lastEpoch = lastEpoch;
    this.stepCount = stepCount;
    this.baseLrs = numbers(op, "base_lrs", sd.base_lrs);
    this.lastLr = numbers(op, "_last_lr", sd._last_lr);
  }
}

export type LrLambda = (epoch: number) => number;

/** lr = initial lr × lrLambda(epoch), one function for all groups or one per group. */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: Optimizer, lrLambda: LrLambda | readonly LrLambda[], options: SchedulerOptions = {}) {
    super(optimizer, options.lastEpoch);
    const n = optimizer.paramGroups.length;
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== n) argError("LambdaLR", `expected ${n} lrLambdas (one per parameter group), got ${lrLambda.length}`);
      this.lrLambdas = [...lrLambda];
    } else if (typeof lrLambda === "function") this.lrLambdas = new Array<LrLambda>(n).fill(lrLambda as LrLambda);
    else argError("LambdaLR", `lrLambda must be a function or an array of functions, got ${String(lrLambda)}`);
    if (!this.lrLambdas.every((f) => typeof f === "function")) argError("LambdaLR", "every lrLambda must be a function");
    this.initialStep();
  }

  protected computeLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i]!(this.lastEpoch));
  }
}
