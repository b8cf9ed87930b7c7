// Background removal and replacement: an alpha matte from a segmentation model's foreground
// probability (1 − P(background)), edges refined with a colour guided filter (He et al. 2010)
// inside an uncertain band around the contour (0/1 regions are kept exactly), an RGBA cut-out,
// compositing over a new background, and the alphamatting.com error measures (SAD, MSE).
// Images are channel-first uint8 RGB [3, H, W]; alphas are float [H, W] in [0, 1].
import { existsSync } from "node:fs";
import sharp from "sharp";
import { argError, FlambeauError } from "../core/errors.js";

/** Trimap values: definite background, unknown, definite foreground. */
export const TRIMAP_BG = 0;
export const TRIMAP_UNKNOWN = 128;
export const TRIMAP_FG = 255;

function checkSize(op: string, what: string, len: number, want: number, shape: string): void {
  if (len !== want) argError(op, `${what} has ${len} values, expected ${want} (${shape})`);
}

/** Alpha = 1 − P(background) from softmax probabilities [K, H, W] (background class `background`, default 0). */
export function alphaFromSegmentation(probs: Float32Array, k: number, h: number, w: number, background = 0): Float32Array {
  if (!Number.isInteger(k) || k < 2) argError("alphaFromSegmentation", `needs at least 2 classes, got ${k}`);
  if (!Number.isInteger(background) || background < 0 || background >= k)
    argError("alphaFromSegmentation", `background class must be in [0, ${k - 1}], got ${background}`);
  checkSize("alphaFromSegmentation", "probs", probs.length, k * h * w, `[${k}, ${h}, ${w}]`);
  const hw = h * w;
  const out = new Float32Array(hw);
  for (let i = 0; i < hw; i++) out[i] = Math.min(1, Math.max(0, 1 - probs[background * hw + i]!));
  return out;
}

/** Sums over the (2r+1)² window around each pixel, clipped at the border, and the window's pixel counts. */
function boxSum(src: Float64Array, h: number, w: number, r: number): Float64Array {
  const tmp = new Float64Array(h * w);
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let s = 0;
    for (let x = 0; x <= Math.min(r, w - 1); x++) s += src[row + x]!;
    for (let x = 0; x < w; x++) {
      tmp[row + x] = s;
      if (x + r + 1 < w) s += src[row + x + r + 1]!;
      if (x - r >= 0) s -= src[row + x - r]!;
    }
  }
  for (let x = 0; x < w; x++) {
    let s = 0;
    for (let y = 0; y <= Math.min(r, h - 1); y++) s += tmp[y * w + x]!;
    for (let y = 0; y < h; y++) {
      out[y * w + x] = s;
      if (y + r + 1 < h) s += tmp[(y + r + 1) * w + x]!;
      if (y - r >= 0) s -= tmp[(y - r) * w + x]!;
    }
  }
  return out;
}

function boxMean(src: Float64Array, counts: Float64Array, h: number, w: number, r: number): Float64Array {
  const s = boxSum(src, h, w, r);
  for (let i = 0; i < s.length; i++) s[i]! /= counts[i]!;
  return s;
}

/**
 * Colour guided filter (He, Sun, Tang 2010): edge-preserving smoothing of `p` [H, W] guided by
 * the RGB image `guide` [3, H, W] (uint8), window radius `radius`, regulariser `eps` (on [0, 1] colours).
 */
