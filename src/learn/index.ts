// Learning settings beside the tasks: continual, multi-task and few-shot learning, model compression.

export * as compress from "./compress/index.js";
export * as continual from "./continual/index.js";
export * as fewShot from "./few-shot/index.js";
export * as multitask from "./multitask/index.js";
