// The optim layer: optimizers, LR schedules and gradient clipping, step for step equal to
// PyTorch 1.13's torch.optim (default single-tensor implementations) and clip_grad.
export {
  Optimizer,
  type OptimizerOptions,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInit,
  type Params,
  type ParamState,
  type GroupValue,
  type SchedulerGroupKeys,
} from "./optimizer.js";
export { SGD, sgd, type SGDOptions, type SGDUpdate } from "./sgd.js";
export { Adam, adam, type AdamOptions, type AdamUpdate } from "./adam.js";
export { AdamW, type AdamWOptions } from "./adamw.js";
export { RMSprop, rmsprop, type RMSpropOptions, type RMSpropUpdate } from "./rmsprop.js";
export { Adagrad, adagrad, type AdagradOptions, type AdagradUpdate } from "./adagrad.js";
export { LRScheduler, LambdaLR, type LrLambda, type SchedulerOptions, type SchedulerStateDict, type SchedulerStateValue } from "./lr-scheduler.js";
export {
  StepLR,
  MultiStepLR,
  ExponentialLR,
  LinearLR,
  type StepLROptions,
  type MultiStepLROptions,
  type ExponentialLROptions,
  type LinearLROptions,
} from "./decay-lr.js";
export { CosineAnnealingLR, OneCycleLR, type CosineAnnealingLROptions, type OneCycleLROptions } from "./cosine-lr.js";
export { SequentialLR } from "./sequential-lr.js";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./reduce-lr-on-plateau.js";
export { clipGradNorm_, clipGradValue_, type ClipGradNormOptions } from "./clip.js";
