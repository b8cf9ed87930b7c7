// The training loop: fit / evaluate / predict over async batch iterables, with callbacks,
// progress, gradient clipping, and every step inside a tidy() scope so memory stays flat.

import { FlambeauError } from "../core/errors.js";
import { cat, dispose, manualSeed, noGrad, type Tensor, tidy } from "../core/index.js";
import { clipGradNorm_ } from "../optim/clip.js";
import type { Callback, Logs, TrainerState } from "./callbacks.js";
import { ambientDdp } from "./distributed/context.js";
import { fmtInfo, type ProgressSink, SilentProgress } from "./progress.js";

/** What the trainer needs of a model (fl.nn.Module satisfies it). */
export interface TrainableModel {
  forward(x: Tensor): Tensor;
  train(mode?: boolean): unknown;
  eval(): unknown;
  parameters(): Tensor[];
  stateDict(): Map<string, Tensor>;
}
/** What the trainer needs of an optimizer (fl.optim.* satisfy it). */
export interface StepOptimizer {
  zeroGrad(setToNone?: boolean): void;
  step(): void;
  paramGroups: { lr: number }[];
}
/** Accumulates evaluation results batch by batch. */
export interface Meter {
  update(output: Tensor, target: Tensor): void;
  compute(): Record<string, unknown>;
}

export type Batch = readonly [Tensor, Tensor] | { x: Tensor; y: Tensor };
export type BatchSource = AsyncIterable<Batch> | Iterable<Batch>;

export interface TrainerOptions {
  model: TrainableModel;
  optimizer: StepOptimizer;
  loss: (output: Tensor, target: Tensor) => Tensor;
  /** Makes a fresh meter for each evaluation (e.g. () => new ClassificationMeter(10)). */
  meter?: () => Meter;
  callbacks?: Callback[];
  /** Clip the global gradient norm to this value before each step. */
  gradClipNorm?: number;
  progress?: ProgressSink;
  /** Seeds libtorch's RNG (dropout, init) at fit() start. */
  seed?: number;
  /**
   * Data-parallel training (a train/distributed DistributedDataParallel satisfies it):
   * gradients are averaged across ranks after each backward, and the epoch's loss is
   * reduced across ranks so every rank logs the global figure.
   */
  distributed?: GradientSync;
}

/** What the trainer needs for data-parallel training. */
export interface GradientSync {
  syncGradients(): Promise<void>;
  allReduceSum(values: readonly number[]): Promise<number[]>;
  /** This rank's part of a batch, or null to skip it (on every rank alike). */
  shardBatch?(x: Tensor, y: Tensor): [Tensor, Tensor] | null;
}

export interface FitOptions {
  epochs: number;
  val?: BatchSource;
  /** Epochs already done (resuming from a checkpoint): training runs epochs startEpoch+1 … epochs. */
  startEpoch?: number;
}

export interface History {
  epochs: Logs[];
  seconds: number;
  samplesPerSecond: number;
}

const unpack = (b: Batch): [Tensor, Tensor] => (Array.isArray(b) ? [b[0], b[1]] : [(b as { x: Tensor }).x, (b as { y: Tensor }).y]);
const lengthOf = (s: BatchSource): number => {
  const n = (s as { length?: unknown }).length;
  return typeof n === "number" ? n : 0;
};

export class Trainer {
  readonly model: TrainableModel;
  readonly optimizer: StepOptimizer;
  readonly lossFn: (output: Tensor, target: Tensor) => Tensor;
  readonly callbacks: Callback[];
  readonly progress: ProgressSink;
  readonly options: TrainerOptions;
  readonly state: TrainerState;

  constructor(o: TrainerOptions) {
    this.options = o;
    this.model = o.model;
    this.optimizer = o.optimizer;
    this.lossFn = o.loss;
    this.callbacks = o.callbacks ?? [];
    this.progress = o.progress ?? new SilentProgress();
    this.state = { epoch: 0, step: 0, stopTraining: false, model: o.model };
  }

  /** One optimisation step on one batch; returns the loss. */
  trainStep(x: Tensor, y: Tensor): number {
    return tidy(() => {
      this.optimizer.zeroGrad(true);
      const loss = this.lossFn(this.model.forward(x), y);
      const value = Number(loss.item());
      if (!Number.isFinite(value))
        throw new FlambeauError("E_STATE", `training diverged: loss is ${value} at step ${this.state.step}; lower the learning rate`);
      loss.backward();
      if (this.options.gradClipNorm !== undefined) clipGradNorm_(this.model.parameters(), this.options.gradClipNorm);
      this.optimizer.step();
      return value;
    });
  }

