// Activations as modules, each the twin of its function.
import { full, type Tensor } from "../core/index.js";
import * as E from "../core/ops/elementwise.js";
import { glu, logSoftmax, softmax } from "../core/ops/nn.js";
import { checkInt } from "../core/validate.js";
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
