// The Tensor class as the modules below it see it: tensor.ts registers the class when it
// loads, so dispatch, the checks and the op families can recognise and make tensors
// without importing tensor.ts — which imports them (no import circle in core).
import type { Handle } from "./native.js";
import type { Tensor } from "./tensor.js";

type TensorClass = new (h: Handle) => Tensor;
let cls: TensorClass | undefined;

/** @internal Called once by tensor.ts. */
export function registerTensorClass(c: TensorClass): void {
  cls = c;
}

/** True for a Tensor (live or disposed). */
export const isTensor = (v: unknown): v is Tensor => cls !== undefined && v instanceof cls;

/** @internal Wraps a native handle in a Tensor. */
export const wrapHandle = (h: Handle): Tensor => new cls!(h);
