// ESPCN (Shi et al. 2016): convolutions at low resolution, then a sub-pixel convolution
// (pixel shuffle) to the high resolution. With `residual` the network predicts the detail
// missing from a bicubic upscale, which trains much faster than predicting the image.
import { argError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import { Conv2d, functional as F, Module, Tanh } from "../../nn/index.js";
import { upsampleBicubic } from "../transforms/resize.js";
import { zeroConv } from "./init.js";

export interface SuperResolutionOptions {
  /** Upscaling factor: 2, 3 or 4. */
  scale: number;
  channels?: number;
  /** Add the network's output to a bicubic upscale of the input. */
  residual?: boolean;
}

export function checkScale(op: string, scale: number): number {
  if (!Number.isInteger(scale) || scale < 1 || scale > 8) argError(op, `scale must be an integer in [1, 8], got ${scale}`);
  return scale;
}

export class ESPCN extends Module {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly conv3: Conv2d;
  readonly act = new Tanh();
  readonly scale: number;
  readonly residual: boolean;
  constructor(o: SuperResolutionOptions & { width?: number }) {
    super();
    this.scale = checkScale("ESPCN", o.scale);
    const c = o.channels ?? 3;
    const w = o.width ?? 64;
    this.residual = o.residual ?? true;
    this.conv1 = new Conv2d(c, w, 5, { padding: 2 });
    this.conv2 = new Conv2d(w, w / 2, 3, { padding: 1 });
    this.conv3 = new Conv2d(w / 2, c * this.scale * this.scale, 3, { padding: 1 });
    // Start as exact bicubic (see SRResNet): the residual branch begins at zero.
    if (this.residual) zeroConv(this.conv3);
  }
  forward(x: Tensor): Tensor {
    const h = this.act.forward(this.conv2.forward(this.act.forward(this.conv1.forward(x))));
    const y = F.pixelShuffle(this.conv3.forward(h), this.scale);
    return this.residual ? y.add(upsampleBicubic(x, this.scale)) : y;
  }
}
