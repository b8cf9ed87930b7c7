// Pooling layers.
import type { Tensor } from "../core/index.js";
import { adaptiveAvgPool1d, adaptiveAvgPool2d, avgPool2d, maxPool1d, maxPool2d } from "../core/ops/nn.js";
import { Module, pyBool } from "./module.js";

type Size = number | readonly number[];
export interface PoolOptions {
  stride?: Size;
  padding?: Size;
  dilation?: Size;
  ceilMode?: boolean;
}
const show = (v: Size): string => (typeof v === "number" ? String(v) : `(${v.join(", ")})`);

abstract class MaxPoolNd extends Module {
  readonly kernelSize: Size;
  readonly o: PoolOptions;
  constructor(kernelSize: Size, o: PoolOptions = {}) {
    super();
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
export class AvgPool2d extends Module {
  readonly kernelSize: Size;
  readonly o: Omit<PoolOptions, "dilation"> & { countIncludePad?: boolean };
  constructor(kernelSize: Size, o: Omit<PoolOptions, "dilation"> & { countIncludePad?: boolean } = {}) {
    super();
    this.kernelSize = kernelSize;
    this.o = { ...o };
  }
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.o);
  }
  override extraRepr(): string {
    return `kernel_size=${show(this.kernelSize)}, stride=${show(this.o.stride ?? this.kernelSize)}, padding=${show(this.o.padding ?? 0)}`;
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
