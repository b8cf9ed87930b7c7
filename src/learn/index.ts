// Learning settings beside the tasks: continual learning (more to come: multi-task, few-shot).

export * as continual from "./continual/index.js";
