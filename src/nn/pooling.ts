// Pooling layers.
import type { Tensor } from "../core/index.js";
import { adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveMaxPool2d, avgPool1d, avgPool2d, maxPool1d, maxPool2d } from "../core/ops/nn.js";
import { checkInt } from "../core/validate.js";
import { Module, pyBool } from "./module.js";

type Size = number | readonly number[];
export interface PoolOptions {
  stride?: Size;
  padding?: Size;
  dilation?: Size;
  ceilMode?: boolean;
}
/** Checks sizes when the layer is built, so a bad option fails at construction, not at the first batch. */
function checkSizes(op: string, kernelSize: Size, o: PoolOptions): void {
  const each = (name: string, v: Size | undefined, min: number) => {
    if (v === undefined) return;
    for (const x of typeof v === "number" ? [v] : v) checkInt(op, name, x, min, 2 ** 31 - 1);
  };
  each("kernelSize", kernelSize, 1);
  each("stride", o.stride, 1);
  each("padding", o.padding, 0);
  each("dilation", o.dilation, 1);
}
const show = (v: Size): string => (typeof v === "number" ? String(v) : `(${v.join(", ")})`);

abstract class MaxPoolNd extends Module {
  readonly kernelSize: Size;
  readonly o: PoolOptions;
  constructor(kernelSize: Size, o: PoolOptions = {}) {
    super();
    checkSizes(this.constructor.name, kernelSize, o);
    this.kernelSize = kernelSize;
    this.o = { ...o };
  }
  override extraRepr(): string {
    return `kernel_size=${show(this.kernelSize)}, stride=${show(this.o.stride ?? this.kernelSize)}, padding=${show(this.o.padding ?? 0)}, dilation=${show(this.o.dilation ?? 1)}, ceil_mode=${pyBool(this.o.ceilMode ?? false)}`;
  }
}
export class MaxPool1d extends MaxPoolNd {
  forward(x: Tensor): Tensor {
    return maxPool1d(x, this.kernelSize, this.o);
  }
}
export class MaxPool2d extends MaxPoolNd {
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.o);
  }
}
export type AvgPoolOptions = Omit<PoolOptions, "dilation"> & { countIncludePad?: boolean };
abstract class AvgPoolNd extends Module {
  readonly kernelSize: Size;
  readonly o: AvgPoolOptions;
  constructor(kernelSize: Size, o: AvgPoolOptions = {}) {
    super();
    checkSizes(this.constructor.name, kernelSize, o);
    this.kernelSize = kernelSize;
    this.o = { ...o };
  }
  override extraRepr(): string {
    return `kernel_size=${show(this.kernelSize)}, stride=${show(this.o.stride ?? this.kernelSize)}, padding=${show(this.o.padding ?? 0)}`;
  }
}
export class AvgPool1d extends AvgPoolNd {
  forward(x: Tensor): Tensor {
    return avgPool1d(x, this.kernelSize, this.o);
  }
  // PyTorch stores AvgPool1d's sizes as 1-tuples, so they print as (k,).
  override extraRepr(): string {
    const one = (v: Size) => (typeof v === "number" ? `(${v},)` : show(v));
    return `kernel_size=${one(this.kernelSize)}, stride=${one(this.o.stride ?? this.kernelSize)}, padding=${one(this.o.padding ?? 0)}`;
  }
}
export class AvgPool2d extends AvgPoolNd {
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.o);
  }
}
export class AdaptiveAvgPool1d extends Module {
  readonly outputSize: Size;
  constructor(outputSize: Size) {
    super();
    this.outputSize = outputSize;
  }
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool1d(x, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${show(this.outputSize)}`;
  }
}
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: Size;
  constructor(outputSize: Size) {
    super();
    this.outputSize = outputSize;
  }
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${show(this.outputSize)}`;
  }
}
export class AdaptiveMaxPool2d extends Module {
  readonly outputSize: Size;
  constructor(outputSize: Size) {
    super();
    this.outputSize = outputSize;
  }
  forward(x: Tensor): Tensor {
    return adaptiveMaxPool2d(x, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${show(this.outputSize)}`;
  }
}
