// A small IFNet-style middle-frame synthesiser (Huang et al. 2022; Super-SloMo's blend,
// Jiang et al. 2018): a conv net reads both frames at a quarter of their resolution and
// predicts the flows from the middle frame back to each input and a blending mask; the
// frame is the mask-weighted blend of the two inputs warped backwards by their flows.
// Predicting flow rather than pixels keeps edges sharp where a blend would ghost.
import { argError } from "../../core/errors.js";
import { cat, type Tensor } from "../../core/index.js";
import { interpolate } from "../../nn/functional-spatial.js";
import { Conv2d, ConvTranspose2d, Module, PReLU, Sequential } from "../../nn/index.js";
import { backwardWarp } from "./warp.js";

export interface FlowInterpolatorHyper {
  /** Channels of a frame. */
  channels: number;
  /** Channels of the first stage (the second has twice as many). */
  width: number;
  /** 3×3 conv blocks at a quarter resolution. */
  blocks: number;
}

export interface Interpolated {
  frame: Tensor;
  /** Flow from the middle frame to frame 0 and to frame 1 [N, 2, H, W], in pixels. */
  flow0: Tensor;
  flow1: Tensor;
  /** Weight of warped frame 0 in the blend, [N, 1, H, W] in (0, 1). */
  mask: Tensor;
}

/** 3×3 conv + PReLU, the block of the small flow networks. */
export const conv = (i: number, o: number, stride = 1) =>
  new Sequential(new Conv2d(i, o, 3, { stride, padding: 1 }), new PReLU({ numParameters: o }));

export class FlowInterpolator extends Module {
  readonly hyper: FlowInterpolatorHyper;
  readonly encoder: Sequential;
  readonly head: ConvTranspose2d;

  constructor(h: FlowInterpolatorHyper) {
    super();
    for (const k of ["channels", "width", "blocks"] as const)
      if (!Number.isSafeInteger(h[k]) || h[k] < 1) argError("FlowInterpolator", `${k} must be a positive integer, got ${h[k]}`);
    this.hyper = h;
    const w = h.width;
    const body = Array.from({ length: h.blocks }, () => conv(2 * w, 2 * w));
    this.encoder = new Sequential(conv(2 * h.channels, w, 2), conv(w, 2 * w, 2), ...body);
    // Back to half resolution; bilinear upsampling gives the full-resolution flow field.
    this.head = new ConvTranspose2d(2 * w, 5, 4, { stride: 2, padding: 1 });
  }

  /** The middle frame between `f0` and `f1` ([N, C, H, W], H and W multiples of 4). */
  forward(f0: Tensor, f1: Tensor): Tensor {
    return this.interpolate(f0, f1).frame;
  }

  interpolate(f0: Tensor, f1: Tensor): Interpolated {
    const c = this.hyper.channels;
    if (f0.ndim !== 4 || f0.shape[1] !== c || f0.shape.join() !== f1.shape.join())
      argError(
        "FlowInterpolator",
        `expects two [N, ${c}, H, W] frames of one shape, got [${f0.shape.join(", ")}] and [${f1.shape.join(", ")}]`,
      );
    const [h, w] = [f0.shape[2]!, f0.shape[3]!];
    if (h % 4 !== 0 || w % 4 !== 0) argError("FlowInterpolator", `frame sides must be multiples of 4, got ${h}×${w}`);
    const out = interpolate(this.head.forward(this.encoder.forward(cat([f0, f1], 1))), {
      size: [h, w],
      mode: "bilinear",
      alignCorners: false,
    });
    // Flows leave the net in units of 4 px: the scale of a quarter-resolution pixel.
    const flow0 = out.narrow(1, 0, 2).mul(4);
    const flow1 = out.narrow(1, 2, 2).mul(4);
    const mask = out.narrow(1, 4, 1).sigmoid();
    const frame = backwardWarp(f0, flow0)
      .mul(mask)
      .add(backwardWarp(f1, flow1).mul(mask.neg().add(1)));
    return { frame, flow0, flow1, mask };
  }
}
