// Running Flambeau off the main thread: generic jobs (WorkerRunner, runInWorker), a model with
// an async forward (ModuleWorker) and tasks' train / evaluate / predict (TaskWorker).
export type { ModuleSpec } from "./module-spec.js";
export { ModuleWorker } from "./module-worker.js";
export { type TransferResult, withTransfer } from "./protocol.js";
export { runInWorker, WorkerRunner, type WorkerRunnerOptions } from "./runner.js";
export type { WorkerPredictOptions, WorkerTrainOptions } from "./task-jobs.js";
export { TaskWorker } from "./task-worker.js";
export type { JobContext } from "./worker-main.js";
