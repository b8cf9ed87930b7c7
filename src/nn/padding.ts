// Padding layers (PyTorch's nn/modules/padding.py): one private base holding the
// [left, right, top, bottom, front, back] amounts, forward is one call to F.pad.
import { argError } from "../core/errors.js";
import type { Tensor } from "../core/index.js";
import { type PadMode, pad } from "../core/ops/shape.js";
import { checkInt } from "../core/validate.js";
import { Module, pyFloat } from "./module.js";

abstract class PadNd extends Module {
  /** Amounts as F.pad takes them: last dim first, [before, after] per dim. */
  readonly padding: number[];
  protected abstract readonly mode: PadMode;
  readonly value: number;
  constructor(dims: 1 | 2 | 3, padding: number | readonly number[], value = 0) {
    super();
    const op = this.constructor.name;
    const n = 2 * dims;
    if (typeof padding === "number") this.padding = new Array<number>(n).fill(checkInt(op, "padding", padding, -(2 ** 31), 2 ** 31));
    else if (Array.isArray(padding) && padding.length === n)
      this.padding = padding.map((p) => checkInt(op, "padding", p, -(2 ** 31), 2 ** 31));
    else argError(op, `padding must be an integer or ${n} integers, got ${JSON.stringify(padding)}`);
    if (typeof value !== "number") argError(op, `value must be a number, got ${String(value)}`);
    this.value = value;
  }
  forward(x: Tensor): Tensor {
    return pad(x, this.padding, this.mode, this.value);
  }
  override extraRepr(): string {
    return `(${this.padding.join(", ")})`;
  }
}

abstract class ConstantPadNd extends PadNd {
  protected readonly mode = "constant";
  override extraRepr(): string {
    return `padding=(${this.padding.join(", ")}), value=${pyFloat(this.value)}`;
  }
}
/** Pads the last dim with a constant: padding = n or [left, right]. */
export class ConstantPad1d extends ConstantPadNd {
  constructor(padding: number | readonly [number, number], value: number) {
    super(1, padding, value);
  }
}
/** Pads the last 2 dims with a constant: padding = n or [left, right, top, bottom]. */
export class ConstantPad2d extends ConstantPadNd {
  constructor(padding: number | readonly [number, number, number, number], value: number) {
    super(2, padding, value);
  }
}
/** Pads the last 3 dims with a constant: padding = n or [left, right, top, bottom, front, back]. */
export class ConstantPad3d extends ConstantPadNd {
  constructor(padding: number | readonly [number, number, number, number, number, number], value: number) {
    super(3, padding, value);
  }
}
/** Pads the last 2 dims with zeros. */
export class ZeroPad2d extends ConstantPadNd {
  constructor(padding: number | readonly [number, number, number, number]) {
    super(2, padding, 0);
  }
  override extraRepr(): string {
    return `(${this.padding.join(", ")})`;
  }
}

abstract class ReflectionPadNd extends PadNd {
  protected readonly mode = "reflect";
}
/** Pads the last dim with its reflection (the edge value not repeated). */
export class ReflectionPad1d extends ReflectionPadNd {
  constructor(padding: number | readonly [number, number]) {
    super(1, padding);
  }
}
export class ReflectionPad2d extends ReflectionPadNd {
  constructor(padding: number | readonly [number, number, number, number]) {
    super(2, padding);
  }
}
export class ReflectionPad3d extends ReflectionPadNd {
  constructor(padding: number | readonly [number, number, number, number, number, number]) {
    super(3, padding);
  }
}

abstract class ReplicationPadNd extends PadNd {
  protected readonly mode = "replicate";
}
/** Pads the last dim by repeating its edge value. */
export class ReplicationPad1d extends ReplicationPadNd {
  constructor(padding: number | readonly [number, number]) {
    super(1, padding);
  }
}
export class ReplicationPad2d extends ReplicationPadNd {
  constructor(padding: number | readonly [number, number, number, number]) {
    super(2, padding);
  }
}
export class ReplicationPad3d extends ReplicationPadNd {
  constructor(padding: number | readonly [number, number, number, number, number, number]) {
    super(3, padding);
  }
}
