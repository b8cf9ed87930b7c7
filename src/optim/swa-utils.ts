// Stochastic weight averaging (PyTorch's optim/swa_utils.py): AveragedModel keeps a running
// (or custom) average of a model's parameters, SWALR anneals each group's lr to a fixed SWA
// lr, and updateBn recomputes batch-norm statistics for the averaged weights.
import { noGrad } from "../core/autograd.js";
import { argError } from "../core/errors.js";
import { tidy } from "../core/memory.js";
import { tensor } from "../core/ops/creation.js";
import { Tensor } from "../core/tensor.js";
import { BatchNorm1d, BatchNorm2d, BatchNorm3d } from "../nn/batchnorm.js";
import { Module } from "../nn/module.js";
import { checkInt, LRScheduler, type SchedulerOptions } from "./lr-scheduler.js";
import type { Optimizer } from "./optimizer.js";

/** The new average from the current one, the model's value and how many were averaged so far. */
export type AvgFn = (averaged: Tensor, current: Tensor, numAveraged: number) => Tensor;

export interface AveragedModelOptions {
  /** How to average (default: the running mean avg + (x − avg) / (n + 1)). */
  avgFn?: AvgFn;
  /** Average the buffers too (e.g. batch-norm statistics), instead of only the parameters (default false). */
  useBuffers?: boolean;
}

const runningMean: AvgFn = (avg, x, n) => avg.add(x.sub(avg).div(n + 1));

/**
 * An averaged copy of a model (SWA, or an exponential moving average with a custom avgFn).
 * JS cannot deep-copy a module (layers hold private fields), so the copy comes from `copy`:
 * a module of the same architecture (or a function making one); the model's state is loaded
 * into it. State-dict keys are PyTorch's: `n_averaged`, `module.<name>`.
 */
export class AveragedModel<M extends Module = Module> extends Module {
  readonly module: M;
  readonly avgFn: AvgFn;
  readonly useBuffers: boolean;

  constructor(model: M, copy: M | (() => M), options: AveragedModelOptions = {}) {
    super();
    if (!(model instanceof Module)) argError("AveragedModel", "model must be a Module");
    const m = typeof copy === "function" ? copy() : copy;
    if (!(m instanceof Module) || m === model)
      argError("AveragedModel", "copy must be another module of the model's architecture (or a function returning one)");
    m.loadStateDict(model.stateDict());
    m.train(model.training);
    this.module = m;
    this.registerBuffer("n_averaged", tensor([0n]).view([]));
    if (options.avgFn !== undefined && typeof options.avgFn !== "function") argError("AveragedModel", "avgFn must be a function");
    this.avgFn = options.avgFn ?? runningMean;
    this.useBuffers = options.useBuffers ?? false;
  }

  /** How many models have been averaged. */
  get nAveraged(): number {
    return this.getBuffer("n_averaged")!.item();
  }

  forward(...args: unknown[]): unknown {
    return this.module.forward(...args);
  }

  /** Folds `model`'s current parameters (and buffers, with useBuffers) into the average. */
  updateParameters(model: Module): void {
    const mine = this.useBuffers ? [...this.module.parameters(), ...this.module.buffers()] : this.parameters();
    const theirs = this.useBuffers ? [...model.parameters(), ...model.buffers()] : model.parameters();
    if (mine.length !== theirs.length)
      argError("AveragedModel", `updateParameters: the model has ${theirs.length} tensors to average, the average ${mine.length}`);
    const n = this.nAveraged;
    noGrad(() =>
      tidy(() => {
        mine.forEach((a, i) => {
          const x = theirs[i]!.detach();
          if (n === 0) a.copy_(x);
          else a.copy_(this.avgFn(a.detach(), x, n));
        });
        this.getBuffer("n_averaged")!.add_(1);
      }),
    );
  }
}

/**
 * Recomputes the running statistics of every batch-norm layer of `model` with one pass over
 * `loader` (cumulative averages, momentum null), as after weight averaging they no longer
 * match the weights. Items may be tensors or arrays whose first entry is the input.
 */
