// LayerNorm and GroupNorm.

import { argError } from "../core/errors.js";
import { ones, type Tensor, zeros } from "../core/index.js";
import { groupNorm, layerNorm } from "../core/ops/nn.js";
import { checkInt, checkShape } from "../core/validate.js";
import { Module, pyBool, pyFloat } from "./module.js";
import { Parameter } from "./parameter.js";

export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  constructor(normalizedShape: number | readonly number[], o: { eps?: number; elementwiseAffine?: boolean } = {}) {
    super();
    this.normalizedShape = checkShape("LayerNorm", typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape]);
    this.eps = o.eps ?? 1e-5;
    this.elementwiseAffine = o.elementwiseAffine ?? true;
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape)) : null;
    this.bias = this.elementwiseAffine ? new Parameter(zeros(this.normalizedShape)) : null;
  }
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
  override extraRepr(): string {
    return `(${this.normalizedShape.join(", ")}${this.normalizedShape.length === 1 ? "," : ""}), eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  constructor(numGroups: number, numChannels: number, o: { eps?: number; affine?: boolean } = {}) {
    super();
    this.numGroups = checkInt("GroupNorm", "numGroups", numGroups, 1);
    this.numChannels = checkInt("GroupNorm", "numChannels", numChannels, 1);
    if (numChannels % numGroups) argError("GroupNorm", `numChannels ${numChannels} must be divisible by numGroups ${numGroups}`);
    this.eps = o.eps ?? 1e-5;
    this.affine = o.affine ?? true;
    this.weight = this.affine ? new Parameter(ones([numChannels])) : null;
    this.bias = this.affine ? new Parameter(zeros([numChannels])) : null;
  }
  forward(x: Tensor): Tensor {
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }
  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}
