// A small optical-flow network for aligning frames (VESPCN's motion-compensation module in
// spirit, Caballero et al. 2017, with IFNet's coarse-to-fine shortcut): both frames go through
// strided convolutions to a quarter of their resolution and a few 3×3 blocks; a transposed
// convolution and bilinear upsampling give the full-resolution flow from `ref` to `other`, so
// that backwardWarp(other, flow) lines `other` up with `ref`. The head starts at zero: an
// untrained estimator predicts no motion, and a model using it starts as plain early fusion.
import { argError } from "../../core/errors.js";
import { cat, type Tensor } from "../../core/index.js";
import { interpolate } from "../../nn/functional-spatial.js";
import { ConvTranspose2d, init, Module, Sequential } from "../../nn/index.js";
import { conv } from "../prediction/flow-interpolator.js";

export class FlowEstimator extends Module {
  readonly channels: number;
  readonly encoder: Sequential;
  readonly head: ConvTranspose2d;
  constructor(channels: number, width = 16, blocks = 2) {
    super();
    for (const [k, v] of [
      ["channels", channels],
      ["width", width],
      ["blocks", blocks],
    ] as const)
      if (!Number.isSafeInteger(v) || v < 1) argError("FlowEstimator", `${k} must be a positive integer, got ${v}`);
    this.channels = channels;
    this.encoder = new Sequential(
      conv(2 * channels, width, 2),
      conv(width, 2 * width, 2),
      ...Array.from({ length: blocks }, () => conv(2 * width, 2 * width)),
    );
    this.head = new ConvTranspose2d(2 * width, 2, 4, { stride: 2, padding: 1 });
    init.zeros_(this.head.weight);
    if (this.head.bias) init.zeros_(this.head.bias);
  }
  /** Flow [N, 2, H, W] in pixels from `ref` to `other` (both [N, C, H, W], H and W multiples of 4). */
  forward(ref: Tensor, other: Tensor): Tensor {
    const c = this.channels;
    if (ref.ndim !== 4 || ref.shape[1] !== c || ref.shape.join() !== other.shape.join())
      argError(
        "FlowEstimator",
        `expects two [N, ${c}, H, W] frames of one shape, got [${ref.shape.join(", ")}] and [${other.shape.join(", ")}]`,
      );
    const [h, w] = [ref.shape[2]!, ref.shape[3]!];
    if (h % 4 || w % 4) argError("FlowEstimator", `frame sides must be multiples of 4, got ${h}×${w}`);
    // Flow leaves the net in units of 4 px, the size of a quarter-resolution pixel.
    return interpolate(this.head.forward(this.encoder.forward(cat([ref, other], 1))), {
      size: [h, w],
      mode: "bilinear",
      alignCorners: false,
    }).mul(4);
  }
}
