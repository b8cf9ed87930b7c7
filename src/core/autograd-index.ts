// The `fl.autograd` namespace: backward/grad and grad modes, tensor hooks, anomaly detection,
// custom Functions, activation checkpointing, and `functional` (jacobian, hessian, vjp, jvp …).
export * from "./autograd.js";
export { checkpoint } from "./autograd-checkpoint.js";
export { AutogradFunction as Function, type BackwardResult, type FunctionClass, FunctionCtx } from "./autograd-function.js";
export * as functional from "./autograd-functional.js";
export type { AnomalyNote } from "./autograd-native.js";
