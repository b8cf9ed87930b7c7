// The image-to-image zoo: model names carry the job (srresnet-x2, espcn-x4,
// srresnet-denoise, unet-denoise) so `--model` alone picks both network and degradation.
import { argError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import { Module } from "../../nn/index.js";
import { ESPCN } from "./espcn.js";
import { SRResNet } from "./srresnet.js";
import { UNet } from "./unet.js";

/** Super-resolution's inputs are an antialiased bicubic downscale, or with `blur` (σ in high-resolution px) a Gaussian blur then point sampling. */
export type Restoration = { kind: "super-resolution"; scale: number; blur?: number } | { kind: "denoise"; sigma: number };

export interface RestorerHyper {
  family: "srresnet" | "espcn" | "unet";
  job: Restoration;
  width: number;
  blocks?: number;
}

export const IMAGE_RESTORERS = [
  "srresnet-x2",
  "srresnet-x3",
  "srresnet-x4",
  "espcn-x2",
  "espcn-x3",
  "espcn-x4",
  "srresnet-denoise",
  "unet-denoise",
] as const;
export type ImageRestorerName = (typeof IMAGE_RESTORERS)[number];

/** Noise level of the denoising job: σ = 25 on the 0–255 scale, the usual benchmark setting. */
export const DENOISE_SIGMA = 25 / 255;

export function restorerHyper(name: string): RestorerHyper {
  if (!(IMAGE_RESTORERS as readonly string[]).includes(name))
    argError("image-to-image", `unknown model "${name}"; models: ${IMAGE_RESTORERS.join(", ")}`);
  const [family, job] = name.split("-") as [RestorerHyper["family"], string];
  const j: Restoration =
    job === "denoise" ? { kind: "denoise", sigma: DENOISE_SIGMA } : { kind: "super-resolution", scale: Number(job.slice(1)) };
  if (family === "espcn") return { family, job: j, width: 64 };
  if (family === "unet") return { family, job: j, width: 24 };
  return { family, job: j, width: 32, blocks: 4 };
}

/** U-Net predicting the noise to subtract (residual learning, as DnCNN). */
export class ResidualUNet extends Module {
  readonly net: UNet;
  constructor(width: number) {
    super();
    this.net = new UNet({ inChannels: 3, outChannels: 3, depth: 2, width, batchNorm: false });
  }
  forward(x: Tensor): Tensor {
    return x.add(this.net.forward(x));
  }
}

export type ImageRestorer = ESPCN | SRResNet | ResidualUNet;

export function buildRestorer(h: RestorerHyper): ImageRestorer {
  const scale = h.job.kind === "super-resolution" ? h.job.scale : 1;
  if (h.family === "espcn") return new ESPCN({ scale, width: h.width, residual: true });
  if (h.family === "unet") return new ResidualUNet(h.width);
  return new SRResNet({ scale, width: h.width, blocks: h.blocks ?? 4, residual: true });
}
