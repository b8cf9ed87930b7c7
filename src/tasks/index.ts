// The task contract (defineTask, options, Predictor) and the registry of every task.
export * from "./options.js";
export { getTask, TASKS, type TaskName } from "./registry.js";
export * from "./task.js";
