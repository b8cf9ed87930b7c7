// Learning settings beside the tasks: continual learning, few-shot learning (more to come: multi-task).

export * as continual from "./continual/index.js";
export * as fewShot from "./few-shot/index.js";