export function guidedFilter(guide: Uint8Array, p: Float32Array, h: number, w: number, radius: number, eps: number): Float32Array {
  const hw = h * w;
  checkSize("guidedFilter", "guide", guide.length, 3 * hw, `[3, ${h}, ${w}]`);
  checkSize("guidedFilter", "input", p.length, hw, `[${h}, ${w}]`);
  if (!Number.isInteger(radius) || radius < 1) argError("guidedFilter", `radius must be a positive integer, got ${radius}`);
  if (!(eps > 0)) argError("guidedFilter", `eps must be > 0, got ${eps}`);
  const counts = boxSum(new Float64Array(hw).fill(1), h, w, radius);
  const I = [0, 1, 2].map((c) => Float64Array.from(guide.subarray(c * hw, (c + 1) * hw), (v) => v / 255));
  const P = Float64Array.from(p);
  const mean = (a: Float64Array) => boxMean(a, counts, h, w, radius);
  const mul = (a: Float64Array, b: Float64Array) => a.map((v, i) => v * b[i]!);
  const mI = I.map(mean);
  const mP = mean(P);
  const covIp = I.map((Ic, c) => mean(mul(Ic, P)).map((v, i) => v - mI[c]![i]! * mP[i]!));
  const pairs: [number, number][] = [
    [0, 0],
    [0, 1],
    [0, 2],
    [1, 1],
    [1, 2],
    [2, 2],
  ];
  const varI = pairs.map(([a, b]) => mean(mul(I[a]!, I[b]!)).map((v, i) => v - mI[a]![i]! * mI[b]![i]!));
  const A = [new Float64Array(hw), new Float64Array(hw), new Float64Array(hw)];
  const B = new Float64Array(hw);
  for (let i = 0; i < hw; i++) {
    const rr = varI[0]![i]! + eps;
    const rg = varI[1]![i]!;
    const rb = varI[2]![i]!;
    const gg = varI[3]![i]! + eps;
    const gb = varI[4]![i]!;
    const bb = varI[5]![i]! + eps;
    // Inverse of the symmetric 3 × 3 covariance (cofactors / determinant).
    const c00 = gg * bb - gb * gb;
    const c01 = gb * rb - rg * bb;
    const c02 = rg * gb - gg * rb;
    const c11 = rr * bb - rb * rb;
    const c12 = rb * rg - rr * gb;
    const c22 = rr * gg - rg * rg;
    const det = rr * c00 + rg * c01 + rb * c02;
    const [x0, x1, x2] = [covIp[0]![i]!, covIp[1]![i]!, covIp[2]![i]!];
    const a0 = (c00 * x0 + c01 * x1 + c02 * x2) / det;
    const a1 = (c01 * x0 + c11 * x1 + c12 * x2) / det;
    const a2 = (c02 * x0 + c12 * x1 + c22 * x2) / det;
    A[0]![i] = a0;
    A[1]![i] = a1;
    A[2]![i] = a2;
    B[i] = mP[i]! - a0 * mI[0]![i]! - a1 * mI[1]![i]! - a2 * mI[2]![i]!;
  }
  const mA = A.map(mean);
  const mB = mean(B);
  const out = new Float32Array(hw);
  for (let i = 0; i < hw; i++) out[i] = mA[0]![i]! * I[0]![i]! + mA[1]![i]! * I[1]![i]! + mA[2]![i]! * I[2]![i]! + mB[i]!;
  return out;
}

/**
 * A trimap from a soft alpha: pixels whose whole (2·band+1)² window is on one side of 0.5 are
 * definite foreground/background (TRIMAP_FG/TRIMAP_BG), the band around the contour is TRIMAP_UNKNOWN.
 */
export function trimapFromAlpha(alpha: Float32Array, h: number, w: number, band: number): Uint8Array {
  checkSize("trimapFromAlpha", "alpha", alpha.length, h * w, `[${h}, ${w}]`);
  if (!Number.isInteger(band) || band < 0) argError("trimapFromAlpha", `band must be a non-negative integer, got ${band}`);
  const hw = h * w;
  const fg = Float64Array.from(alpha, (a) => (a >= 0.5 ? 1 : 0));
  const s = band > 0 ? boxSum(fg, h, w, band) : fg;
  const n = band > 0 ? boxSum(new Float64Array(hw).fill(1), h, w, band) : new Float64Array(hw).fill(1);
  const out = new Uint8Array(hw);
  for (let i = 0; i < hw; i++) out[i] = s[i] === n[i] ? TRIMAP_FG : s[i] === 0 ? TRIMAP_BG : TRIMAP_UNKNOWN;
  return out;
}

/** Reads a trimap image's gray values as 0 / 128 / 255 (≤ 25 background, ≥ 230 foreground, else unknown: anti-aliased edges count as unknown). */
export function quantiseTrimap(gray: Uint8Array): Uint8Array {
  return gray.map((v) => (v <= 25 ? TRIMAP_BG : v >= 230 ? TRIMAP_FG : TRIMAP_UNKNOWN));
}

/**
 * Alpha in a trimap's unknown region from local colour samples: the mean colours F̄ and B̄ of the
 * definite foreground and background within `radius` (growing ×2 until both are found), then
 * α = clamp((I − B̄)·(F̄ − B̄) / |F̄ − B̄|²). Known pixels get 0 / 1.
 */
