// Convolutions: one private base (PyTorch's _ConvNd) under Conv1d/2d/3d and ConvTranspose1d/2d/3d;
// the lazy variants (LazyConv1d …) are those with the input channels left to the first input or
// the first state dict loaded, as PyTorch's LazyConvXdMixin.

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

/** Passed as inChannels by the Lazy* classes: the channels come from the first input or state dict. */
const LAZY = Symbol("lazy") as unknown as number;

abstract class ConvNd extends Module {
  /** 0 while a lazy convolution has not seen its first input or state dict. */
  inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | "same" | "valid";
  readonly dilation: number[];
  readonly groups: number;
  readonly outputPadding: number[];
  weight: Parameter;
  bias: Parameter | null;
  readonly #transposed: boolean;
  constructor(n: number, transposed: boolean, inC: number, outC: number, kernel: Size, o: ConvOptions & { outputPadding?: Size }) {
    super();
    const op = this.constructor.name;
    this.#transposed = transposed;
    this.inChannels = inC === LAZY ? 0 : checkInt(op, "inChannels", inC, 1);
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
    if (outC % this.groups) argError(op, `outChannels ${outC} must be divisible by groups ${this.groups}`);
    // A lazy convolution's parameters are empty placeholders until shaped (they follow .to(dtype)).
    this.weight = new Parameter(empty([0]));
    this.bias = o.bias === false ? null : new Parameter(empty([0]));
    if (this.inChannels) {
      this.#shape(this.inChannels);
      this.resetParameters();
    }
  }
  #shape(inC: number): void {
    const op = this.constructor.name;
    checkInt(op, "inChannels", inC, 1);
    if (inC % this.groups) argError(op, `inChannels ${inC} must be divisible by groups ${this.groups}`);
    const outC = this.outChannels;
    const shape = this.#transposed ? [inC, outC / this.groups, ...this.kernelSize] : [outC, inC / this.groups, ...this.kernelSize];
    const dtype = this.weight.dtype;
    this.weight.dispose();
    this.weight = new Parameter(empty(shape, { dtype }));
    if (this.bias) {
      this.bias.dispose();
      this.bias = new Parameter(empty([outC], { dtype }));
    }
    this.inChannels = inC;
  }
  /** Lazy convolutions: shapes and initialises the parameters for the first input's channels. */
  protected ready(x: Tensor): void {
    if (this.inChannels) return;
    const n = this.kernelSize.length;
    if (x.ndim !== n + 1 && x.ndim !== n + 2)
      argError(this.constructor.name, `input must be rank ${n + 2} (batched) or ${n + 1} (unbatched), got [${x.shape.join(", ")}]`);
    this.#shape(x.shape[x.ndim === n + 2 ? 1 : 0]!);
    this.resetParameters();
  }
  /** Lazy convolutions take their shapes from the state dict being loaded (PyTorch's lazy load hook). */
  protected override materializeFrom(sd: ReadonlyMap<string, Tensor>, prefix: string): void {
    const w = this.inChannels ? undefined : sd.get(`${prefix}weight`);
    if (w && w.ndim === this.kernelSize.length + 2) this.#shape(this.#transposed ? w.shape[0]! : w.shape[1]! * this.groups);
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
    this.ready(x);
    return conv1d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}

export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size, o: ConvOptions = {}) {
    super(2, false, inChannels, outChannels, kernelSize, o);
  }
  forward(x: Tensor): Tensor {
    this.ready(x);
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}

export class Conv3d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size, o: ConvOptions = {}) {
    super(3, false, inChannels, outChannels, kernelSize, o);
  }
  forward(x: Tensor): Tensor {
    this.ready(x);
    return conv3d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}

export class ConvTranspose1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size, o: ConvTransposeOptions = {}) {
    super(1, true, inChannels, outChannels, kernelSize, o);
  }
  forward(x: Tensor): Tensor {
    this.ready(x);
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
    this.ready(x);
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
    this.ready(x);
    return convTranspose3d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding as number[],
      outputPadding: this.outputPadding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}

/** Conv1d whose inChannels come from the first input (or the first state dict loaded). */
export class LazyConv1d extends Conv1d {
  constructor(outChannels: number, kernelSize: Size, o: ConvOptions = {}) {
    super(LAZY, outChannels, kernelSize, o);
  }
}
/** Conv2d whose inChannels come from the first input (or the first state dict loaded). */
export class LazyConv2d extends Conv2d {
  constructor(outChannels: number, kernelSize: Size, o: ConvOptions = {}) {
    super(LAZY, outChannels, kernelSize, o);
  }
}
/** Conv3d whose inChannels come from the first input (or the first state dict loaded). */
export class LazyConv3d extends Conv3d {
  constructor(outChannels: number, kernelSize: Size, o: ConvOptions = {}) {
    super(LAZY, outChannels, kernelSize, o);
  }
}
/** ConvTranspose1d whose inChannels come from the first input (or the first state dict loaded). */
export class LazyConvTranspose1d extends ConvTranspose1d {
  constructor(outChannels: number, kernelSize: Size, o: ConvTransposeOptions = {}) {
    super(LAZY, outChannels, kernelSize, o);
  }
}
/** ConvTranspose2d whose inChannels come from the first input (or the first state dict loaded). */
export class LazyConvTranspose2d extends ConvTranspose2d {
  constructor(outChannels: number, kernelSize: Size, o: ConvTransposeOptions = {}) {
    super(LAZY, outChannels, kernelSize, o);
  }
}
/** ConvTranspose3d whose inChannels come from the first input (or the first state dict loaded). */
export class LazyConvTranspose3d extends ConvTranspose3d {
  constructor(outChannels: number, kernelSize: Size, o: ConvTransposeOptions = {}) {
    super(LAZY, outChannels, kernelSize, o);
  }
}
