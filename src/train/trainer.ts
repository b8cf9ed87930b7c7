// The one training runtime every task uses: fit / evaluate / predict over async batch
// iterables of any batch type. A task writes only what is its own — the loss of one batch
// (`step`) and, if it needs one, the evaluation of one batch (`evalStep`); the schedule,
// gradient clipping and accumulation, data parallelism, keep-best, the divergence check,
// checkpoints with resume, progress and the JSONL event log are options, written here once.
// Every step runs inside a tidy() scope so memory stays flat.

import { existsSync } from "node:fs";
import { FlambeauError } from "../core/errors.js";
import { cat, dispose, manualSeed, noGrad, Tensor, tidy } from "../core/index.js";
import { loadCheckpoint, saveCheckpoint } from "../io/checkpoint.js";
import { describeWeightsReport, loadWeights } from "../io/load-weights.js";
import { Module } from "../nn/module.js";
import { freeze } from "../nn/utils/freeze.js";
import { clipGradNorm_ } from "../optim/clip.js";
import { type Callback, JsonlLogger, KeepBestModel, type Logs, type Mode, type TrainerState } from "./callbacks.js";
import { ambientDdp } from "./distributed/context.js";
import { shardRows } from "./distributed/shard.js";
import { DpSgd, type DpSgdOptions } from "./dp-sgd.js";
import { fmtInfo, type ProgressSink, SilentProgress } from "./progress.js";
import {
  claimRunCallbacks,
  claimRunCheckpoint,
  claimRunDistill,
  claimRunDp,
  claimRunTransfer,
  type RunSettings,
  runEventLog,
} from "./run-settings.js";

/** What the trainer needs of a model (fl.nn.Module satisfies it). */
export interface TrainableModel {
  forward(...inputs: never[]): unknown;
  train(mode?: boolean): unknown;
  eval(): unknown;
  parameters(): Tensor[];
  stateDict(): Map<string, Tensor>;
  loadStateDict?(sd: Map<string, Tensor>): unknown;
  buffers?(): Tensor[];
}
/** What the trainer needs of an optimizer (fl.optim.* satisfy it). */
export interface StepOptimizer {
  zeroGrad(setToNone?: boolean): void;
  step(): void;
  paramGroups: { lr: number }[];
}
/** An optimizer whose state can be checkpointed (fl.optim.* satisfy it). */
interface StatefulOptimizer extends StepOptimizer {
  stateDict(): import("../io/checkpoint.js").OptimizerStateDictLike;
  loadStateDict(sd: import("../io/checkpoint.js").OptimizerStateDictLike): void;
}
/** A learning-rate schedule (fl.optim's schedulers; ReduceLROnPlateau takes the monitored value). */
export interface Scheduler {
  step(metric?: number): void;
  stateDict?(): unknown;
  loadStateDict?(sd: never): void;
}
/** Accumulates evaluation results batch by batch. */
export interface Meter {
  update(output: Tensor, target: Tensor): void;
  compute(): Record<string, unknown>;
}

/** The classic supervised batch: inputs and targets. */
export type Batch = readonly [Tensor, Tensor] | { x: Tensor; y: Tensor };
export type BatchSource<B = Batch> = AsyncIterable<B> | Iterable<B>;

/** Keep the weights of the best epoch by one logged value (any name the epoch logs carry). */
export interface KeepBestOptions {
  monitor: string;
  /** Default: "min" when the name contains "loss", else "max". */
  mode?: Mode;
}

