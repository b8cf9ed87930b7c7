// The core layer's public surface: Tensor, creation, op families, autograd, memory, runtime.
export { Tensor, type NestedNumbers } from "./tensor.js";
export { type DType, type AnyTypedArray, isFloating, isIntegral, itemSize } from "./dtype.js";
export { FlambeauError, type ErrorCode } from "./errors.js";
export * from "./ops/creation.js";
export * from "./ops/elementwise.js";
export * from "./ops/shape.js";
export * from "./ops/reduce.js";
export * from "./ops/indexing.js";
export * from "./ops/linalg.js";
export { softmax, logSoftmax, dropout, cosineSimilarity } from "./ops/nn.js";
export * as autograd from "./autograd.js";
export { noGrad, enableGrad, isGradEnabled, type BackwardOptions } from "./autograd.js";
export { tidy, dispose, memory, setMemoryBudget, type MemoryInfo } from "./memory.js";
export { setNumThreads, getNumThreads, getRngState, setRngState } from "./runtime.js";
export * as jit from "./jit.js";
