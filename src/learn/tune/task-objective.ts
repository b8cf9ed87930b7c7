// The objective of a task's study: train the task with a trial's params on a small budget
// (its own train, its own Trainer) and return its validation metric. The per-epoch value
// reaches the study through a callback the task's Trainer picks up from the run settings
// (src/train/run-settings.ts), which also stops the trial when the pruner says so.

import { rm } from "node:fs/promises";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import type { Task } from "../../tasks/task.js";
import type { Callback, Logs, TrainerState } from "../../train/callbacks.js";
import { SilentProgress } from "../../train/progress.js";
import { setRunSettings } from "../../train/run-settings.js";
import type { Direction } from "./sampler.js";
import { type Objective, type Trial, TrialPruned } from "./study.js";

export interface TaskObjectiveOptions {
  task: Task;
  data: string;
  val?: string;
  /** Where each trial's model directory goes (trial-0007/…). */
  trialsDir: string;
  /** Epochs of every trial (the pruner's largest resource). */
  epochs: number;
  /** Training examples per trial (small budgets). */
  limit?: number;
  seed: number;
  /** The validation metric ranked, as the task's train returns it ("accuracy"); the epochs log it as val<Metric>. */
  metric: string;
  /** Options that stay fixed in every trial (the task's own, batchSize, model). */
  fixed?: Record<string, unknown>;
  /** Each trial trains as a deterministic run. */
  deterministic?: boolean;
  log?: (line: string) => void;
}

export const trialDir = (trialsDir: string, n: number): string => join(trialsDir, `trial-${String(n).padStart(4, "0")}`);

/** The name the Trainer logs a validation metric under: accuracy → valAccuracy. */
export const epochKey = (metric: string): string => `val${metric[0]!.toUpperCase()}${metric.slice(1)}`;

/** Whether a metric improves downwards (losses, error rates). */
export const defaultDirection = (metric: string): Direction =>
  /loss|error|cer$|wer$|perplexity|mae|rmse/i.test(metric) ? "minimize" : "maximize";

/** Reports each epoch's validation value to the trial and stops it when pruned. */
class TrialReporter implements Callback {
  constructor(
    readonly trial: Trial,
    readonly key: string,
    readonly task: string,
    readonly epochs: number,
  ) {}
  async onEpochEnd(s: TrainerState, logs: Logs): Promise<void> {
    const v = logs[this.key];
    if (v === undefined)
      throw new FlambeauError(
        "E_ARG",
        `tune ${this.task}: the epochs log no ${this.key} (they log ${Object.keys(logs).join(", ")}); --metric names a validation metric`,
      );
    this.trial.report(s.epoch, v);
    // The last epoch's value is the trial's result: stopping there would only lose the saved model.
    if (s.epoch < this.epochs && (await this.trial.shouldPrune())) throw new TrialPruned(s.epoch);
  }
}

export function taskObjective(o: TaskObjectiveOptions): Objective {
  const key = epochKey(o.metric);
  return async (trial) => {
    const out = trialDir(o.trialsDir, trial.number);
    // A re-run of an interrupted trial starts from nothing.
    await rm(out, { recursive: true, force: true });
    setRunSettings({ callbacks: [new TrialReporter(trial, key, o.task.name, o.epochs)] });
    try {
      const r = await o.task.train({
        ...o.fixed,
        ...trial.params,
        data: o.data,
        ...(o.val !== undefined ? { val: o.val } : {}),
        out,
        epochs: o.epochs,
        ...(o.limit !== undefined ? { limit: o.limit } : {}),
        seed: o.seed,
        deterministic: o.deterministic,
        progress: new SilentProgress(),
        log: o.log ?? (() => {}),
      });
      const value = r.metrics[o.metric];
      if (typeof value !== "number")
        throw new FlambeauError(
          "E_ARG",
          `tune ${o.task.name}: --metric ${o.metric} is not among its validation metrics (${Object.keys(r.metrics)
            .filter((k) => typeof r.metrics[k] === "number")
            .join(", ")})`,
        );
      const metrics = Object.fromEntries(Object.entries(r.metrics).filter(([, v]) => typeof v === "number"));
      return { value, metrics: { ...metrics, epochs: r.history.epochs.length } };
    } finally {
      setRunSettings({});
    }
  };
}

/** A task objective's options as plain data: what a parallel study's worker receives (./trial-pool.ts; built there by src/worker/tune-objective.ts). */
export type TaskObjectiveArgs = Omit<TaskObjectiveOptions, "task" | "log"> & { task: string };