export interface TrainerOptions<B = Batch> {
  model: TrainableModel;
  optimizer: StepOptimizer;
  /** Supervised batches: the loss of the model's output against the target. */
  loss?: (output: Tensor, target: Tensor) => Tensor;
  /**
   * The loss of one batch, computed in train mode with grad (any batch type). The trainer
   * does zeroGrad, backward, the gradient sync, clipping, the optimizer and the schedule.
   * Default (supervised batches): loss(model.forward(x), y).
   */
  step?: (batch: B) => Tensor;
  /**
   * Evaluates one batch in eval mode without grad and returns its loss (or undefined when
   * the task has none); it updates `meter` itself. Default: forward, loss, meter.update.
   */
  evalStep?: (batch: B, meter: Meter | undefined) => Tensor | number | undefined;
  /** Examples in a batch, which weight the epoch's mean loss. Default: the first tensor's rows. */
  batchSize?: (batch: B) => number;
  /**
   * Data parallel: this rank's part of a batch, or null to skip the batch on every rank.
   * Under the ambient process group (`--nproc`) the default is shardByRows; with an explicit
   * `distributed`, batches are used as given (the caller split the data, e.g. with a
   * DistributedSampler) unless `shard` is set.
   */
  shard?: (batch: B, rank: number, worldSize: number) => B | null;
  /** Makes a fresh meter for each evaluation (e.g. () => new ClassificationMeter(10)). */
  meter?: () => Meter;
  /** Metrics computed outside the meter after each epoch's training (in eval mode; wrap forward passes in noGrad), logged under the names given. */
  validate?: () => Record<string, number> | Promise<Record<string, number>>;
  /** A learning-rate schedule from fl.optim, stepped after every optimizer step or every epoch. */
  scheduler?: Scheduler;
  /** Default "step". */
  schedulerInterval?: "step" | "epoch";
  /** An epoch scheduler's metric (ReduceLROnPlateau), by log name. */
  schedulerMonitor?: string;
  /** Clip the global gradient norm to this value before each optimizer step. */
  gradClipNorm?: number;
  /** Accumulate gradients over this many batches per optimizer step (default 1). */
  accumulate?: number;
  /** DP-SGD (dp-sgd.ts): per-example clipping and noise; ε is logged each epoch as `dpEpsilon`. */
  dp?: DpSgdOptions;
  /** Keep the best epoch's weights and load them back when fit ends. */
  keepBest?: KeepBestOptions;
  /** Save model, optimizer, schedule and epoch here after every epoch (rank 0); fit({ resume }) continues from it. */
  checkpoint?: string;
  /** Append one JSON object per epoch to this file. */
  eventLog?: string;
  callbacks?: Callback[];
  progress?: ProgressSink;
  /** Seeds libtorch's RNG (dropout, init) at fit() start. */
  seed?: number;
  /** Names the run in errors ("image-classification: training diverged …"). */
  name?: string;
  /**
   * Data-parallel training (a train/distributed DistributedDataParallel satisfies it):
   * gradients are averaged across ranks after each backward, and the epoch's loss is
   * reduced across ranks so every rank logs the global figure. Default: the ambient
   * process group when this process is one rank of one (`flambeau train --nproc N`).
   */
  distributed?: GradientSync;
}

/** What the trainer needs for data-parallel training. */
export interface GradientSync {
  syncGradients(): Promise<void>;
  allReduceSum(values: readonly number[]): Promise<number[]>;
  readonly rank?: number;
  readonly worldSize?: number;
}

export interface FitOptions<B = Batch> {
  epochs: number;
  val?: BatchSource<B>;
  /** Epochs already done: training runs epochs startEpoch+1 … epochs. */
  startEpoch?: number;
  /** Continue from the `checkpoint` file when it exists. */
  resume?: boolean;
}

export interface History {
  epochs: Logs[];
  seconds: number;
  samplesPerSecond: number;
  /** The epoch whose weights the model holds after fit with keepBest (the last one when the monitored value was never logged). */
  bestEpoch?: number;
}

const isTensor = (v: unknown): v is Tensor => v instanceof Tensor;

/** The first tensor in a batch (depth-first), for the default batch size and sharding. */
function firstTensor(b: unknown): Tensor | undefined {
  if (isTensor(b)) return b;
  if (Array.isArray(b)) {
    for (const v of b) {
      const t = firstTensor(v);
      if (t) return t;
    }
  } else if (b !== null && typeof b === "object") {
    for (const v of Object.values(b)) {
      const t = firstTensor(v);
      if (t) return t;
    }
  }
  return undefined;
}

/** Rows rank, rank + N, … of every tensor whose first dimension is `n`; other values as they are. */
function shardTree(b: unknown, n: number, rank: number, world: number): unknown {
  if (isTensor(b)) return b.shape[0] === n ? shardRows(b, rank, world) : b;
  if (Array.isArray(b)) return b.map((v) => shardTree(v, n, rank, world));
  if (b !== null && typeof b === "object" && Object.getPrototypeOf(b) === Object.prototype)
    return Object.fromEntries(Object.entries(b).map(([k, v]) => [k, shardTree(v, n, rank, world)]));
  return b;
}