export function updateBn(loader: Iterable<Tensor | readonly unknown[]>, model: Module): void {
  const bns = model.modules().filter((m) => m instanceof BatchNorm1d || m instanceof BatchNorm2d || m instanceof BatchNorm3d);
  const momenta = new Map<BatchNorm1d, number | null>();
  noGrad(() => {
    for (const m of bns) {
      const bn = m as BatchNorm1d;
      if (!bn.trackRunningStats) continue;
      bn.runningMean!.zero_();
      bn.runningVar!.fill_(1);
      momenta.set(bn, bn.momentum);
    }
  });
  if (momenta.size === 0) return;
  const wasTraining = model.training;
  model.train();
  for (const m of momenta.keys()) {
    (m as { momentum: number | null }).momentum = null;
    noGrad(() => m.getBuffer("num_batches_tracked")!.zero_());
  }
  try {
    for (const item of loader) {
      const input = Array.isArray(item) ? item[0] : item;
      if (!(input instanceof Tensor)) argError("updateBn", "each loader item must be a tensor or an array whose first entry is a tensor");
      noGrad(() => tidy(() => void model.forward(input)));
    }
  } finally {
    for (const [m, mom] of momenta) (m as { momentum: number | null }).momentum = mom;
    model.train(wasTraining);
  }
}

export interface SWALROptions extends SchedulerOptions {
  /** Epochs to anneal from the initial lr to swaLr (default 10). */
  annealEpochs?: number;
  /** The annealing curve (default "cos"). */
  annealStrategy?: "cos" | "linear";
}

/** Anneals each group's lr to its swaLr over annealEpochs, then holds it. */
export class SWALR extends LRScheduler {
  readonly annealEpochs: number;
  readonly annealStrategy: "cos" | "linear";

  constructor(optimizer: Optimizer, swaLr: number | readonly number[], options: SWALROptions = {}) {
    const op = "SWALR";
    const n = optimizer.paramGroups.length;
    const lrs = typeof swaLr === "number" ? new Array<number>(n).fill(swaLr) : swaLr;
    if (!Array.isArray(lrs) || lrs.length !== n)
      argError(op, `swaLr must be a number or one per parameter group (${n}), got ${JSON.stringify(swaLr)}`);
    lrs.forEach((v, i) => {
      if (typeof v !== "number" || !Number.isFinite(v)) argError(op, `swaLr[${i}] must be a finite number, got ${String(v)}`);
    });
    optimizer.paramGroups.forEach((g, i) => (g.swaLr = lrs[i]!));
    const strategy = options.annealStrategy ?? "cos";
    if (strategy !== "cos" && strategy !== "linear")
      argError(op, `annealStrategy must be "cos" or "linear", got ${JSON.stringify(strategy)}`);
    const annealEpochs = options.annealEpochs ?? 10;
    checkInt(op, "annealEpochs", annealEpochs, 0);
    super(optimizer, options.lastEpoch);
    this.annealEpochs = annealEpochs;
    this.annealStrategy = strategy;
    this.initialStep();
  }

  #anneal(t: number): number {
    return this.annealStrategy === "cos" ? (1 - Math.cos(Math.PI * t)) / 2 : t;
  }

  protected computeLr(): number[] {
    let step = this.stepCount - 1;
    if (this.annealEpochs === 0) step = Math.max(1, step);
    const prevT = Math.max(0, Math.min(1, (step - 1) / Math.max(1, this.annealEpochs)));
    const prevAlpha = this.#anneal(prevT);
    const t = Math.max(0, Math.min(1, step / Math.max(1, this.annealEpochs)));
    const alpha = this.#anneal(t);
    return this.optimizer.paramGroups.map((g) => {
      const swa = g.swaLr!;
      const prevLr = prevAlpha === 1 ? swa : (g.lr - prevAlpha * swa) / (1 - prevAlpha);
      return swa * alpha + prevLr * (1 - alpha);
    });
  }
}
