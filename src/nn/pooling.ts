// Pooling layers (max, average, adaptive, power-average) and max-unpooling.

import { argError } from "../core/errors.js";
import type { Tensor } from "../core/index.js";
import {
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveMaxPool2d,
  avgPool1d,
  avgPool2d,
  maxPool1d,
  maxPool2d,
  maxPool2dWithIndices,
} from "../core/ops/nn.js";
import { checkInt } from "../core/validate.js";
import {
  type AvgPool3dOptions,
  adaptiveAvgPool3d,
  adaptiveMaxPool1d,
  adaptiveMaxPool3d,
  avgPool3d,
  type FractionalMaxPoolOptions,
  fractionalMaxPool2d,
  fractionalMaxPool3d,
  type LPPoolOptions,
  lpPool1d,
  lpPool2d,
  type MaxUnpoolOptions,
  maxPool1dWithIndices,
  maxPool3d,
  maxPool3dWithIndices,
  maxUnpool1d,
  maxUnpool2d,
  maxUnpool3d,
} from "./functional-pool.js";
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

/** Max pooling's options: with returnIndices the forward gives `[output, indices]` (PyTorch's plain tuple). */
export interface MaxPoolOptions<R extends boolean = boolean> extends PoolOptions {
  returnIndices?: R;
}
type MaxPoolResult<R extends boolean> = R extends true ? [output: Tensor, indices: Tensor] : Tensor;

