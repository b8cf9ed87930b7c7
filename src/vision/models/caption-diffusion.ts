// Text-to-image as conditional diffusion: the caption encoder turns a caption into token states,
// the text U-Net denoises an image while cross-attending to them, and GaussianDiffusion (cosine
// schedule, v-prediction, DDIM) trains and samples. Training replaces a tenth of the captions by
// the empty one (Ho & Salimans' classifier-free guidance), so sampling can push each step from
// the unconditional prediction towards the caption's by a guidance factor.
import { FlambeauError } from "../../core/errors.js";
import { noGrad, randn, type Tensor } from "../../core/index.js";
import { mseLoss } from "../../core/ops/loss.js";
import { GaussianDiffusion, Module } from "../../nn/index.js";
import { CaptionEncoder, type EncodedCaptions } from "./caption-encoder.js";
import { TextUNet } from "./text-unet.js";

export interface CaptionDiffusionOptions {
  vocabulary: readonly string[];
  /** U-Net width (default 32). */
  width?: number;
  /** Width of the caption's token states (default 64). */
  textDim?: number;
  /** Training timesteps (default 1000). */
  steps?: number;
}

export interface ImageSampleOptions {
  /** DDIM steps (default 25). */
  steps?: number;
  /** Classifier-free guidance on the caption (default 2.5; 1 is none). */
  guidance?: number;
}

export class CaptionDiffusion extends Module {
  readonly text: CaptionEncoder;
  readonly unet: TextUNet;
  readonly diffusion: GaussianDiffusion;
  constructor(o: CaptionDiffusionOptions) {
    super();
    this.diffusion = new GaussianDiffusion({ steps: o.steps ?? 1000 });
    this.text = new CaptionEncoder({ vocabulary: o.vocabulary, dim: o.textDim ?? 64 });
    this.unet = new TextUNet({ contextDim: this.text.options.dim, steps: this.diffusion.steps, width: o.width ?? 32 });
  }

  /** Predicted v for noisy images xt [B, 3, S, S] at timesteps t given encoded captions. */
  forward(xt: Tensor, t: readonly number[], c: EncodedCaptions): Tensor {
    return this.unet.forward(xt, t, c);
  }

  /** The v-prediction loss on images x0 [B, 3, S, S] in [−1, 1]; each caption is dropped with probability `captionDrop` (default 0.1). */
  loss(x0: Tensor, captions: readonly string[], uniform: () => number, o: { captionDrop?: number } = {}): Tensor {
    const b = x0.shape[0]!;
    if (x0.ndim !== 4 || x0.shape[1] !== 3 || captions.length !== b)
      throw new FlambeauError(
        "E_SHAPE",
        `CaptionDiffusion: images must be [B, 3, S, S] with B captions, got ${JSON.stringify(x0.shape)} and ${captions.length}`,
        "loss",
      );
    const drop = o.captionDrop ?? 0.1;
    const kept = captions.map((c) => (uniform() < drop ? null : c));
    const t = this.diffusion.randomSteps(b, uniform);
    const noise = randn(x0.shape);
    const v = this.forward(this.diffusion.qSample(x0, t, noise), t, this.text.forward(kept));
    return mseLoss(v, this.diffusion.velocity(x0, t, noise));
  }

  /** Images [B, 3, size, size] in [−1, 1] for the captions (noise from the global generator: manualSeed). */
  generate(captions: readonly string[], size: number, o: ImageSampleOptions = {}): Tensor {
    if (captions.length === 0) throw new FlambeauError("E_ARG", "CaptionDiffusion: no caption to draw", "generate");
    if (!Number.isSafeInteger(size) || size < 4 || size % 4)
      throw new FlambeauError("E_ARG", `CaptionDiffusion: size must be a positive multiple of 4, got ${size}`, "generate");
    return noGrad(() => {
      const cond = this.text.forward(captions);
      const none = this.text.forward(captions.map(() => null));
      try {
        return this.diffusion.sample(
          (x, t, conditional) => this.forward(x, t, conditional ? cond : none),
          [captions.length, 3, size, size],
          {
            steps: o.steps ?? 25,
            guidance: o.guidance ?? 2.5,
          },
        );
      } finally {
        for (const e of [cond, none]) for (const t of [e.tokens, e.padding, e.pooled]) t.dispose();
      }
    });
  }
}