/**
 * The default split of a batch between ranks: rows rank, rank + N, … of every tensor whose
 * first dimension is the batch's (in arrays and plain objects), or null when the batch has
 * fewer rows than ranks (every rank then skips it, so all stay in step).
 */
export function shardByRows<B>(batch: B, rank: number, world: number): B | null {
  const n = firstTensor(batch)?.shape[0] ?? 0;
  if (n < world) return null;
  return shardTree(batch, n, rank, world) as B;
}

const supervised = (b: unknown): [Tensor, Tensor] => {
  if (Array.isArray(b) && isTensor(b[0]) && isTensor(b[1])) return [b[0], b[1]];
  const o = b as { x?: unknown; y?: unknown };
  if (isTensor(o?.x) && isTensor(o?.y)) return [o.x, o.y];
  throw new FlambeauError(
    "E_ARG",
    "Trainer: a batch is not [x, y] or { x, y }; give the trainer a `step` (and `evalStep`) for other batch types",
  );
};

const lengthOf = (s: unknown): number => {
  const n = (s as { length?: unknown }).length;
  return typeof n === "number" ? n : 0;
};

export class Trainer<B = Batch> {
  readonly model: TrainableModel;
  readonly optimizer: StepOptimizer;
  readonly callbacks: Callback[];
  readonly progress: ProgressSink;
  readonly options: TrainerOptions<B>;
  readonly state: TrainerState;
  readonly #accumulate: number;
  #pending = 0;
  /** The run's distillation loss (`flambeau compress --distill-to`), claimed at the first fit. */
  #distill: RunSettings["distill"];
  #dp: DpSgd | undefined;

  constructor(o: TrainerOptions<B>) {
    if (o.step === undefined && o.loss === undefined && o.evalStep === undefined)
      throw new FlambeauError("E_ARG", "Trainer: give either `loss` (supervised [x, y] batches) or `step` (any batch)");
    const acc = o.accumulate ?? 1;
    if (!Number.isInteger(acc) || acc < 1) throw new FlambeauError("E_ARG", `Trainer: accumulate must be a positive integer, got ${acc}`);
    if (o.gradClipNorm !== undefined && !(o.gradClipNorm > 0))
      throw new FlambeauError("E_ARG", `Trainer: gradClipNorm must be > 0, got ${o.gradClipNorm}`);
    this.options = o;
    this.model = o.model;
    this.optimizer = o.optimizer;
    this.#accumulate = acc;
    this.callbacks = [...(o.callbacks ?? [])];
    const eventLog = o.eventLog ?? runEventLog();
    if (eventLog !== undefined) this.callbacks.push(new JsonlLogger(eventLog));
    this.progress = o.progress ?? new SilentProgress();
    this.state = { epoch: 0, step: 0, stopTraining: false, model: o.model };
  }

  /** The loss tensor of one batch in train mode (the `step` hook, or the supervised default). */
  #lossOf(batch: B): Tensor {
    if (this.options.step) return this.options.step(batch);
    if (!this.options.loss) throw new FlambeauError("E_ARG", "Trainer: training needs `step` or `loss` (this one has only `evalStep`)");
    const [x, y] = supervised(batch);
    const out = (this.model.forward as (x: Tensor) => Tensor).call(this.model, x);
    if (!this.#distill) return this.options.loss!(out, y);
    return this.#distill((m) => (m.forward as (x: Tensor) => Tensor).call(m, x), out, y);
  }