export function alphaFromColorSamples(image: Uint8Array, trimap: Uint8Array, h: number, w: number, radius: number): Float32Array {
  const hw = h * w;
  checkSize("alphaFromColorSamples", "image", image.length, 3 * hw, `[3, ${h}, ${w}]`);
  checkSize("alphaFromColorSamples", "trimap", trimap.length, hw, `[${h}, ${w}]`);
  const out = new Float32Array(hw);
  const todo: number[] = [];
  for (let i = 0; i < hw; i++) {
    if (trimap[i] === TRIMAP_FG) out[i] = 1;
    else if (trimap[i] !== TRIMAP_BG) todo.push(i);
  }
  let pending = todo;
  const isF = Float64Array.from(trimap, (t) => (t === TRIMAP_FG ? 1 : 0));
  const isB = Float64Array.from(trimap, (t) => (t === TRIMAP_BG ? 1 : 0));
  for (let r = Math.max(1, radius); pending.length > 0; r *= 2) {
    const last = r >= Math.max(h, w);
    const nF = boxSum(isF, h, w, r);
    const nB = boxSum(isB, h, w, r);
    const sF = [0, 1, 2].map((c) =>
      boxSum(
        Float64Array.from(image.subarray(c * hw, (c + 1) * hw), (v, i) => v * isF[i]!),
        h,
        w,
        r,
      ),
    );
    const sB = [0, 1, 2].map((c) =>
      boxSum(
        Float64Array.from(image.subarray(c * hw, (c + 1) * hw), (v, i) => v * isB[i]!),
        h,
        w,
        r,
      ),
    );
    const next: number[] = [];
    for (const i of pending) {
      if ((nF[i]! === 0 || nB[i]! === 0) && !last) {
        next.push(i);
        continue;
      }
      if (nF[i]! === 0 || nB[i]! === 0) {
        out[i] = nF[i]! > 0 ? 1 : nB[i]! > 0 ? 0 : 0.5;
        continue;
      }
      let num = 0;
      let den = 0;
      for (let c = 0; c < 3; c++) {
        const f = sF[c]![i]! / nF[i]!;
        const b = sB[c]![i]! / nB[i]!;
        num += (image[c * hw + i]! - b) * (f - b);
        den += (f - b) * (f - b);
      }
      out[i] = den > 1e-6 ? Math.min(1, Math.max(0, num / den)) : 0.5;
    }
    pending = next;
  }
  return out;
}

export interface RefineOptions {
  /** Trimap (0 / 128 / 255); default: derived from `alpha` with `band`. */
  trimap?: Uint8Array;
  /** Half-width of the uncertain band around the 0.5 contour, px (default max(2, round(min(H, W) / 64))). */
  band?: number;
  /** Guided filter radius (default 2·band) and regulariser (default 1e-3). */
  radius?: number;
  eps?: number;
  /**
   * Weight of the local colour-sample estimate in the unknown band, against the given alpha
   * (default 0.5; 1 when the given alpha carries no information there, as a bare trimap's 0.5).
   */
  colorWeight?: number;
}

/**
 * Refines a soft alpha [H, W] with the image's edges: inside the trimap's unknown band the alpha
 * is re-estimated from colour samples, blended with the given one and smoothed by a colour guided
 * filter; definite regions stay exactly 0 or 1.
 */
export function refineAlpha(alpha: Float32Array, image: Uint8Array, h: number, w: number, o: RefineOptions = {}): Float32Array {
  const hw = h * w;
  checkSize("refineAlpha", "alpha", alpha.length, hw, `[${h}, ${w}]`);
  checkSize("refineAlpha", "image", image.length, 3 * hw, `[3, ${h}, ${w}]`);
  const band = o.band ?? Math.max(2, Math.round(Math.min(h, w) / 64));
  const trimap = o.trimap ?? trimapFromAlpha(alpha, h, w, band);
  checkSize("refineAlpha", "trimap", trimap.length, hw, `[${h}, ${w}]`);
  const radius = o.radius ?? Math.max(1, 2 * band);
  const cw = o.colorWeight ?? 0.5;
  if (!(cw >= 0 && cw <= 1)) argError("refineAlpha", `colorWeight must be in [0, 1], got ${cw}`);
  let start = alpha;
  if (cw > 0) {
    const col = alphaFromColorSamples(image, trimap, h, w, Math.max(4, 2 * radius));
    start = col.map((c, i) => (trimap[i] === TRIMAP_UNKNOWN ? cw * c + (1 - cw) * Math.min(1, Math.max(0, alpha[i]!)) : c));
  }
  const q = guidedFilter(image, start, h, w, radius, o.eps ?? 1e-3);
  const out = new Float32Array(hw);
  for (let i = 0; i < hw; i++) out[i] = trimap[i] === TRIMAP_FG ? 1 : trimap[i] === TRIMAP_BG ? 0 : Math.min(1, Math.max(0, q[i]!));
  return out;
}

