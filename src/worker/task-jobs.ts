// The task entry points a WorkerRunner calls by name (see task-worker.ts): the same
// train / evaluate / predict code the CLI runs, with plain-data options and results.
// A model directory is loaded once into its task's Predictor and kept for later requests.
import { getTask } from "../tasks/registry.js";
import type { EvalArgs, Predictor, Task, TrainArgs } from "../tasks/task.js";
import { readModelConfig } from "../train/model-dir.js";
import { SilentProgress } from "../train/progress.js";
import type { JobContext } from "./worker-main.js";

/** Train options without their callbacks (they cannot cross threads; log lines come back as messages). */
export type WorkerTrainOptions = Omit<TrainArgs, "progress" | "log"> & Record<string, unknown>;
export type WorkerPredictOptions = Record<string, unknown>;

// One predictor per model directory, loaded on its first request.
const loaded = new Map<string, Promise<{ task: Task; predictor: Predictor }>>();

export function predictorOf(dir: string): Promise<{ task: Task; predictor: Predictor }> {
  let p = loaded.get(dir);
  if (p === undefined) {
    p = (async () => {
      const task = getTask(readModelConfig(dir).task);
      return { task, predictor: await task.load(dir) };
    })();
    loaded.set(dir, p);
    // A directory that failed to load is tried again on the next request.
    p.catch(() => loaded.delete(dir));
  }
  return p;
}

/**
 * Loads `dir` again and swaps it in for later requests, freeing the old predictor. Jobs run
 * one at a time in a worker, so no prediction is using the old one when it goes; if the new
 * one fails to load (files half-written), the old one stays.
 */
export async function reloadPredictor(dir: string): Promise<void> {
  const task = getTask(readModelConfig(dir).task);
  const fresh = { task, predictor: await task.load(dir) };
  const old = loaded.get(dir);
  loaded.set(dir, Promise.resolve(fresh));
  (await old?.catch(() => undefined))?.predictor.dispose();
}

export async function predictJob(
  dir: string,
  inputs: string[],
  o: WorkerPredictOptions = {},
): Promise<{ task: string; predictions: unknown[]; text: string[] }> {
  const { task, predictor } = await predictorOf(dir);
  const predictions = await predictor.predict(inputs, o);
  return { task: task.name, predictions, text: predictions.map((p) => task.formatPrediction(p)) };
}

export async function evaluateJob(dir: string, data: string, o: EvalArgs & Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return getTask(readModelConfig(dir).task).evaluate(dir, data, o);
}

export async function trainJob(taskName: string, o: WorkerTrainOptions, ctx: JobContext) {
  const r = await getTask(taskName).train({ ...o, progress: new SilentProgress(), log: ctx.log });
  return { dir: r.dir, metrics: r.metrics, history: r.history };
}
