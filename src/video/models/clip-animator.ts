// Image-to-video by motion: the space–time U-Net reads the first frame on every frame slot and
// the prompt's embedding, and predicts for each later frame a backward flow, a visibility mask
// and colours; the frame is the first frame warped by the flow where the mask says it is
// visible, the predicted colours elsewhere (what was hidden, or appears). Moving, turning and
// growing are warps, which a network learns far sooner than to redraw the object pixel by
// pixel (the diffusion model's task). It is trained by L1 against the real frames, so it gives
// the average motion a prompt and a picture call for: one clip, not a distribution of them.
import { FlambeauError } from "../../core/errors.js";
import { cat, type Tensor } from "../../core/index.js";
import { Module } from "../../nn/index.js";
import { backwardWarp } from "../prediction/warp.js";
import { PromptEncoder } from "./prompt-encoder.js";
import { VideoUNet } from "./video-unet.js";

/** The mask logit's offset: at initialisation every pixel shows the warped first frame (sigmoid(4) ≈ 0.98). */
const VISIBLE_BIAS = 4;
/** Flows leave the network in units of this many px. */
const FLOW_UNIT = 4;

export class ClipAnimator extends Module {
  readonly unet: VideoUNet;
  readonly prompts: PromptEncoder;
  constructor(o: { vocabulary: readonly string[]; width?: number }) {
    super();
    // One "timestep": the U-Net's diffusion-time embedding is unused here.
    this.unet = new VideoUNet({ inChannels: 3, outChannels: 6, width: o.width ?? 16, steps: 2 });
    this.prompts = new PromptEncoder(o.vocabulary, this.unet.options.embed);
  }

  /** Clips [B, frames, 3, S, S] in [−1, 1] starting from `first` [B, 3, S, S] in [−1, 1], for `prompts`. */
  forward(first: Tensor, prompts: readonly string[], frames: number): Tensor {
    const b = prompts.length;
    if (first.ndim !== 4 || first.shape[0] !== b || first.shape[1] !== 3)
      throw new FlambeauError(
        "E_SHAPE",
        `ClipAnimator: first frames must be [${b}, 3, S, S], got ${JSON.stringify(first.shape)}`,
        "forward",
      );
    const [s, w] = [first.shape[2]!, first.shape[3]!];
    const later = frames - 1;
    const x = first.unsqueeze(1).expand([b, later, 3, s, w]);
    const out = this.unet.forward(x, new Array<number>(b).fill(0), this.prompts.forward(prompts)).reshape([b * later, 6, s, w]);
    const flow = out.narrow(1, 0, 2).mul(FLOW_UNIT);
    const visible = out.narrow(1, 2, 1).add(VISIBLE_BIAS).sigmoid();
    const colours = out.narrow(1, 3, 3).tanh();
    const source = first
      .unsqueeze(1)
      .expand([b, later, 3, s, w])
      .reshape([b * later, 3, s, w]);
    const made = backwardWarp(source, flow)
      .mul(visible)
      .add(colours.mul(visible.neg().add(1)));
    return cat([first.unsqueeze(1), made.reshape([b, later, 3, s, w])], 1);
  }

  /** L1 between the animated clip and the real one, x0 [B, T, 3, S, S] in [−1, 1]. */
  loss(x0: Tensor, prompts: readonly string[]): Tensor {
    const t = x0.shape[1]!;
    return this.forward(x0.select(1, 0), prompts, t)
      .narrow(1, 1, t - 1)
      .sub(x0.narrow(1, 1, t - 1))
      .abs()
      .mean();
  }
}
