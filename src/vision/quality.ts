// Image-restoration quality metrics as the super-resolution literature computes them:
// PSNR and SSIM (Wang et al. 2004: 11×11 Gaussian window, σ = 1.5, K1 = 0.01, K2 = 0.03)
// on the BT.601 luma (Y of YCbCr, range [16, 235]) with `shave` border pixels dropped, or
// on all RGB channels.
import { argError } from "../core/errors.js";
import { arange, cat, noGrad, type Tensor, tensor, tidy } from "../core/index.js";
import { conv2d } from "../core/ops/nn.js";

/** BT.601 luma in [0, 255] from RGB in [0, 1]: [N, 3, H, W] → [N, 1, H, W]. */
export function rgbToY(x: Tensor): Tensor {
  if (x.shape[x.ndim - 3] === 1) return x.mul(219).add(16);
  const w = tensor([65.481, 128.553, 24.966], { shape: [1, 3, 1, 1] });
  return x
    .mul(w)
    .sum({ dim: [1], keepdim: true })
    .add(16);
}

export interface QualityOptions {
  /** "y": luma in [0, 255] (the usual SR protocol); "rgb": all channels in [0, 255]. */
  space?: "y" | "rgb";
  /** Border pixels to ignore (the usual: the scale factor). */
  shave?: number;
}

function prepare(op: string, a: Tensor, b: Tensor, o: QualityOptions): [Tensor, Tensor] {
  if (a.ndim !== 4 || a.shape.join() !== b.shape.join())
    argError(op, `expects two [N, C, H, W] images of one shape, got [${a.shape.join(", ")}] and [${b.shape.join(", ")}]`);
  const s = o.shave ?? 0;
  const [h, w] = [a.shape[2]!, a.shape[3]!];
  if (2 * s >= h || 2 * s >= w) argError(op, `shave ${s} leaves nothing of a ${h}×${w} image`);
  const crop = (t: Tensor) =>
    t
      .narrow(2, s, h - 2 * s)
      .narrow(3, s, w - 2 * s)
      .clamp(0, 1)
      .double();
  const conv = (t: Tensor) => ((o.space ?? "y") === "y" ? rgbToY(t) : t.mul(255));
  return [conv(crop(a)), conv(crop(b))];
}

/** Peak signal-to-noise ratio in dB per image ([N]), images in [0, 1]. */
export function psnr(a: Tensor, b: Tensor, o: QualityOptions = {}): number[] {
  return noGrad(() =>
    tidy(() => {
      const [x, y] = prepare("psnr", a, b, o);
      const mse = x
        .sub(y)
        .square()
        .mean({ dim: [1, 2, 3] });
      return Array.from(mse.clamp(1e-10, Number.POSITIVE_INFINITY).data() as Float64Array, (m) => 10 * Math.log10((255 * 255) / m));
    }),
  );
}

/** The normalised 11-tap Gaussian (σ 1.5) of Wang et al.'s window, float64 [11]. */
function gaussianTaps(): Tensor {
  const g = arange(11, undefined, 1, { dtype: "float64" })
    .sub(5)
    .square()
    .div(-2 * 1.5 * 1.5)
    .exp();
  return g.div(g.sum());
}

/**
 * The 11×11 Gaussian window's weighted mean of every channel over its valid windows. The
 * window is the outer product of one 11-tap filter with itself, so it runs as a column pass
 * then a row pass: 22 multiplies a pixel instead of 121, and no 121-wide unfolded copy.
 */
function gaussianMean(t: Tensor): Tensor {
  const c = t.shape[1]!;
  const g = gaussianTaps().to(t.dtype);
  const column = g.view([1, 1, 11, 1]).expand([c, 1, 11, 1]).contiguous();
  const row = g.view([1, 1, 1, 11]).expand([c, 1, 1, 11]).contiguous();
  return conv2d(conv2d(t, column, null, { groups: c }), row, null, { groups: c });
}

/**
 * Wang et al.'s SSIM map over the valid 11×11 windows of two [N, C, H, W] images whose values
 * span `dataRange` (255 for 8-bit intensities, 1 for [0, 1]); differentiable, in their dtype.
 */
export function ssimMap(x: Tensor, y: Tensor, dataRange: number): Tensor {
  const c = x.shape[1]!;
  const [c1, c2] = [(0.01 * dataRange) ** 2, (0.03 * dataRange) ** 2];
  // The five local moments in one filtering pass over the channels stacked.
  const m = gaussianMean(cat([x, y, x.mul(x), y.mul(y), x.mul(y)], 1));
  const part = (k: number) => m.narrow(1, k * c, c);
  const [mx, my] = [part(0), part(1)];
  const sxx = part(2).sub(mx.square());
  const syy = part(3).sub(my.square());
  const sxy = part(4).sub(mx.mul(my));
  return mx
    .mul(my)
    .mul(2)
    .add(c1)
    .mul(sxy.mul(2).add(c2))
    .div(mx.square().add(my.square()).add(c1).mul(sxx.add(syy).add(c2)));
}

const checkWindow = (op: string, x: Tensor): void => {
  if (x.shape[2]! < 11 || x.shape[3]! < 11) argError(op, `images must be at least 11×11 after shaving, got ${x.shape[2]}×${x.shape[3]}`);
};

/** Structural similarity per image ([N]), the mean of the SSIM map over valid windows. */
export function ssim(a: Tensor, b: Tensor, o: QualityOptions = {}): number[] {
  return noGrad(() =>
    tidy(() => {
      const [x, y] = prepare("ssim", a, b, o);
      checkWindow("ssim", x);
      return Array.from(
        ssimMap(x, y, 255)
          .mean({ dim: [1, 2, 3] })
          .data() as Float64Array,
      );
    }),
  );
}

/**
 * 1 − SSIM as a training loss (a scalar): images in [0, 1], [N, C, H, W], the mean SSIM over
 * every image and window. Pixel losses reward blur where the target is uncertain; SSIM
 * compares local means, contrasts and structure, so it pays for keeping edges (Zhao et al. 2017).
 */
export function ssimLoss(pred: Tensor, target: Tensor): Tensor {
  if (pred.ndim !== 4 || pred.shape.join() !== target.shape.join())
    argError("ssimLoss", `expects two [N, C, H, W] images of one shape, got [${pred.shape.join(", ")}] and [${target.shape.join(", ")}]`);
  checkWindow("ssimLoss", pred);
  return tidy(() => ssimMap(pred, target, 1).mean().neg().add(1));
}
