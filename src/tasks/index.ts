// The task contract (defineTask, options, Predictor) and the registry of every task.
export * from "./options.js";
export { type PipelineOf, pipeline } from "./pipeline.js";
export { getTask, TASKS, type TaskName } from "./registry.js";
export * from "./task.js";
