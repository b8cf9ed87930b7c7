// Text-to-video and image-to-video as one conditional diffusion model: the space–time U-Net
// denoises a clip given a prompt's embedding and, when there is one, the first frame (stacked
// onto every frame as 3 channels plus a presence flag). Training drops the image for half the
// clips and the prompt for a tenth (Ho & Salimans' classifier-free guidance), so the same weights
// animate a given picture or invent the whole clip, and sampling can push towards the prompt.
// Text-to-video samples the clip at once ("direct") or factorised as Emu Video does (Girdhar et
// al. 2023): a first frame from the prompt — a sampled clip's, or a one-frame clip's, which the
// loss can train beside the clips (Ho et al. 2022's joint image–video training) — then
// image-to-video from it.
import { FlambeauError } from "../../core/errors.js";
import { cat, noGrad, ones, randn, type Tensor, tensor, zeros } from "../../core/index.js";
import { mseLoss } from "../../core/ops/loss.js";
import { checkEnum } from "../../core/validate.js";
import { GaussianDiffusion, Module } from "../../nn/index.js";
import type { Conditioning } from "../../vision/models/diffusion-res-block.js";
import { PromptEncoder } from "./prompt-encoder.js";
import { VideoUNet } from "./video-unet.js";

export interface ClipDiffusionOptions {
  vocabulary: readonly string[];
  /** U-Net width (default 16). */
  width?: number;
  /** Training timesteps (default 1000). */
  steps?: number;
  /** How the U-Net's blocks take the prompt/timestep embedding: "add" (default) or "film" (scale and shift after GroupNorm). */
  conditioning?: Conditioning;
}

/**
 * How text-to-video makes a clip: "direct" samples the whole clip from noise at once;
 * "factorised" (Emu Video, Girdhar et al. 2023) samples a clip, keeps only its first frame and
 * animates that frame from fresh noise as image-to-video does.
 */
export const TEXT_TO_VIDEO = ["direct", "factorised"] as const;
export type TextToVideo = (typeof TEXT_TO_VIDEO)[number];

export interface GenerateOptions {
  /** DDIM steps (default 25). */
  steps?: number;
  /** Classifier-free guidance on the prompt (default 2). */
  guidance?: number;
  /** Text-to-video (no first frame given): "direct" (default) or "factorised". */
  textToVideo?: TextToVideo;
  /** Factorised text-to-video: the guidance of the first frame's sample (default `guidance`). */
  firstFrameGuidance?: number;
  /**
   * Factorised text-to-video: where the first frame comes from — "clip" (the first frame of a
   * whole sampled clip, default) or "image" (a one-frame clip: the image model that training with
   * `imageBatch` teaches the same weights).
   */
  firstFrame?: FirstFrameSource;
}

export const FIRST_FRAME_SOURCES = ["clip", "image"] as const;
export type FirstFrameSource = (typeof FIRST_FRAME_SOURCES)[number];

export class ClipDiffusion extends Module {
  readonly unet: VideoUNet;
  readonly prompts: PromptEncoder;
  readonly diffusion: GaussianDiffusion;
  constructor(o: ClipDiffusionOptions) {
    super();
    const width = o.width ?? 16;
    this.diffusion = new GaussianDiffusion({ steps: o.steps ?? 1000 });
    this.unet = new VideoUNet({ inChannels: 7, width, steps: this.diffusion.steps, conditioning: o.conditioning });
    this.prompts = new PromptEncoder(o.vocabulary, this.unet.options.embed);
  }

  /**
   * Predicted v for noisy clips xt [B, T, 3, S, S] at timesteps t, given first frames [B, 3, S, S]
   * kept where keep [B] is 1, and prompt embeddings cond [B, E] (zeros: no prompt).
   */
  forward(xt: Tensor, t: readonly number[], first: Tensor, keep: Tensor, cond: Tensor): Tensor {
    const [b, frames, , s, w] = xt.shape as [number, number, number, number, number];
    const k = keep.reshape([b, 1, 1, 1, 1]);
    // The first frame (or zeros) and its flag stacked onto every frame's channels.
    const image = first.unsqueeze(1).mul(k).expand([b, frames, 3, s, w]);
    return this.unet.forward(cat([xt, image, k.expand([b, frames, 1, s, w])], 2), t, cond);
  }

