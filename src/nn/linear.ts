// Linear (y = x Wᵀ + b) and Identity.
import { empty, type Tensor } from "../core/index.js";
import { linear } from "../core/ops/nn.js";
import { checkInt } from "../core/validate.js";
import { biasBound, kaimingUniform_, uniform_ } from "./init.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;
  constructor(inFeatures: number, outFeatures: number, o: { bias?: boolean } = {}) {
    super();
    this.inFeatures = checkInt("Linear", "inFeatures", inFeatures, 0);
    this.outFeatures = checkInt("Linear", "outFeatures", outFeatures, 0);
    this.weight = new Parameter(empty([outFeatures, inFeatures]));
    this.bias = o.bias === false ? null : new Parameter(empty([outFeatures]));
    this.resetParameters();
  }
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const b = biasBound(this.weight);
      uniform_(this.bias, -b, b);
    }
  }
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias ? "True" : "False"}`;
  }
}

export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}
