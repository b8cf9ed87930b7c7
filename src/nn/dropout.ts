// Dropout layers: active in training mode only.

import { argError } from "../core/errors.js";
import type { Tensor } from "../core/index.js";
import { dropout, dropout2d } from "../core/ops/nn.js";
import { alphaDropout, dropout1d, dropout3d, featureAlphaDropout } from "./functional-pool.js";
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
/** Zeroes whole channels of [N, C, L] (or [C, L]). */
export class Dropout1d extends DropoutBase {
  forward(x: Tensor): Tensor {
    return dropout1d(x, this.p, this.training);
  }
}
/** Zeroes whole channels of [N, C, D, H, W] (or [C, D, H, W]). */
export class Dropout3d extends DropoutBase {
  forward(x: Tensor): Tensor {
    return dropout3d(x, this.p, this.training);
  }
}
/** Dropout that keeps SELU's self-normalising mean and variance. */
export class AlphaDropout extends DropoutBase {
  forward(x: Tensor): Tensor {
    return alphaDropout(x, this.p, this.training);
  }
}
/** Alpha dropout of whole channels. */
export class FeatureAlphaDropout extends DropoutBase {
  forward(x: Tensor): Tensor {
    return featureAlphaDropout(x, this.p, this.training);
  }
}
