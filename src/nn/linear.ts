// Linear (y = x Wᵀ + b) and Identity.
import { empty, type Tensor } from "../core/index.js";
import { bilinear, linear } from "../core/ops/nn.js";
import { checkInt } from "../core/validate.js";
import { resetLinearLike, uniform_ } from "./init.js";
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
    resetLinearLike(this.weight, this.bias);
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

/** y = x₁ᵀ A x₂ + b, one bilinear form per output feature. */
export class Bilinear extends Module {
  readonly in1Features: number;
  readonly in2Features: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;
  constructor(in1Features: number, in2Features: number, outFeatures: number, o: { bias?: boolean } = {}) {
    super();
    this.in1Features = checkInt("Bilinear", "in1Features", in1Features, 1);
    this.in2Features = checkInt("Bilinear", "in2Features", in2Features, 1);
    this.outFeatures = checkInt("Bilinear", "outFeatures", outFeatures, 1);
    this.weight = new Parameter(empty([outFeatures, in1Features, in2Features]));
    this.bias = o.bias === false ? null : new Parameter(empty([outFeatures]));
    this.resetParameters();
  }
  resetParameters(): void {
    const b = 1 / Math.sqrt(this.in1Features);
    uniform_(this.weight, -b, b);
    if (this.bias) uniform_(this.bias, -b, b);
  }
  forward(x1: Tensor, x2: Tensor): Tensor {
    return bilinear(x1, x2, this.weight, this.bias);
  }
  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${this.bias ? "True" : "False"}`;
  }
}
