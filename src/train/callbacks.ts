// Trainer callbacks: early stopping, saving the best model, LR schedules, a JSONL log.
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Tensor } from "../core/index.js";

export type Logs = Record<string, number>;

/** What a callback sees of the trainer. */
export interface TrainerState {
  epoch: number;
  step: number;
  /** Set to true to stop after the current epoch. */
  stopTraining: boolean;
  model: { stateDict(): Map<string, Tensor> };
}

export interface Callback {
  onTrainBegin?(s: TrainerState): void | Promise<void>;
  onEpochBegin?(s: TrainerState): void | Promise<void>;
  onBatchEnd?(s: TrainerState, logs: Logs): void | Promise<void>;
  onEpochEnd?(s: TrainerState, logs: Logs): void | Promise<void>;
  onTrainEnd?(s: TrainerState, logs: Logs): void | Promise<void>;
}

export type Mode = "min" | "max";

export interface BestModelOptions {
  monitor?: string;
  /** Default: "min" when the monitored name contains "loss", else "max". */
  mode?: Mode;
}

/** Tracks the best value of one logged metric: the part EarlyStopping, KeepBestModel and ModelCheckpoint share. */
abstract class MonitorCallback {
  readonly monitor: string;
  readonly mode: Mode;
  best: number;
  constructor(o: BestModelOptions) {
    this.monitor = o.monitor ?? "valLoss";
    this.mode = o.mode ?? (this.monitor.toLowerCase().includes("loss") ? "min" : "max");
    this.best = this.mode === "min" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }
  /** Records and returns true when the monitored value beats the best by more than minDelta. */
  protected improves(logs: Logs, minDelta = 0): boolean | undefined {
    const v = logs[this.monitor];
    if (v === undefined || Number.isNaN(v)) return undefined;
    const better = this.mode === "min" ? v < this.best - minDelta : v > this.best + minDelta;
    if (better) this.best = v;
    return better;
  }
}

export interface EarlyStoppingOptions extends BestModelOptions {
  patience?: number;
  minDelta?: number;
}
export class EarlyStopping extends MonitorCallback implements Callback {
  readonly patience: number;
  readonly minDelta: number;
  wait = 0;
  constructor(o: EarlyStoppingOptions = {}) {
    super(o);
    this.patience = o.patience ?? 5;
    this.minDelta = o.minDelta ?? 0;
  }
  onEpochEnd(s: TrainerState, logs: Logs): void {
    const better = this.improves(logs, this.minDelta);
    if (better === undefined) return;
    if (better) this.wait = 0;
    else if (++this.wait >= this.patience) s.stopTraining = true;
  }
}

/** Keeps an in-memory copy of the weights with the best monitored value (`weights`; load them with loadStateDict). */
export class KeepBestModel extends MonitorCallback implements Callback {
  bestEpoch = -1;
  #weights: Map<string, Tensor> | null = null;
  constructor(o: BestModelOptions = {}) {
    super(o);
  }
  onEpochEnd(s: TrainerState, logs: Logs): void {
    if (!this.improves(logs)) return;
    this.bestEpoch = s.epoch;
    if (this.#weights) for (const t of this.#weights.values()) t.dispose();
    this.#weights = new Map([...s.model.stateDict()].map(([k, t]) => [k, t.clone().keep()]));
  }
  /** The best weights seen (clones), or null. */
  get weights(): Map<string, Tensor> | null {
    return this.#weights;
  }
  /** Loads the best weights into `model` and frees the clones; false when no epoch was kept. */
  restore(model: { loadStateDict(sd: Map<string, Tensor>): unknown }): boolean {
    if (!this.#weights) return false;
    model.loadStateDict(this.#weights);
    for (const t of this.#weights.values()) t.dispose();
    this.#weights = null;
    return true;
  }
}

/** Saves the model with a caller-supplied writer whenever the monitored value improves. */
export class ModelCheckpoint extends MonitorCallback implements Callback {
  readonly #save: (epoch: number, logs: Logs) => Promise<void>;
  constructor(save: (epoch: number, logs: Logs) => Promise<void>, o: BestModelOptions = {}) {
    super(o);
    this.#save = save;
  }
  async onEpochEnd(s: TrainerState, logs: Logs): Promise<void> {
    if (this.improves(logs)) await this.#save(s.epoch, logs);
  }
}

/** Steps a scheduler every epoch (ReduceLROnPlateau-style ones get the monitored value) or every batch. */
export class LRSchedulerCallback implements Callback {
  readonly #scheduler: { step(metric?: number): void };
  readonly interval: "epoch" | "step";
  readonly monitor: string | undefined;
  constructor(scheduler: { step(metric?: number): void }, o: { interval?: "epoch" | "step"; monitor?: string } = {}) {
    this.#scheduler = scheduler;
    this.interval = o.interval ?? "epoch";
    this.monitor = o.monitor;
  }
  onBatchEnd(): void {
    if (this.interval === "step") this.#scheduler.step();
  }
  onEpochEnd(_s: TrainerState, logs: Logs): void {
    if (this.interval === "epoch") this.#scheduler.step(this.monitor ? logs[this.monitor] : undefined);
  }
}

/** Appends one JSON object per epoch to a file. */
export class JsonlLogger implements Callback {
  readonly path: string;
  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
  }
  onEpochEnd(s: TrainerState, logs: Logs): void {
    appendFileSync(this.path, `${JSON.stringify({ epoch: s.epoch, step: s.step, ...logs, time: new Date().toISOString() })}\n`);
  }
}

/** Cosine decay after a linear warm-up, as a multiplier of the peak learning rate. */
export const warmupCosine = (step: number, total: number, warmup: number): number =>
  step < warmup ? (step + 1) / warmup : 0.5 * (1 + Math.cos((Math.PI * (step - warmup)) / Math.max(1, total - warmup)));

/**
 * Sets every group's learning rate to `peakLr · warmupCosine(step)` now and after each
 * batch: the one schedule the image and audio tasks train with.
 */
export class WarmupCosineLR implements Callback {
  #step = 0;
  constructor(
    private readonly optimizer: { paramGroups: { lr: number }[] },
    private readonly peakLr: number,
    private readonly total: number,
    private readonly warmup: number,
  ) {
    this.#apply();
  }
  #apply(): void {
    for (const g of this.optimizer.paramGroups) g.lr = this.peakLr * warmupCosine(this.#step, this.total, this.warmup);
  }
  onBatchEnd(): void {
    this.#step++;
    this.#apply();
  }
}
