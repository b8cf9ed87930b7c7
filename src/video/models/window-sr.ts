// Sliding-window video super-resolution with early fusion (as in VESPCN's early-fusion
// variant, Caballero et al. 2017, without its motion compensation): the K low-resolution
// frames around frame t are stacked as 3K channels, go through SRResNet-lite's residual body
// and pixel-shuffle upsampler, and the output is added to the bicubic upscale of frame t
// alone. Neighbouring frames carry the sub-pixel detail one frame lacks wherever the camera or
// an object moves. With K = 1 it is exactly the single-image SRResNet: the baseline. With
// `motion`, a small flow network first warps each neighbour onto frame t (VESPCN's motion
// compensation), so that the body fuses aligned frames; its flows start at zero, so the
// motion-compensated model starts as the early-fusion one.
import { FlambeauError } from "../../core/errors.js";
import { cat, type Tensor } from "../../core/index.js";
import { Module } from "../../nn/index.js";
import { SRResNet } from "../../vision/models/srresnet.js";
import { backwardWarp } from "../prediction/warp.js";
import { FlowEstimator } from "./flow-estimator.js";

export interface WindowSROptions {
  /** 2, 3 or 4. */
  scale: number;
  /** Frames in the window, odd (default 3: t − 1, t, t + 1); 1 is the single-image model. */
  window?: number;
  width?: number;
  blocks?: number;
  /** Warp the neighbours onto the middle frame with a learned flow first (default false). */
  motion?: boolean;
}

export class WindowSR extends Module {
  readonly window: number;
  readonly scale: number;
  readonly net: SRResNet;
  readonly flow: FlowEstimator | null;
  constructor(o: WindowSROptions) {
    super();
    const k = o.window ?? 3;
    if (!Number.isSafeInteger(k) || k < 1 || k > 15 || k % 2 === 0)
      throw new FlambeauError("E_ARG", `WindowSR: window must be an odd integer in [1, 15], got ${k}`);
    this.window = k;
    this.scale = o.scale;
    this.net = new SRResNet({ scale: o.scale, width: o.width ?? 32, blocks: o.blocks ?? 4, inChannels: 3 * k, residual: true });
    this.flow = o.motion && k > 1 ? new FlowEstimator(3) : null;
  }

  /** The window with every neighbour warped onto the middle frame ([B, K, 3, h, w]; unchanged without motion). */
  align(x: Tensor): Tensor {
    if (!this.flow) return x;
    const [b, k, c, h, w] = x.shape as [number, number, number, number, number];
    const mid = x.select(1, k >> 1);
    const ref = mid
      .unsqueeze(1)
      .expand([b, k - 1, c, h, w])
      .reshape([b * (k - 1), c, h, w]);
    const others = cat([x.narrow(1, 0, k >> 1), x.narrow(1, (k >> 1) + 1, k >> 1)], 1).reshape([b * (k - 1), c, h, w]);
    const warped = backwardWarp(others, this.flow.forward(ref, others)).reshape([b, k - 1, c, h, w]);
    return cat([warped.narrow(1, 0, k >> 1), mid.unsqueeze(1), warped.narrow(1, k >> 1, k >> 1)], 1);
  }
  /** [B, K, 3, h, w] low-resolution frames in [0, 1] → [B, 3, s·h, s·w], frame K/2 restored. */
  forward(x: Tensor): Tensor {
    return this.restore(x).output;
  }

  /** The restored middle frame and the aligned window it was fused from (for a loss on the alignment). */
  restore(x: Tensor): { output: Tensor; aligned: Tensor } {
    const [b, k, c, h, w] = x.shape as [number, number, number, number, number];
    if (x.ndim !== 5 || k !== this.window || c !== 3)
      throw new FlambeauError(
        "E_SHAPE",
        `WindowSR: input must be [B, ${this.window}, 3, h, w] (a window of ${this.window} frames), got ${JSON.stringify(x.shape)}`,
        "forward",
      );
    const aligned = this.align(x);
    return { output: this.net.forward(aligned.reshape([b, k * 3, h, w]), x.select(1, k >> 1)), aligned };
  }
}
