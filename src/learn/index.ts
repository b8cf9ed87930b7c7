// Learning settings beside the tasks: continual, federated, multi-task, few-shot and zero-shot learning;
// tuning a task (hyper-parameter and architecture search, DARTS cells); compressing a trained model.

export * as compress from "./compress/index.js";
export * as continual from "./continual/index.js";
export * as federated from "./federated/index.js";
export * as fewShot from "./few-shot/index.js";
export * as multitask from "./multitask/index.js";
export * as nas from "./nas/index.js";
export * as tune from "./tune/index.js";
export * as zeroShot from "./zero-shot/index.js";
