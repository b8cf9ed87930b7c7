// TaskWorker: a task's train / evaluate / predict in a worker thread, as promises; the
// calling thread's event loop stays free while libtorch works (servers, UIs, CLIs).
import { fileURLToPath } from "node:url";
import type { EvalArgs as TaskEvalOptions, TaskTrainResult } from "../tasks/task.js";
import { WorkerRunner, type WorkerRunnerOptions } from "./runner.js";
import type { WorkerPredictOptions, WorkerTrainOptions } from "./task-jobs.js";

const JOBS = fileURLToPath(new URL("./task-jobs.js", import.meta.url));

export class TaskWorker {
  readonly runner: WorkerRunner;
  private constructor(runner: WorkerRunner) {
    this.runner = runner;
  }

  static async start(o: WorkerRunnerOptions = {}): Promise<TaskWorker> {
    return new TaskWorker(await WorkerRunner.start(o));
  }

  /** The task's predictions for `inputs` (files or text, as `flambeau predict` takes) and their one-line forms. */
  predict(
    dir: string,
    inputs: readonly string[],
    o: WorkerPredictOptions = {},
  ): Promise<{ task: string; predictions: unknown[]; text: string[] }> {
    return this.runner.run(JOBS, "predictJob", [dir, [...inputs], o]);
  }

  evaluate(dir: string, data: string, o: TaskEvalOptions = {}): Promise<Record<string, unknown>> {
    return this.runner.run(JOBS, "evaluateJob", [dir, data, o]);
  }

  /** Trains `task` in the worker; `onLog` receives the task's log lines. */
  train(
    task: string,
    o: WorkerTrainOptions,
    onLog?: (line: string) => void,
  ): Promise<Pick<TaskTrainResult, "dir" | "metrics" | "history">> {
    return this.runner.run(JOBS, "trainJob", [task, o], onLog);
  }

  close(): Promise<void> {
    return this.runner.close();
  }
}
