// The core layer's public surface: Tensor, creation, op families, autograd, memory, runtime.

export { type BackwardOptions, enableGrad, inferenceMode, isGradEnabled, isInferenceModeEnabled, noGrad } from "./autograd.js";
export * as autograd from "./autograd-index.js";
export { DEFAULT_BUDGET_FRACTION, defaultMemoryBudget, parseBytes } from "./budget.js";
export { type AnyTypedArray, type DType, isFloating, isIntegral, itemSize } from "./dtype.js";
export { type ErrorCode, FlambeauError } from "./errors.js";
// The surface generated from ATen's schemas (scripts/gen-api.py): functions, the linalg, fft and
// special namespaces, and the Tensor methods it attaches on import.
export * from "./generated/index.js";
export * as jit from "./jit.js";
export { dispose, emptyCache, getMemoryBudget, type MemoryInfo, memory, setMemoryBudget, tidy } from "./memory.js";
export * from "./ops/creation.js";
export * from "./ops/elementwise.js";
export * from "./ops/gradient.js";
export * from "./ops/indexing.js";
export * from "./ops/linalg.js";
export * from "./ops/lowrank.js";
export { cosineSimilarity, dropout, logSoftmax, softmax } from "./ops/nn.js";
export * from "./ops/reduce.js";
export * from "./ops/shape.js";
export * from "./ops/stft.js";
export {
  areDeterministicAlgorithmsEnabled,
  getDeterministicDebugMode,
  getNumInteropThreads,
  getNumThreads,
  getRngState,
  initialSeed,
  isDeterministicAlgorithmsWarnOnlyEnabled,
  seed,
  setDeterministicDebugMode,
  setFlushDenormal,
  setNumInteropThreads,
  setNumThreads,
  setRngState,
  useDeterministicAlgorithms,
} from "./runtime.js";
export { type NestedNumbers, Tensor } from "./tensor.js";
