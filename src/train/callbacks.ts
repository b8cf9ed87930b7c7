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
const improved = (mode: Mode, value: number, best: number, minDelta: number): boolean =>
  mode === "min" ? value < best - minDelta : value > best + minDelta;

export interface EarlyStoppingOptions {
  monitor?: string;
  mode?: Mode;
  patience?: number;
  minDelta?: number;
}
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly mode: Mode;
  readonly patience: number;
  readonly minDelta: number;
  best: number;
  wait = 0;
  constructor(o: EarlyStoppingOptions = {}) {
    this.monitor = o.monitor ?? "valLoss";
    this.mode = o.mode ?? (this.monitor.toLowerCase().includes("loss") ? "min" : "max");
    this.patience = o.patience ?? 5;
    this.minDelta = o.minDelta ?? 0;
    this.best = this.mode === "min" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }
  onEpochEnd(s: TrainerState, logs: Logs): void {
    const v = logs[this.monitor];
    if (v === undefined || Number.isNaN(v)) return;
    if (improved(this.mode, v, this.best, this.minDelta)) {
      this.best = v;
      this.wait = 0;
    } else if (++this.wait >= this.patience) s.stopTraining = true;
  }
}

export interface BestModelOptions {
  monitor?: string;
  mode?: Mode;
}
/** Keeps an in-memory copy of the weights with the best monitored value; `restore` puts it back. */
export class KeepBestModel implements Callback {
  readonly monitor: string;
  readonly mode: Mode;
  best: number;
  bestEpoch = -1;
  #weights: Map<string, Tensor> | null = null;
  constructor(o: BestModelOptions = {}) {
    this.monitor = o.monitor ?? "valLoss";
    this.mode = o.mode ?? (this.monitor.toLowerCase().includes("loss") ? "min" : "max");
    this.best = this.mode === "min" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }
  onEpochEnd(s: TrainerState, logs: Logs): void {
    const v = logs[this.monitor];
    if (v === undefined || Number.isNaN(v) || !improved(this.mode, v, this.best, 0)) return;
    this.best = v;
    this.bestEpoch = s.epoch;
    if (this.#weights) for (const t of this.#weights.values()) t.dispose();
    this.#weights = new Map([...s.model.stateDict()].map(([k, t]) => [k, t.clone().keep()]));
  }
  /** The best weights seen (clones), or null. */
  get weights(): Map<string, Tensor> | null {
    return this.#weights;
  }
}

/** Saves the model with a caller-supplied writer whenever the monitored value improves. */
export class ModelCheckpoint implements Callback {
  readonly monitor: string;
  readonly mode: Mode;
  best: number;
  readonly #save: (epoch: number, logs: Logs) => Promise<void>;
  constructor(save: (epoch: number, logs: Logs) => Promise<void>, o: BestModelOptions = {}) {
    this.#save = save;
    this.monitor = o.monitor ?? "valLoss";
    this.mode = o.mode ?? (this.monitor.toLowerCase().includes("loss") ? "min" : "max");
    this.best = this.mode === "min" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }
  async onEpochEnd(s: TrainerState, logs: Logs): Promise<void> {
    const v = logs[this.monitor];
    if (v === undefined || !improved(this.mode, v, this.best, 0)) return;
    this.best = v;
    await this.#save(s.epoch, logs);
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
