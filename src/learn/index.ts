// Learning settings beside the tasks: continual and multi-task learning.

export * as continual from "./continual/index.js";
export * as multitask from "./multitask/index.js";
