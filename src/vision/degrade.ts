// How training and test inputs are made from clean photos: a bicubic (antialiased)
// downscale quantised to 8 bits for super-resolution, additive Gaussian noise for denoising.
import { arange, randnLike, type Tensor } from "../core/index.js";
import { conv2d } from "../core/ops/nn.js";
import { pad } from "../core/ops/shape.js";
import type { Restoration } from "./models/restoration.js";
import { resize, upsampleBicubic } from "./transforms/resize.js";

const quantize = (x: Tensor): Tensor => x.clamp(0, 1).mul(255).round().div(255);

/**
 * Gaussian blur of width `sigma` then point sampling of every `scale`-th pixel: the video
 * super-resolution literature's "BD" degradation (Gaussian σ = 1.6 at ×4 in DUF, TDAN and
 * BasicVSR). Unlike an antialiased resize it keeps the aliasing that several sub-pixel-shifted
 * frames can undo. Each low-resolution pixel is the blurred value at its own centre, s·i +
 * (s − 1)/2, where bicubic upscaling puts it, so the baseline is not offset: for even s the
 * Gaussian is sampled at half-integer taps and run as one strided separable convolution over a
 * reflect-padded image.
 */
function blurDownsample(hr: Tensor, scale: number, sigma: number): Tensor {
  const c = hr.shape[1]!;
  const reach = Math.ceil(3 * sigma) + (scale % 2 === 0 ? 0.5 : 0);
  const g = arange(2 * reach + 1, undefined, 1, { dtype: "float32" })
    .sub(reach)
    .square()
    .div(-2 * sigma * sigma)
    .exp();
  const taps = g.div(g.sum());
  const p = reach - (scale - 1) / 2;
  const n = taps.shape[0]!;
  const column = taps.view([1, 1, n, 1]).expand([c, 1, n, 1]).contiguous();
  const row = taps.view([1, 1, 1, n]).expand([c, 1, 1, n]).contiguous();
  const padded = pad(hr, [p, p, p, p], "reflect");
  return conv2d(conv2d(padded, column, null, { stride: [scale, 1], groups: c }), row, null, { stride: [1, scale], groups: c });
}

/** Clean float images [N, 3, H, W] in [0, 1] → the degraded model inputs. */
export function degrade(hr: Tensor, job: Restoration): Tensor {
  if (job.kind === "denoise") return hr.add(randnLike(hr).mul(job.sigma));
  if (job.blur) return quantize(blurDownsample(hr, job.scale, job.blur));
  const [h, w] = [hr.shape[2]!, hr.shape[3]!];
  return quantize(resize(hr, [Math.floor(h / job.scale), Math.floor(w / job.scale)], { interpolation: "bicubic", antialias: true }));
}

/** What the model must beat: bicubic upscaling, or the noisy input itself. */
export function baseline(input: Tensor, job: Restoration): Tensor {
  return job.kind === "denoise" ? input.clamp(0, 1) : upsampleBicubic(input, job.scale).clamp(0, 1);
}
