// Mel-cepstral distortion with dynamic time warping, as TTS papers report it (Kubichek 1993):
// MCD = (10 / ln 10) · √(2 · Σ_d (c_d − ĉ_d)²) in dB, averaged over the DTW path between the
// two utterances' mel-cepstra, c0 (energy) left out. The cepstra are the cosine-series
// coefficients of the natural-log mel amplitude, ln|X_m| ≈ c0 + 2 Σ_d c_d cos(π d (m + ½) / M),
// i.e. c_d = (1/M) Σ_m ln|X_m| cos(π d (m + ½) / M) — the normalisation of SPTK's mel-cepstrum,
// under which the constant turns the cepstral distance into a log-spectral distance.
import { FlambeauError } from "../../core/errors.js";

const OP = "melCepstralDistortion";
export const MCD_CONSTANT = (10 * Math.SQRT2) / Math.LN10;

/** Mel-cepstra c1..cD [frames × D] of a dB mel spectrogram [nMels × frames] (row-major). */
export function melCepstra(melDb: Float32Array, nMels: number, frames: number, order = 13): Float64Array {
  if (melDb.length !== nMels * frames)
    throw new FlambeauError("E_SHAPE", `melCepstra: expected ${nMels}×${frames} values, got ${melDb.length}`, "melCepstra");
  if (!Number.isInteger(order) || order < 1 || order >= nMels)
    throw new FlambeauError("E_ARG", `melCepstra: order must be in [1, ${nMels - 1}], got ${order}`, "melCepstra");
  // dB of power → natural log of amplitude: ln|X| = dB · ln10 / 20.
  const k = Math.LN10 / 20;
  const out = new Float64Array(frames * order);
  for (let t = 0; t < frames; t++)
    for (let d = 1; d <= order; d++) {
      let s = 0;
      for (let m = 0; m < nMels; m++) s += melDb[m * frames + t]! * k * Math.cos((Math.PI / nMels) * (m + 0.5) * d);
      out[t * order + d - 1] = s / nMels;
    }
  return out;
}

/** Euclidean distances between frames of a [ta × dim] and b [tb × dim]. */
function frameDistance(a: Float64Array, ta: number, b: Float64Array, tb: number, dim: number): Float64Array {
  const d = new Float64Array(ta * tb);
  for (let i = 0; i < ta; i++)
    for (let j = 0; j < tb; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) {
        const v = a[i * dim + k]! - b[j * dim + k]!;
        s += v * v;
      }
      d[i * tb + j] = Math.sqrt(s);
    }
  return d;
}

/** The DTW path (steps (1,0), (0,1), (1,1)) minimising the summed distance; pairs of frame indices. */
export function dtwPath(dist: Float64Array, ta: number, tb: number): [number, number][] {
  const acc = new Float64Array(ta * tb);
  for (let i = 0; i < ta; i++)
    for (let j = 0; j < tb; j++) {
      const here = dist[i * tb + j]!;
      if (i === 0 && j === 0) acc[0] = here;
      else {
        const up = i > 0 ? acc[(i - 1) * tb + j]! : Number.POSITIVE_INFINITY;
        const left = j > 0 ? acc[i * tb + j - 1]! : Number.POSITIVE_INFINITY;
        const diag = i > 0 && j > 0 ? acc[(i - 1) * tb + j - 1]! : Number.POSITIVE_INFINITY;
        acc[i * tb + j] = here + Math.min(diag, up, left);
      }
    }
  const path: [number, number][] = [[ta - 1, tb - 1]];
  let i = ta - 1;
  let j = tb - 1;
  while (i > 0 || j > 0) {
    const diag = i > 0 && j > 0 ? acc[(i - 1) * tb + j - 1]! : Number.POSITIVE_INFINITY;
    const up = i > 0 ? acc[(i - 1) * tb + j]! : Number.POSITIVE_INFINITY;
    const left = j > 0 ? acc[i * tb + j - 1]! : Number.POSITIVE_INFINITY;
    // Ties prefer the diagonal, then the reference's time axis.
    if (diag <= up && diag <= left) {
      i--;
      j--;
    } else if (up <= left) i--;
    else j--;
    path.push([i, j]);
  }
  return path.reverse();
}

/** MCD in dB between mel-cepstra a [ta × dim] and b [tb × dim] (c1.., no c0), averaged over the DTW path. */
export function melCepstralDistortion(a: Float64Array, ta: number, b: Float64Array, tb: number, dim: number): number {
  if (ta < 1 || tb < 1 || a.length !== ta * dim || b.length !== tb * dim)
    throw new FlambeauError("E_SHAPE", `${OP}: expected ${ta}×${dim} and ${tb}×${dim} cepstra, got ${a.length} and ${b.length} values`, OP);
  for (const [name, c] of [
    ["first", a],
    ["second", b],
  ] as const) {
    const bad = c.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw new FlambeauError(
        "E_ARG",
        `${OP}: the ${name} cepstra hold ${c[bad]} at frame ${Math.floor(bad / dim)}; the audio or mel is not finite`,
        OP,
      );
  }
  const dist = frameDistance(a, ta, b, tb, dim);
  const path = dtwPath(dist, ta, tb);
  let s = 0;
  for (const [i, j] of path) s += dist[i * tb + j]!;
  return (MCD_CONSTANT * s) / path.length;
}