abstract class MaxPoolNd<R extends boolean = false> extends Module {
  readonly kernelSize: Size;
  readonly o: PoolOptions;
  readonly returnIndices: R;
  constructor(kernelSize: Size, o: MaxPoolOptions<R> = {}) {
    super();
    checkSizes(this.constructor.name, kernelSize, o);
    this.kernelSize = kernelSize;
    const { returnIndices, ...rest } = o;
    this.returnIndices = (returnIndices ?? false) as R;
    this.o = rest;
  }
  protected pick(
    x: Tensor,
    plain: (x: Tensor, k: Size, o: PoolOptions) => Tensor,
    withIndices: (x: Tensor, k: Size, o: PoolOptions) => [output: Tensor, indices: Tensor],
  ): MaxPoolResult<R> {
    return (this.returnIndices ? withIndices(x, this.kernelSize, this.o) : plain(x, this.kernelSize, this.o)) as MaxPoolResult<R>;
  }
  override extraRepr(): string {
    return `kernel_size=${show(this.kernelSize)}, stride=${show(this.o.stride ?? this.kernelSize)}, padding=${show(this.o.padding ?? 0)}, dilation=${show(this.o.dilation ?? 1)}, ceil_mode=${pyBool(this.o.ceilMode ?? false)}`;
  }
}
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd<R> {
  forward(x: Tensor): MaxPoolResult<R> {
    return this.pick(x, maxPool1d, maxPool1dWithIndices);
  }
}
export class MaxPool2d<R extends boolean = false> extends MaxPoolNd<R> {
  forward(x: Tensor): MaxPoolResult<R> {
    return this.pick(x, maxPool2d, maxPool2dWithIndices);
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
export class MaxPool3d<R extends boolean = false> extends MaxPoolNd<R> {
  forward(x: Tensor): MaxPoolResult<R> {
    return this.pick(x, maxPool3d, maxPool3dWithIndices);
  }
}
export class AvgPool3d extends AvgPoolNd {
  declare readonly o: AvgPool3dOptions;
  constructor(kernelSize: Size, o: AvgPool3dOptions = {}) {
    super(kernelSize, o);
  }
  forward(x: Tensor): Tensor {
    return avgPool3d(x, this.kernelSize, this.o);
  }
}
abstract class AdaptivePoolNd extends Module {
  readonly outputSize: Size;
  constructor(outputSize: Size) {
    super();
    checkSizes(this.constructor.name, outputSize, {});
    this.outputSize = outputSize;
  }
  override extraRepr(): string {
    return `output_size=${show(this.outputSize)}`;
  }
}
export class AdaptiveAvgPool3d extends AdaptivePoolNd {
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool3d(x, this.outputSize);
  }
}
export class AdaptiveMaxPool1d extends AdaptivePoolNd {
  forward(x: Tensor): Tensor {
    return adaptiveMaxPool1d(x, this.outputSize);
  }
}
export class AdaptiveMaxPool3d extends AdaptivePoolNd {
  forward(x: Tensor): Tensor {
    return adaptiveMaxPool3d(x, this.outputSize);
  }
}
abstract class LPPoolNd extends Module {
  readonly normType: number;
  readonly kernelSize: Size;
  readonly o: LPPoolOptions;
  constructor(normType: number, kernelSize: Size, o: LPPoolOptions = {}) {
    super();
    checkSizes(this.constructor.name, kernelSize, o);
    this.normType = normType;
    this.kernelSize = kernelSize;
    this.o = { ...o };
  }
  override extraRepr(): string {
    const s = this.o.stride;
    return `norm_type=${this.normType}, kernel_size=${show(this.kernelSize)}, stride=${s === undefined ? "None" : show(s)}, ceil_mode=${pyBool(this.o.ceilMode ?? false)}`;
  }
}
/** Power-average pooling over windows of the last dim. */
export class LPPool1d extends LPPoolNd {
  forward(x: Tensor): Tensor {
    return lpPool1d(x, this.normType, this.kernelSize, this.o);
  }
}
export class LPPool2d extends LPPoolNd {
  forward(x: Tensor): Tensor {
    return lpPool2d(x, this.normType, this.kernelSize, this.o);
  }
}
abstract class MaxUnpoolNd extends Module {
  protected abstract readonly n: number;
  readonly kernelSize: Size;
  readonly o: Omit<MaxUnpoolOptions, "outputSize">;
  constructor(kernelSize: Size, o: Omit<MaxUnpoolOptions, "outputSize"> = {}) {
    super();
    checkSizes(this.constructor.name, kernelSize, o);
    this.kernelSize = kernelSize;
    this.o = { ...o };
  }
  override extraRepr(): string {
    const t = (v: Size) => show(typeof v === "number" ? new Array<number>(this.n).fill(v) : v);
    return `kernel_size=${t(this.kernelSize)}, stride=${t(this.o.stride ?? this.kernelSize)}, padding=${t(this.o.padding ?? 0)}`;
  }
}
/** The partial inverse of MaxPool1d: values back at their indices, zeros elsewhere. */
export class MaxUnpool1d extends MaxUnpoolNd {
  protected readonly n = 1;
  forward(x: Tensor, indices: Tensor, outputSize?: readonly number[]): Tensor {
    return maxUnpool1d(x, indices, this.kernelSize, { ...this.o, outputSize });
  }
  override extraRepr(): string {
    return super.extraRepr().replace(/\((\d+)\)/g, "($1,)");
  }
}
export class MaxUnpool2d extends MaxUnpoolNd {
  protected readonly n = 2;
  forward(x: Tensor, indices: Tensor, outputSize?: readonly number[]): Tensor {
    return maxUnpool2d(x, indices, this.kernelSize, { ...this.o, outputSize });
  }
}
export class MaxUnpool3d extends MaxUnpoolNd {
  protected readonly n = 3;
  forward(x: Tensor, indices: Tensor, outputSize?: readonly number[]): Tensor {
    return maxUnpool3d(x, indices, this.kernelSize, { ...this.o, outputSize });
  }
}

/** nn.FractionalMaxPool2d/3d: fractional max pooling with the options fixed at construction (fresh random samples per call unless given). */
abstract class FractionalMaxPoolNd extends Module {
  readonly kernelSize: Size;
  readonly o: FractionalMaxPoolOptions;
  constructor(kernelSize: Size, o: FractionalMaxPoolOptions = {}) {
    super();
    checkSizes(this.constructor.name, kernelSize, {});
    if ((o.outputSize == null) === (o.outputRatio == null))
      argError(this.constructor.name, "give exactly one of outputSize and outputRatio");
    this.kernelSize = kernelSize;
    this.o = { ...o };
  }
  override extraRepr(): string {
    return `kernel_size=${show(this.kernelSize)}, output_size=${this.o.outputSize == null ? "None" : show(this.o.outputSize)}, output_ratio=${this.o.outputRatio == null ? "None" : show(this.o.outputRatio)}`;
  }
}
export class FractionalMaxPool2d extends FractionalMaxPoolNd {
  forward(x: Tensor): Tensor | [output: Tensor, indices: Tensor] {
    return fractionalMaxPool2d(x, this.kernelSize, this.o);
  }
}
export class FractionalMaxPool3d extends FractionalMaxPoolNd {
  forward(x: Tensor): Tensor | [output: Tensor, indices: Tensor] {
    return fractionalMaxPool3d(x, this.kernelSize, this.o);
  }
}