  /** trainStep with the gradients averaged across ranks between backward and the optimizer step. */
  async trainStepDistributed(x: Tensor, y: Tensor, sync: GradientSync): Promise<number> {
    const value = tidy(() => {
      this.optimizer.zeroGrad(true);
      const loss = this.lossFn(this.model.forward(x), y);
      const v = Number(loss.item());
      if (!Number.isFinite(v))
        throw new FlambeauError("E_STATE", `training diverged: loss is ${v} at step ${this.state.step}; lower the learning rate`);
      loss.backward();
      return v;
    });
    await sync.syncGradients();
    tidy(() => {
      if (this.options.gradClipNorm !== undefined) clipGradNorm_(this.model.parameters(), this.options.gradClipNorm);
      this.optimizer.step();
    });
    return value;
  }

  async fit(train: BatchSource, o: FitOptions): Promise<History> {
    if (!Number.isInteger(o.epochs) || o.epochs < 1)
      throw new FlambeauError("E_ARG", `fit: epochs must be a positive integer, got ${o.epochs}`, "fit");
    if (this.options.seed !== undefined) manualSeed(this.options.seed);
    const history: Logs[] = [];
    const t0 = performance.now();
    let samples = 0;
    this.state.stopTraining = false;
    // Started as one rank of a process group (flambeau train --nproc): train data-parallel.
    const sync = this.options.distributed ?? (await ambientDdp(this.model));
    for (const cb of this.callbacks) await cb.onTrainBegin?.(this.state);
    for (let epoch = (o.startEpoch ?? 0) + 1; epoch <= o.epochs && !this.state.stopTraining; epoch++) {
      this.state.epoch = epoch;
      this.model.train(true);
      for (const cb of this.callbacks) await cb.onEpochBegin?.(this.state);
      this.progress.start(`epoch ${epoch}/${o.epochs}`, lengthOf(train));
      let lossSum = 0;
      let n = 0;
      let batches = 0;
      const te = performance.now();
      for await (const batch of train) {
        const [bx, by] = unpack(batch);
        const part = sync?.shardBatch ? sync.shardBatch(bx, by) : ([bx, by] as [Tensor, Tensor]);
        if (part === null) {
          dispose(batch);
          continue;
        }
        const [x, y] = part;
        const bs = x.shape[0] ?? 1;
        const loss = sync ? await this.trainStepDistributed(x, y, sync) : this.trainStep(x, y);
        if (x !== bx) dispose([x, y]);
        dispose(batch);
        lossSum += loss * bs;
        n += bs;
        batches++;
        this.state.step++;
        const logs = { loss, lr: this.optimizer.paramGroups[0]?.lr ?? 0 };
        this.progress.update(batches, { loss: lossSum / n });
        for (const cb of this.callbacks) await cb.onBatchEnd?.(this.state, logs);
      }
      if (sync) [lossSum, n] = (await sync.allReduceSum([lossSum, n])) as [number, number];
      samples += n;
      const logs: Logs = {
        loss: n ? lossSum / n : Number.NaN,
        lr: this.optimizer.paramGroups[0]?.lr ?? 0,
        seconds: (performance.now() - te) / 1000,
      };
      if (o.val) {
        const v = await this.evaluate(o.val);
        for (const [k, val] of Object.entries(v)) if (typeof val === "number") logs[`val${k[0]!.toUpperCase()}${k.slice(1)}`] = val;
      }
      history.push(logs);
      this.progress.end(fmtInfo(Object.fromEntries(Object.entries(logs).filter(([k]) => k !== "lr" && k !== "seconds"))));
      for (const cb of this.callbacks) await cb.onEpochEnd?.(this.state, logs);
    }
    const last = history[history.length - 1] ?? {};
    for (const cb of this.callbacks) await cb.onTrainEnd?.(this.state, last);
    const seconds = (performance.now() - t0) / 1000;
    return { epochs: history, seconds, samplesPerSecond: samples / seconds };
  }

  /** Mean loss plus the meter's results over a data set, in eval mode without grad. */
  async evaluate(data: BatchSource): Promise<Record<string, unknown>> {
    this.model.eval();
    const meter = this.options.meter?.();
    let lossSum = 0;
    let n = 0;
    for await (const batch of data) {
      const [x, y] = unpack(batch);
      noGrad(() =>
        tidy(() => {
          const out = this.model.forward(x);
          const bs = x.shape[0] ?? 1;
          lossSum += Number(this.lossFn(out, y).item()) * bs;
          n += bs;
          meter?.update(out, y);
        }),
      );
      dispose(batch);
    }
    return { loss: n ? lossSum / n : Number.NaN, ...(meter?.compute() ?? {}) };
  }

  /** Model outputs for every batch's inputs, concatenated along dim 0. */
  async predict(data: AsyncIterable<Tensor | Batch> | Iterable<Tensor | Batch>): Promise<Tensor> {
    this.model.eval();
    const outs: Tensor[] = [];
    for await (const item of data) {
      const x = Array.isArray(item) || !("shape" in (item as object)) ? unpack(item as Batch)[0] : (item as Tensor);
      outs.push(noGrad(() => this.model.forward(x)));
      dispose(item);
    }
    const r = cat(outs, 0);
    for (const o of outs) o.dispose();
    return r;
  }
}
