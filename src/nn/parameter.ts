// A Parameter is a leaf tensor that a Module owns: it requires grad by default and is
// kept across tidy() scopes (as tfjs's variables are), so training loops can tidy freely.
import { aten } from "../core/aten.js";
import { type Handle, native } from "../core/native.js";
import { Tensor } from "../core/tensor.js";

const DETACH = aten("detach");

export class Parameter extends Tensor {
  /** Wraps `data`'s storage as a new leaf (the data tensor itself is left as it is). */
  constructor(data: Tensor, requiresGrad = true) {
    super(native.callOp(DETACH.resolve(), data.handle) as Handle);
    this.keep();
    if (requiresGrad) this.requiresGrad_(true);
  }
}
