// Dropout layers: active in training mode only.

import { argError } from "../core/errors.js";
import type { Tensor } from "../core/index.js";
import { dropout, dropout2d } from "../core/ops/nn.js";
import { Module, pyFloat } from "./module.js";

abstract class DropoutBase extends Module {
  readonly p: number;
  constructor(p = 0.5) {
    super();
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) argError(this.constructor.name, `p must be in [0, 1], got ${String(p)}`);
    this.p = p;
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}
export class Dropout extends DropoutBase {
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }
}
export class Dropout2d extends DropoutBase {
  forward(x: Tensor): Tensor {
    return dropout2d(x, this.p, this.training);
  }
}