  /**
   * The v-prediction loss on clips x0 [B, T, 3, S, S] in [−1, 1] with their prompts; each clip
   * keeps its first frame with probability 1 − imageDrop and its prompt with 1 − promptDrop.
   * With `firstFrames` k > 0, the mean with the loss of k·B one-frame clips (each clip's first
   * frame, k times with fresh noise and timesteps, no frame given): the image model that
   * factorised text-to-video samples its first frame from (Ho et al. 2022 train video diffusion
   * jointly on images the same way).
   */
  loss(
    x0: Tensor,
    prompts: readonly string[],
    uniform: () => number,
    o: { imageDrop?: number; promptDrop?: number; firstFrames?: number } = {},
  ): Tensor {
    const b = x0.shape[0]!;
    if (x0.ndim !== 5 || x0.shape[2] !== 3 || prompts.length !== b)
      throw new FlambeauError(
        "E_SHAPE",
        `ClipDiffusion: clips must be [B, T, 3, S, S] with B prompts, got ${JSON.stringify(x0.shape)} and ${prompts.length}`,
      );
    const t = this.diffusion.randomSteps(b, uniform);
    const keepImage = tensor(
      Array.from({ length: b }, () => (uniform() < (o.imageDrop ?? 0.5) ? 0 : 1)),
      { shape: [b] },
    );
    const keepPrompt = tensor(
      Array.from({ length: b }, () => (uniform() < (o.promptDrop ?? 0.1) ? 0 : 1)),
      { shape: [b, 1] },
    );
    const noise = randn(x0.shape);
    const xt = this.diffusion.qSample(x0, t, noise);
    const embedded = this.prompts.forward(prompts);
    const cond = embedded.mul(keepPrompt);
    const v = this.forward(xt, t, x0.select(1, 0), keepImage, cond);
    const clipLoss = mseLoss(v, this.diffusion.velocity(x0, t, noise));
    const k = o.firstFrames ?? 0;
    if (k === 0) return clipLoss;
    const images = x0.narrow(1, 0, 1).repeat([k, 1, 1, 1, 1]);
    const n = images.shape[0]!;
    const ti = this.diffusion.randomSteps(n, uniform);
    const keepI = tensor(
      Array.from({ length: n }, () => (uniform() < (o.promptDrop ?? 0.1) ? 0 : 1)),
      { shape: [n, 1] },
    );
    const ni = randn(images.shape);
    const vi = this.forward(
      this.diffusion.qSample(images, ti, ni),
      ti,
      zeros([n, 3, images.shape[3]!, images.shape[4]!]),
      zeros([n]),
      embedded.repeat([k, 1]).mul(keepI),
    );
    return clipLoss.add(mseLoss(vi, this.diffusion.velocity(images, ti, ni))).div(2);
  }

  /**
   * Clips [B, frames, 3, S, S] in [−1, 1] for `prompts`, each starting from `first[b]` (a
   * [B, 3, S, S] tensor in [−1, 1]) or invented whole when `first` is null.
   */
  generate(prompts: readonly string[], first: Tensor | null, shape: { frames: number; size: number }, o: GenerateOptions = {}): Tensor {
    const mode = checkEnum("ClipDiffusion.generate", "textToVideo", o.textToVideo ?? "direct", TEXT_TO_VIDEO);
    const source = checkEnum("ClipDiffusion.generate", "firstFrame", o.firstFrame ?? "clip", FIRST_FRAME_SOURCES);
    if (!first && mode === "factorised") {
      // The first frame of a text-to-video clip (or a one-frame clip), then image-to-video from it with fresh noise.
      const invented = this.generate(prompts, null, source === "image" ? { ...shape, frames: 1 } : shape, {
        ...o,
        textToVideo: "direct",
        guidance: o.firstFrameGuidance ?? o.guidance,
      });
      const frame = invented.select(1, 0).contiguous();
      invented.dispose();
      const clip = this.generate(prompts, frame, shape, o);
      frame.dispose();
      return clip;
    }
    const b = prompts.length;
    const { frames, size } = shape;
    if (first && (first.ndim !== 4 || first.shape[0] !== b || first.shape[1] !== 3 || first.shape[2] !== size || first.shape[3] !== size))
      throw new FlambeauError(
        "E_SHAPE",
        `ClipDiffusion: first frames must be [${b}, 3, ${size}, ${size}], got ${JSON.stringify(first.shape)}`,
        "generate",
      );
    return noGrad(() => {
      const cond = this.prompts.forward(prompts);
      const image = first ?? zeros([b, 3, size, size]);
      const keep = first ? ones([b]) : zeros([b]);
      const none = zeros(cond.shape);
      const out = this.diffusion.sample(
        (x, t, conditional) => this.forward(x, t, image, keep, conditional ? cond : none),
        [b, frames, 3, size, size],
        { steps: o.steps ?? 25, guidance: o.guidance ?? 2 },
      );
      // A given first frame is the clip's first frame, exactly.
      const clip = first ? cat([first.unsqueeze(1), out.narrow(1, 1, frames - 1)], 1) : out;
      if (first) out.dispose();
      for (const t of [cond, none, keep, ...(first ? [] : [image])]) t.dispose();
      return clip;
    });
  }
}