/** α·foreground + (1 − α)·background per pixel, rounded to uint8 [3, H, W]. */
export function composite(foreground: Uint8Array, alpha: Float32Array, background: Uint8Array, h: number, w: number): Uint8Array {
  const hw = h * w;
  checkSize("composite", "foreground", foreground.length, 3 * hw, `[3, ${h}, ${w}]`);
  checkSize("composite", "background", background.length, 3 * hw, `[3, ${h}, ${w}]`);
  checkSize("composite", "alpha", alpha.length, hw, `[${h}, ${w}]`);
  const out = new Uint8Array(3 * hw);
  for (let c = 0; c < 3; c++)
    for (let i = 0; i < hw; i++) {
      const a = Math.min(1, Math.max(0, alpha[i]!));
      out[c * hw + i] = Math.round(a * foreground[c * hw + i]! + (1 - a) * background[c * hw + i]!);
    }
  return out;
}

/** alphamatting.com's errors: SAD = Σ|α − α*| / 1000 and MSE = mean (α − α*)², over the pixels where `region` is nonzero (default all). */
export function alphaErrors(alpha: Float32Array, truth: Float32Array, region?: Uint8Array): { sad: number; mse: number; pixels: number } {
  checkSize("alphaErrors", "truth", truth.length, alpha.length, "the alpha's size");
  if (region) checkSize("alphaErrors", "region", region.length, alpha.length, "the alpha's size");
  let sad = 0;
  let se = 0;
  let n = 0;
  for (let i = 0; i < alpha.length; i++) {
    if (region && !region[i]) continue;
    const d = alpha[i]! - truth[i]!;
    sad += Math.abs(d);
    se += d * d;
    n++;
  }
  return { sad: sad / 1000, mse: n ? se / n : 0, pixels: n };
}

/** PNG bytes of an RGBA cut-out: the image's colours with alpha = round(255·α). */
export async function encodeCutout(image: Uint8Array, alpha: Float32Array, h: number, w: number): Promise<Buffer> {
  const hw = h * w;
  checkSize("encodeCutout", "image", image.length, 3 * hw, `[3, ${h}, ${w}]`);
  checkSize("encodeCutout", "alpha", alpha.length, hw, `[${h}, ${w}]`);
  const rgba = new Uint8Array(4 * hw);
  for (let i = 0; i < hw; i++) {
    for (let c = 0; c < 3; c++) rgba[4 * i + c] = image[c * hw + i]!;
    rgba[4 * i + 3] = Math.round(255 * Math.min(1, Math.max(0, alpha[i]!)));
  }
  return sharp(rgba, { raw: { width: w, height: h, channels: 4 } })
    .png()
    .toBuffer();
}

/** A background image resized to cover H × W (aspect kept, centre-cropped), as uint8 RGB [3, H, W]. */
export async function readBackground(file: string, h: number, w: number): Promise<Uint8Array> {
  if (!existsSync(file)) throw new FlambeauError("E_IO", `background: no such file ${file}`, "background");
  try {
    const { data } = await sharp(file, { failOn: "error" })
      .removeAlpha()
      .resize(w, h, { fit: "cover" })
      .toColourspace("srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
    const hw = h * w;
    const c = data.length / hw;
    const out = new Uint8Array(3 * hw);
    for (let i = 0; i < hw; i++) for (let k = 0; k < 3; k++) out[k * hw + i] = data[i * c + Math.min(k, c - 1)]!;
    return out;
  } catch (e) {
    throw new FlambeauError("E_FORMAT", `background: cannot decode ${file}: ${(e as Error).message}`, "background");
  }
}
