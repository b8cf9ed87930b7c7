// How training and test inputs are made from clean photos: a bicubic (antialiased)
// downscale quantised to 8 bits for super-resolution, additive Gaussian noise for denoising.
import { randnLike, type Tensor } from "../core/index.js";
import type { Restoration } from "./models/restoration.js";
import { resize, upsampleBicubic } from "./transforms/resize.js";

const quantize = (x: Tensor): Tensor => x.clamp(0, 1).mul(255).round().div(255);

/** Clean float images [N, 3, H, W] in [0, 1] → the degraded model inputs. */
export function degrade(hr: Tensor, job: Restoration): Tensor {
  if (job.kind === "denoise") return hr.add(randnLike(hr).mul(job.sigma));
  const [h, w] = [hr.shape[2]!, hr.shape[3]!];
  return quantize(resize(hr, [Math.floor(h / job.scale), Math.floor(w / job.scale)], { interpolation: "bicubic", antialias: true }));
}

/** What the model must beat: bicubic upscaling, or the noisy input itself. */
export function baseline(input: Tensor, job: Restoration): Tensor {
  return job.kind === "denoise" ? input.clamp(0, 1) : upsampleBicubic(input, job.scale).clamp(0, 1);
}
