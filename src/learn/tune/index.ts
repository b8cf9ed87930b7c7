// Hyper-parameter and architecture search over a task's options (Optuna's study, sampler and pruner).
export { type HyperbandOptions, HyperbandPruner } from "./hyperband.js";
export { paramImportances } from "./importance.js";
export { type AshaOptions, AshaPruner, NopPruner, type Pruner, promotable } from "./pruner.js";
export { drawParam, RandomSampler } from "./random-sampler.js";
export { curvesSvg, historySvg, importanceSvg, trialsMarkdown, writeStudyReport } from "./report.js";
export type { Direction, FinishedTrial, Sampler, TrialState } from "./sampler.js";
export { type Choice, checkSpace, type Param, type Params, parseParamFlag, parseSpaceJson, type SearchSpace } from "./space.js";
export { type Objective, Study, type StudyOptions, type Trial, TrialPruned } from "./study.js";
export { readStudyFile, type StudyJournal, type TrialRecord } from "./study-file.js";
export { defaultDirection, epochKey, type TaskObjectiveArgs, taskObjective } from "./task-objective.js";
export { checkTaskSpace, DEFAULT_LR, defaultSpace, tunableNames } from "./task-space.js";
export { ParzenEstimator, splitTrials, type TpeOptions, TpeSampler } from "./tpe-sampler.js";
export { type ObjectiveSpec, TrialPool, threadsPerWorker } from "./trial-pool.js";
export { type PrunerName, type SamplerName, studyParts, type TuneOptions, type TuneResult, tune } from "./tune.js";
