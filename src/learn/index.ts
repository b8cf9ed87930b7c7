// Learning settings beside the tasks: continual, multi-task and few-shot learning; tuning a task.

export * as continual from "./continual/index.js";
export * as fewShot from "./few-shot/index.js";
export * as multitask from "./multitask/index.js";
export * as tune from "./tune/index.js";
