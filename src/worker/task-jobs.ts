// The task entry points a WorkerRunner calls by name (see task-worker.ts): the same
// train / evaluate / predict code the CLI runs, with plain-data options and results.
import { getTask } from "../cli/registry.js";
import { loadModelDir } from "../train/model-dir.js";
import { SilentProgress } from "../train/progress.js";
import type { TaskEvalOptions, TaskPredictOptions, TaskTrainOptions } from "../train/task.js";
import type { JobContext } from "./worker-main.js";

/** TaskTrainOptions without its callbacks (they cannot cross threads; log lines come back as messages). */
export type WorkerTrainOptions = Omit<TaskTrainOptions, "progress" | "log">;
export type WorkerPredictOptions = Omit<TaskPredictOptions, "onText">;

// Which task a model directory holds, read once per directory (the task's predict reloads the weights itself).
const taskNames = new Map<string, string>();

async function taskOf(dir: string) {
  let name = taskNames.get(dir);
  if (name === undefined) {
    const { config, weights } = await loadModelDir(dir);
    for (const t of weights.values()) t.dispose();
    name = config.task;
    taskNames.set(dir, name);
  }
  return getTask(name);
}

export async function predictJob(
  dir: string,
  inputs: string[],
  o: WorkerPredictOptions = {},
): Promise<{ task: string; predictions: unknown[]; text: string[] }> {
  const task = await taskOf(dir);
  const predictions = await task.predict(dir, inputs, o);
  return { task: task.name, predictions, text: predictions.map((p) => task.formatPrediction(p)) };
}

export async function evaluateJob(dir: string, data: string, o: TaskEvalOptions = {}): Promise<Record<string, unknown>> {
  return (await taskOf(dir)).evaluate(dir, data, o);
}

export async function trainJob(taskName: string, o: WorkerTrainOptions, ctx: JobContext) {
  const r = await getTask(taskName).train({ ...o, progress: new SilentProgress(), log: ctx.log });
  return { dir: r.dir, metrics: r.metrics, history: r.history };
}
