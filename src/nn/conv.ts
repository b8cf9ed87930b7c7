// Convolutions: one private base (PyTorch's _ConvNd) under Conv1d/2d/3d and ConvTranspose1d/2d/3d.

import { argError } from "../core/errors.js";
import { empty, type Tensor } from "../core/index.js";
import { conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d } from "../core/ops/nn.js";
import { checkInt, checkTuple } from "../core/validate.js";
import { convTranspose3d } from "./functional-pool.js";
import { resetLinearLike } from "./init.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

type Size = number | readonly number[];
export interface ConvOptions {
  stride?: Size;
  padding?: Size | "same" | "valid";
  dilation?: Size;
  groups?: number;
  bias?: boolean;
}
export interface ConvTransposeOptions extends Omit<ConvOptions, "padding"> {
  padding?: Size;
  outputPadding?: Size;
}

abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | "same" | "valid";
  readonly dilation: number[];
  readonly groups: number;
  readonly outputPadding: number[];
  weight: Parameter;
  bias: Parameter | null;
  constructor(n: number, transposed: boolean, inC: number, outC: number, kernel: Size, o: ConvOptions & { outputPadding?: Size }) {
    super();
    const op = this.constructor.name;
    this.inChannels = checkInt(op, "inChannels", inC, 1);
    this.outChannels = checkInt(op, "outChannels", outC, 1);
    this.kernelSize = checkTuple(op, "kernelSize", kernel, n, 1, 2 ** 16);
    this.stride = checkTuple(op, "stride", o.stride ?? 1, n, 1, 2 ** 16);
    this.dilation = checkTuple(op, "dilation", o.dilation ?? 1, n, 1, 2 ** 16);
    this.padding = typeof o.padding === "string" ? o.padding : checkTuple(op, "padding", o.padding ?? 0, n, 0, 2 ** 16);
    this.outputPadding = checkTuple(op, "outputPadding", o.outputPadding ?? 0, n, 0, 2 ** 16);
    this.groups = checkInt(op, "groups", o.groups ?? 1, 1);
    if (this.padding === "same" && this.stride.some((x) => x !== 1))
      argError(op, `padding 'same' is not supported for strided convolutions (stride [${this.stride.join(", ")}])`);
    if (transposed && typeof o.padding === "string") argError(op, `padding must be a size, got ${JSON.stringify(o.padding)}`);
    this.outputPadding.forEach((p, i) => {
      if (p >= Math.max(this.stride[i]!, this.dilation[i]!))
        argError(op, `outputPadding ${p} must be smaller than stride ${this.stride[i]} or dilation ${this.dilation[i]}`);
    });
    if (typeof o.padding === "string" && o.padding !== "same" && o.padding !== "valid")
      argError(op, `padding must be a size, 'same' or 'valid', got ${JSON.stringify(o.padding)}`);
    if (inC % this.groups || outC % this.groups)
      argError(op, `inChannels ${inC} and outChannels ${outC} must be divisible by groups ${this.groups}`);
    const shape = transposed ? [inC, outC / this.groups, ...this.kernelSize] : [outC, inC / this.groups, ...this.kernelSize];
    this.weight = new Parameter(empty(shape));
    this.bias = o.bias === false ? null : new Parameter(empty([outC]));
    this.resetParameters();
  }
  resetParameters(): void {
    resetLinearLike(this.weight, this.bias);
  }
  override extraRepr(): string {
    const t = (v: number[]) => `(${v.join(", ")}${v.length === 1 ? "," : ""})`;
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${t(this.kernelSize)}, stride=${t(this.stride)}`;
    if (typeof this.padding === "string") s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${t(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${t(this.dilation)}`;
    if (this.outputPadding.some((d) => d !== 0)) s += `, output_padding=${t(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ", bias=False";
    return s;
  }
}

export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size, o: ConvOptions = {}) {
    super(1, false, inChannels, outChannels, kernelSize, o);
  }
  forward(x: Tensor): Tensor {
    return conv1d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}

export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size, o: ConvOptions = {}) {
    super(2, false, inChannels, outChannels, kernelSize, o);
  }
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}

export class Conv3d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size, o: ConvOptions = {}) {
    super(3, false, inChannels, outChannels, kernelSize, o);
  }
  forward(x: Tensor): Tensor {
    return conv3d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}

export class ConvTranspose1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size, o: ConvTransposeOptions = {}) {
    super(1, true, inChannels, outChannels, kernelSize, o);
  }
  forward(x: Tensor): Tensor {
    return convTranspose1d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding as number[],
      outputPadding: this.outputPadding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}

export class ConvTranspose2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size, o: ConvTransposeOptions = {}) {
    super(2, true, inChannels, outChannels, kernelSize, o);
  }
  forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding as number[],
      outputPadding: this.outputPadding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}

export class ConvTranspose3d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size, o: ConvTransposeOptions = {}) {
    super(3, true, inChannels, outChannels, kernelSize, o);
  }
  forward(x: Tensor): Tensor {
    return convTranspose3d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding as number[],
      outputPadding: this.outputPadding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}
