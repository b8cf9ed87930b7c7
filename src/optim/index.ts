// The optim layer: optimizers, LR schedules and gradient clipping, step for step equal to
// PyTorch 1.13's torch.optim (default single-tensor implementations) and clip_grad.

export { Adagrad, type AdagradOptions, type AdagradUpdate, adagrad } from "./adagrad.js";
export { Adam, type AdamOptions, type AdamUpdate, adam } from "./adam.js";
export {
  ADAMAX_DEFAULTS,
  Adamax,
  type AdamaxOptions,
  adamax,
  NADAM_DEFAULTS,
  NAdam,
  type NAdamOptions,
  nadam,
  RADAM_DEFAULTS,
  RAdam,
  type RAdamOptions,
  radam,
} from "./adam-variants.js";
export { AdamW, type AdamWOptions } from "./adamw.js";
export {
  ADADELTA_DEFAULTS,
  Adadelta,
  type AdadeltaOptions,
  ASGD,
  ASGD_DEFAULTS,
  type ASGDOptions,
  adadelta,
  asgd,
  RPROP_DEFAULTS,
  Rprop,
  type RpropOptions,
  rprop,
} from "./classic.js";
export { type ClipGradNormOptions, clipGradNorm_, clipGradValue_ } from "./clip.js";
export { CosineAnnealingLR, type CosineAnnealingLROptions, OneCycleLR, type OneCycleLROptions } from "./cosine-lr.js";
export { CyclicLR, type CyclicLRMode, type CyclicLROptions } from "./cyclic-lr.js";
export {
  ExponentialLR,
  type ExponentialLROptions,
  LinearLR,
  type LinearLROptions,
  MultiStepLR,
  type MultiStepLROptions,
  StepLR,
  type StepLROptions,
} from "./decay-lr.js";
export { LBFGS, type LBFGSClosure, type LBFGSOptions } from "./lbfgs.js";
export {
  LambdaLR,
  LRScheduler,
  type LrLambda,
  type SchedulerOptions,
  type SchedulerStateDict,
  type SchedulerStateValue,
} from "./lr-scheduler.js";
export {
  ChainedScheduler,
  ConstantLR,
  type ConstantLROptions,
  CosineAnnealingWarmRestarts,
  type CosineAnnealingWarmRestartsOptions,
  MultiplicativeLR,
  PolynomialLR,
  type PolynomialLROptions,
} from "./more-lr.js";
export {
  type GroupValue,
  Optimizer,
  type OptimizerOptions,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInit,
  type ParamState,
  type Params,
  type SchedulerGroupKeys,
} from "./optimizer.js";
export { discriminativeLr, type NamedGroup, paramGroupsByName } from "./param-groups.js";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./reduce-lr-on-plateau.js";
export { RMSprop, type RMSpropOptions, type RMSpropUpdate, rmsprop } from "./rmsprop.js";
export { SequentialLR } from "./sequential-lr.js";
export { SGD, type SGDOptions, type SGDUpdate, sgd } from "./sgd.js";
export { AveragedModel, type AveragedModelOptions, type AvgFn, SWALR, type SWALROptions, updateBn } from "./swa-utils.js";
