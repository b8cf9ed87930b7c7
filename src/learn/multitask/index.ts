// Multi-task learning: a shared encoder with named heads, loss weightings, and a sampler
// that interleaves the tasks' batches.

export { MultiTaskModel } from "./model.js";
export { MultiTaskSampler, type MultiTaskSamplerOptions, type TaskBatch, type TaskSampling, taskProbabilities } from "./sampler.js";
export {
  SCENE_RUNS,
  SCENE_TASKS,
  SceneMultiTaskNet,
  type SceneMultiTaskOptions,
  type SceneRun,
  type SceneRunResult,
  type SceneTask,
  sceneMultiTask,
} from "./scenes.js";
export {
  FixedWeighting,
  GradNorm,
  type GradNormOptions,
  type LossWeighting,
  PCGrad,
  type PCGradOptions,
  UncertaintyWeighting,
} from "./weighting.js";
