// Activations as modules, each the twin of its function.

import { argError } from "../core/errors.js";
import { full, type Tensor } from "../core/index.js";
import * as E from "../core/ops/elementwise.js";
import { glu, logSoftmax, softmax } from "../core/ops/nn.js";
import { checkInt } from "../core/validate.js";
import * as FA from "./functional-activation.js";
import { Module, pyFloat } from "./module.js";
import { Parameter } from "./parameter.js";

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return E.relu(x);
  }
}
export class ReLU6 extends Module {
  forward(x: Tensor): Tensor {
    return E.relu6(x);
  }
}
export class GELU extends Module {
  readonly approximate: "none" | "tanh";
  constructor(o: { approximate?: "none" | "tanh" } = {}) {
    super();
    this.approximate = o.approximate ?? "none";
  }
  forward(x: Tensor): Tensor {
    return E.gelu(x, this.approximate);
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return E.silu(x);
  }
}
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return E.sigmoid(x);
  }
}
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return E.tanh(x);
  }
}
export class Mish extends Module {
  forward(x: Tensor): Tensor {
    return E.mish(x);
  }
}
export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  constructor(negativeSlope = 0.01) {
    super();
    this.negativeSlope = negativeSlope;
  }
  forward(x: Tensor): Tensor {
    return E.leakyRelu(x, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}`;
  }
}
export class ELU extends Module {
  readonly alpha: number;
  constructor(alpha = 1) {
    super();
    this.alpha = alpha;
  }
  forward(x: Tensor): Tensor {
    return E.elu(x, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(o: { beta?: number; threshold?: number } = {}) {
    super();
    this.beta = o.beta ?? 1;
    this.threshold = o.threshold ?? 20;
  }
  forward(x: Tensor): Tensor {
    return E.softplus(x, this.beta, this.threshold);
  }
  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}
export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;
  constructor(minVal = -1, maxVal = 1) {
    super();
    this.minVal = minVal;
    this.maxVal = maxVal;
  }
  forward(x: Tensor): Tensor {
    return E.hardtanh(x, this.minVal, this.maxVal);
  }
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}`;
  }
}
export class Softmax extends Module {
  readonly dim: number;
  constructor(dim: number) {
    super();
    this.dim = dim;
  }
  forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
export class LogSoftmax extends Module {
  readonly dim: number;
  constructor(dim: number) {
    super();
    this.dim = dim;
  }
  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
export class SELU extends Module {
  forward(x: Tensor): Tensor {
    return E.selu(x);
  }
}
export class CELU extends Module {
  readonly alpha: number;
  constructor(alpha = 1) {
    super();
    this.alpha = alpha;
  }
  forward(x: Tensor): Tensor {
    return E.celu(x, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}
export class Hardsigmoid extends Module {
  forward(x: Tensor): Tensor {
    return E.hardsigmoid(x);
  }
}
export class Hardswish extends Module {
  forward(x: Tensor): Tensor {
    return E.hardswish(x);
  }
}
export class LogSigmoid extends Module {
  forward(x: Tensor): Tensor {
    return E.logSigmoid(x);
  }
}
export class GLU extends Module {
  readonly dim: number;
  constructor(dim = -1) {
    super();
    this.dim = dim;
  }
  forward(x: Tensor): Tensor {
    return glu(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
/** Leaky ReLU with a learned slope: one shared (numParameters = 1) or one per channel (dim 1). */
export class PReLU extends Module {
  weight: Parameter;
  constructor(o: { numParameters?: number; init?: number } = {}) {
    super();
    const n = checkInt("PReLU", "numParameters", o.numParameters ?? 1, 1);
    this.weight = new Parameter(full([n], o.init ?? 0.25));
  }
  forward(x: Tensor): Tensor {
    return E.prelu(x, this.weight);
  }
  override extraRepr(): string {
    return `num_parameters=${this.weight.shape[0]}`;
  }
}

export class Softsign extends Module {
  forward(x: Tensor): Tensor {
    return FA.softsign(x);
  }
}
export class Tanhshrink extends Module {
  forward(x: Tensor): Tensor {
    return FA.tanhshrink(x);
  }
}
export class Softshrink extends Module {
  readonly lambd: number;
  constructor(lambd = 0.5) {
    super();
    if (typeof lambd !== "number" || !(lambd >= 0)) argError("Softshrink", `lambd must be ≥ 0, got ${String(lambd)}`);
    this.lambd = lambd;
  }
  forward(x: Tensor): Tensor {
    return FA.softshrink(x, this.lambd);
  }
  override extraRepr(): string {
    return pyFloat(this.lambd);
  }
}
export class Hardshrink extends Module {
  readonly lambd: number;
  constructor(lambd = 0.5) {
    super();
    // PyTorch takes any λ here (a negative one keeps every element); only softshrink needs λ ≥ 0.
    if (typeof lambd !== "number" || Number.isNaN(lambd)) argError("Hardshrink", `lambd must be a number, got ${String(lambd)}`);
    this.lambd = lambd;
  }
  forward(x: Tensor): Tensor {
    return FA.hardshrink(x, this.lambd);
  }
  override extraRepr(): string {
    return pyFloat(this.lambd);
  }
}
/** y = x where x > threshold, value elsewhere. */
export class Threshold extends Module {
  readonly threshold: number;
  readonly value: number;
  constructor(threshold: number, value: number) {
    super();
    if (typeof threshold !== "number" || typeof value !== "number")
      argError("Threshold", `threshold and value must be numbers, got ${String(threshold)} and ${String(value)}`);
    this.threshold = threshold;
    this.value = value;
  }
  forward(x: Tensor): Tensor {
    return FA.threshold(x, this.threshold, this.value);
  }
  override extraRepr(): string {
    return `threshold=${pyFloat(this.threshold)}, value=${pyFloat(this.value)}`;
  }
}
export class Softmin extends Module {
  readonly dim: number;
  constructor(dim: number) {
    super();
    this.dim = checkInt("Softmin", "dim", dim);
  }
  forward(x: Tensor): Tensor {
    return FA.softmin(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
/** Softmax over the channels of [N, C, H, W] or [C, H, W] input (dim −3). */
export class Softmax2d extends Module {
  forward(x: Tensor): Tensor {
    if (x.ndim !== 3 && x.ndim !== 4) argError("Softmax2d", `input must be 3-D or 4-D, got [${x.shape.join(", ")}]`);
    return softmax(x, -3);
  }
}
/** Leaky ReLU with a random slope from U(lower, upper) in training, their mean in evaluation. */
export class RReLU extends Module {
  readonly lower: number;
  readonly upper: number;
  constructor(lower = 1 / 8, upper = 1 / 3) {
    super();
    if (typeof lower !== "number" || typeof upper !== "number" || !(lower <= upper))
      argError("RReLU", `lower must be a number not above upper, got ${String(lower)} and ${String(upper)}`);
    this.lower = lower;
    this.upper = upper;
  }
  forward(x: Tensor): Tensor {
    return FA.rrelu(x, { lower: this.lower, upper: this.upper, training: this.training });
  }
  override extraRepr(): string {
    return `lower=${pyFloat(this.lower)}, upper=${pyFloat(this.upper)}`;
  }
}