  #checkFinite(value: number): void {
    if (Number.isFinite(value)) return;
    const who = this.options.name ? `${this.options.name}: ` : "";
    throw new FlambeauError(
      "E_STATE",
      `${who}training diverged: loss is ${value} at epoch ${this.state.epoch}, step ${this.state.step}; lower the learning rate`,
    );
  }

  /** Forward and backward of one batch; returns the loss. Gradients are added to the pending ones. */
  #backward(batch: B): number {
    if (this.#dp) return this.#dpBackward(batch, this.#dp);
    return tidy(() => {
      if (this.#pending === 0) this.optimizer.zeroGrad(true);
      // The forward's intermediates are released before backward: the autograd graph keeps what
      // backward needs and frees it as it goes, so activations and their gradients do not peak
      // together (as in PyTorch, where they go out of scope when the forward returns).
      const loss = tidy(() => this.#lossOf(batch));
      const value = loss.item();
      this.#checkFinite(value);
      (this.#accumulate > 1 ? loss.div(this.#accumulate) : loss).backward();
      this.#pending++;
      return value;
    });
  }

  #dpBackward(batch: B, dp: DpSgd): number {
    if (this.options.step || !this.options.loss || this.#accumulate > 1 || this.#distill)
      throw new FlambeauError(
        "E_ARG",
        "Trainer: DP-SGD needs supervised [x, y] batches with a `loss`, and no accumulation or distillation",
        "dpSgd",
      );
    const [x, y] = supervised(batch);
    const forward = this.model.forward as (x: Tensor) => Tensor;
    const value = dp.backward(this.model.parameters(), x, y, (xi, yi) => this.options.loss!(forward.call(this.model, xi), yi));
    this.#checkFinite(value);
    this.#pending++;
    return value;
  }

  #update(): void {
    tidy(() => {
      if (this.options.gradClipNorm !== undefined) clipGradNorm_(this.model.parameters(), this.options.gradClipNorm);
      this.optimizer.step();
    });
    this.#pending = 0;
    if (this.options.scheduler && (this.options.schedulerInterval ?? "step") === "step") this.options.scheduler.step();
  }

  /** One optimisation step on one batch (with `accumulate`, one part of a step); returns the loss. */
  async trainBatch(batch: B, sync?: GradientSync): Promise<number> {
    const value = this.#backward(batch);
    if (this.#pending < this.#accumulate) return value;
    if (sync) await sync.syncGradients();
    this.#update();
    return value;
  }

  /** One supervised optimisation step (no data parallelism); returns the loss. */
  trainStep(x: Tensor, y: Tensor): number {
    const value = this.#backward([x, y] as unknown as B);
    if (this.#pending >= this.#accumulate) this.#update();
    return value;
  }

  async #resume(path: string): Promise<number> {
    if (!existsSync(path)) return 0;
    const c = await loadCheckpoint(path);
    if (!this.model.loadStateDict) throw new FlambeauError("E_ARG", "Trainer: resuming needs a model with loadStateDict");
    this.model.loadStateDict(c.model);
    for (const t of c.model.values()) t.dispose();
    const opt = this.optimizer as Partial<StatefulOptimizer>;
    if (c.optimizer && opt.loadStateDict) opt.loadStateDict(c.optimizer);
    if (c.scheduler && this.options.scheduler?.loadStateDict) this.options.scheduler.loadStateDict(c.scheduler as never);
    this.state.step = c.step ?? 0;
    return c.epoch;
  }

  async #saveCheckpoint(path: string, sync: GradientSync | undefined): Promise<void> {
    if ((sync?.rank ?? 0) !== 0) return;
    const opt = this.optimizer as Partial<StatefulOptimizer>;
    await saveCheckpoint(path, {
      model: this.model.stateDict(),
      ...(opt.stateDict ? { optimizer: opt.stateDict() } : {}),
      ...(this.options.scheduler?.stateDict ? { scheduler: this.options.scheduler.stateDict() as Record<string, unknown> } : {}),
      epoch: this.state.epoch,
      step: this.state.step,
    });
  }

  /** `flambeau train --init W --freeze P`: weights by key, then frozen parameters (first Trainer of the run). */
  async #applyRunTransfer(): Promise<void> {
    const t = claimRunTransfer();
    if (t === undefined) return;
    if (!(this.model instanceof Module))
      throw new FlambeauError("E_ARG", "Trainer: --init and --freeze need the model to be an nn.Module", "fit");
    // Load first, then log: `t.log?.(…)` would skip evaluating its argument when there is no log.
    if (t.init !== undefined) {
      const report = await loadWeights(this.model, t.init);
      t.log?.(`--init ${t.init}: ${describeWeightsReport(report)}`);
    }
    if (t.freeze !== undefined) {
      const names = freeze(this.model, t.freeze);
      t.log?.(`--freeze ${t.freeze.join(",")}: ${names.length} of ${this.model.parameters().length} parameter tensors frozen`);
    }
    t.prepare?.(this.model);
  }

  async fit(train: BatchSource<B>, o: FitOptions<B>): Promise<History> {
    if (!Number.isInteger(o.epochs) || o.epochs < 1)
      throw new FlambeauError("E_ARG", `fit: epochs must be a positive integer, got ${o.epochs}`, "fit");
    if (this.options.seed !== undefined) manualSeed(this.options.seed);
    const history: Logs[] = [];
    const t0 = performance.now();
    let samples = 0;
    this.state.stopTraining = false;
    let startEpoch = o.startEpoch ?? 0;
    // The task's own checkpoint, or the run's (`flambeau train --checkpoint F [--resume]`).
    const run = this.options.checkpoint === undefined ? claimRunCheckpoint() : undefined;
    const checkpoint = this.options.checkpoint ?? run?.path;
    if ((o.resume ?? run?.resume) && checkpoint) startEpoch = Math.max(startEpoch, await this.#resume(checkpoint));
    await this.#applyRunTransfer();
    this.#distill ??= this.options.step === undefined ? claimRunDistill() : undefined;
    const runDp = this.options.dp ? undefined : claimRunDp();
    const dpOptions = this.options.dp ?? runDp?.dp;
    if (dpOptions) {
      this.#dp = new DpSgd(dpOptions);
      // The accountant counts this fit's steps only (a resumed run's earlier ε is not added).
      this.#dp.plan(lengthOf(train), Math.max(1, o.epochs - startEpoch) * lengthOf(train));
      runDp?.log?.(`DP-SGD: clip ${dpOptions.clip}, noise multiplier ${this.#dp.noiseMultiplier.toFixed(3)}, δ ${this.#dp.delta}`);
    }
    // Started as one rank of a process group (flambeau train --nproc): train data-parallel.
    const ambient = this.options.distributed ? undefined : await ambientDdp(this.model as Parameters<typeof ambientDdp>[0]);
    const sync: GradientSync | undefined = this.options.distributed ?? ambient;
    if (sync && this.#dp) throw new FlambeauError("E_ARG", "Trainer: DP-SGD with data-parallel training is not built", "dpSgd");
    const shard = this.options.shard ?? (ambient ? shardByRows : undefined);
    const best = this.options.keepBest ? new KeepBestModel(this.options.keepBest) : undefined;
    const callbacks: Callback[] = [...this.callbacks, ...(best ? [best] : []), ...claimRunCallbacks()];
    for (const cb of callbacks) await cb.onTrainBegin?.(this.state);
    for (let epoch = startEpoch + 1; epoch <= o.epochs && !this.state.stopTraining; epoch++) {
      this.state.epoch = epoch;
      this.model.train(true);
      for (const cb of callbacks) await cb.onEpochBegin?.(this.state);
      this.progress.start(`epoch ${epoch}/${o.epochs}`, lengthOf(train));
      let lossSum = 0;
      let n = 0;
      let batches = 0;
      const te = performance.now();
      for await (const batch of train) {
        const part = shard && sync && (sync.worldSize ?? 1) > 1 ? shard(batch, sync.rank ?? 0, sync.worldSize!) : batch;
        if (part === null) {
          dispose(batch);
          continue;
        }
        const bs = this.options.batchSize?.(part) ?? firstTensor(part)?.shape[0] ?? 1;
        const loss = await this.trainBatch(part, sync);
        if (part !== batch) dispose(part);
        dispose(batch);
        lossSum += loss * bs;
        n += bs;
        batches++;
        this.state.step++;
        const logs = { loss, lr: this.optimizer.paramGroups[0]?.lr ?? 0 };
        this.progress.update(batches, { loss: lossSum / n });
        for (const cb of callbacks) await cb.onBatchEnd?.(this.state, logs);
      }
      // A last partial accumulation still updates the weights.
      if (this.#pending > 0) {
        if (sync) await sync.syncGradients();
        this.#update();
      }
      if (sync) [lossSum, n] = (await sync.allReduceSum([lossSum, n])) as [number, number];
      samples += n;
      const logs: Logs = {
        loss: n ? lossSum / n : Number.NaN,
        lr: this.optimizer.paramGroups[0]?.lr ?? 0,
        seconds: (performance.now() - te) / 1000,
        ...(this.#dp ? { dpEpsilon: this.#dp.epsilon() } : {}),
      };
      if (o.val) {
        const v = await this.evaluate(o.val);
        for (const [k, val] of Object.entries(v)) if (typeof val === "number") logs[`val${k[0]!.toUpperCase()}${k.slice(1)}`] = val;
      }
      if (this.options.validate) {
        this.model.eval();
        // In eval mode; grad mode is global and noGrad takes only synchronous functions, so an
        // (often async) validate wraps its own forward passes in noGrad.
        Object.assign(logs, await this.options.validate());
      }
      if (this.options.scheduler && this.options.schedulerInterval === "epoch")
        this.options.scheduler.step(this.options.schedulerMonitor ? logs[this.options.schedulerMonitor] : undefined);
      history.push(logs);
      this.progress.end(fmtInfo(Object.fromEntries(Object.entries(logs).filter(([k]) => k !== "lr" && k !== "seconds"))));
      for (const cb of callbacks) await cb.onEpochEnd?.(this.state, logs);
      if (checkpoint) await this.#saveCheckpoint(checkpoint, sync);
    }
    const last = history[history.length - 1] ?? {};
    for (const cb of callbacks) await cb.onTrainEnd?.(this.state, last);
    let bestEpoch: number | undefined;
    if (best) {
      // No epoch logged the monitored value (or none improved on it): the model keeps its last weights.
      bestEpoch = best.bestEpoch >= 0 ? best.bestEpoch : this.state.epoch;
      if (this.model.loadStateDict) best.restore(this.model as { loadStateDict(sd: Map<string, Tensor>): unknown });
    }
    if (this.#dp) runDp?.log?.(`DP-SGD: ε = ${this.#dp.epsilon().toFixed(3)} at δ = ${this.#dp.delta} after ${this.state.epoch} epochs`);
    const seconds = (performance.now() - t0) / 1000;
    return { epochs: history, seconds, samplesPerSecond: samples / seconds, ...(bestEpoch !== undefined ? { bestEpoch } : {}) };
  }

  /** Mean loss plus the meter's results over a data set, in eval mode without grad. */
  async evaluate(data: BatchSource<B>): Promise<Record<string, unknown>> {
    this.model.eval();
    const meter = this.options.meter?.();
    let lossSum = 0;
    let n = 0;
    let withLoss = false;
    for await (const batch of data) {
      noGrad(() =>
        tidy(() => {
          const bs = this.options.batchSize?.(batch) ?? firstTensor(batch)?.shape[0] ?? 1;
          let loss: Tensor | number | undefined;
          if (this.options.evalStep) loss = this.options.evalStep(batch, meter);
          else if (this.options.loss && !this.options.step) {
            const [x, y] = supervised(batch);
            const out = (this.model.forward as (x: Tensor) => Tensor).call(this.model, x);
            loss = this.options.loss(out, y);
            meter?.update(out, y);
          } else loss = this.#lossOf(batch);
          if (loss !== undefined) {
            withLoss = true;
            lossSum += (typeof loss === "number" ? loss : loss.item()) * bs;
          }
          n += bs;
        }),
      );
      dispose(batch);
    }
    return { ...(withLoss ? { loss: n ? lossSum / n : Number.NaN } : {}), ...(meter?.compute() ?? {}) };
  }

  /** Model outputs for every batch's inputs, concatenated along dim 0 (supervised models). */
  async predict(data: AsyncIterable<Tensor | Batch> | Iterable<Tensor | Batch>): Promise<Tensor> {
    this.model.eval();
    const forward = this.model.forward as (x: Tensor) => Tensor;
    const outs: Tensor[] = [];
    for await (const item of data) {
      const x = isTensor(item) ? item : supervised(item)[0];
      outs.push(noGrad(() => forward.call(this.model, x)));
      dispose(item);
    }
    const r = cat(outs, 0);
    for (const o of outs) o.dispose();
    return r;
  }
}

/** A trainer for evaluation only (a saved model scored on test data): its optimizer does nothing. */
export function evaluator<B = Batch>(o: Omit<TrainerOptions<B>, "optimizer">): Trainer<B> {
  return new Trainer<B>({ ...o, optimizer: { zeroGrad() {}, step() {}, paramGroups: [] } });
}
