// Learning settings beside the tasks: continual, federated, multi-task and few-shot learning.

export * as continual from "./continual/index.js";
export * as federated from "./federated/index.js";
export * as fewShot from "./few-shot/index.js";
export * as multitask from "./multitask/index.js";
