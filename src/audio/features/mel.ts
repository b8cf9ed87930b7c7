// Mel filterbanks (HTK or Slaney scale, optional Slaney area normalisation) and the mel
// spectrogram, as torchaudio.functional.melscale_fbanks / transforms.MelSpectrogram.
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tensor, tidy } from "../../core/index.js";
import { type SpectrogramOptions, spectrogram } from "./stft.js";

export type MelScaleName = "htk" | "slaney";

const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOGSTEP = Math.log(6.4) / 27;

export function hzToMel(f: number, scale: MelScaleName = "htk"): number {
  if (scale === "htk") return 2595 * Math.log10(1 + f / 700);
  return f >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(f / MIN_LOG_HZ) / LOGSTEP : f / F_SP;
}

export function melToHz(m: number, scale: MelScaleName = "htk"): number {
  if (scale === "htk") return 700 * (10 ** (m / 2595) - 1);
  return m >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOGSTEP * (m - MIN_LOG_MEL)) : F_SP * m;
}

export interface MelFbankOptions {
  fMin?: number;
  /** Default sampleRate / 2. */
  fMax?: number;
  /** "slaney" divides each triangle by its width in Hz (area normalisation). */
  norm?: "slaney" | null;
  melScale?: MelScaleName;
}

/** The [nFreqs, nMels] triangular filterbank matrix (torchaudio.functional.melscale_fbanks). */
export function melscaleFbanks(nFreqs: number, nMels: number, sampleRate: number, o: MelFbankOptions = {}): Tensor {
  const op = "melscaleFbanks";
  const int = (what: string, v: number) => {
    if (!Number.isInteger(v) || v < 1 || v > 1 << 20)
      throw new FlambeauError("E_ARG", `${op}: ${what} must be a positive integer, got ${v}`, op);
  };
  int("nFreqs", nFreqs);
  int("nMels", nMels);
  int("sampleRate", sampleRate);
  const scale = o.melScale ?? "htk";
  if (scale !== "htk" && scale !== "slaney")
    throw new FlambeauError("E_ARG", `${op}: melScale must be "htk" or "slaney", got ${JSON.stringify(scale)}`, op);
  const norm = o.norm ?? null;
  if (norm !== null && norm !== "slaney")
    throw new FlambeauError("E_ARG", `${op}: norm must be null or "slaney", got ${JSON.stringify(norm)}`, op);
  const fMin = o.fMin ?? 0;
  const fMax = o.fMax ?? Math.floor(sampleRate / 2);
  if (!(fMin >= 0 && fMax > fMin)) throw new FlambeauError("E_ARG", `${op}: need 0 ≤ fMin < fMax, got fMin=${fMin}, fMax=${fMax}`, op);
  // torch.linspace(0, sample_rate // 2, n_freqs)
  const nyq = Math.floor(sampleRate / 2);
  const freqs = Array.from({ length: nFreqs }, (_, i) => (nFreqs === 1 ? 0 : (nyq * i) / (nFreqs - 1)));
  const mMin = hzToMel(fMin, scale);
  const mMax = hzToMel(fMax, scale);
  const fPts = Array.from({ length: nMels + 2 }, (_, i) => melToHz(mMin + ((mMax - mMin) * i) / (nMels + 1), scale));
  const fb = new Float32Array(nFreqs * nMels);
  for (let k = 0; k < nFreqs; k++) {
    for (let m = 0; m < nMels; m++) {
      const down = (freqs[k]! - fPts[m]!) / (fPts[m + 1]! - fPts[m]!);
      const up = (fPts[m + 2]! - freqs[k]!) / (fPts[m + 2]! - fPts[m + 1]!);
      let v = Math.max(0, Math.min(down, up));
      if (norm === "slaney") v *= 2 / (fPts[m + 2]! - fPts[m]!);
      fb[k * nMels + m] = v;
    }
  }
  return tensor(fb, { shape: [nFreqs, nMels] });
}

/** Projects a spectrogram [..., nFreqs, T] onto a filterbank [nFreqs, nMels] → [..., nMels, T]. */
export function melScale(spec: Tensor, fb: Tensor): Tensor {
  if (spec.ndim < 2 || spec.shape[spec.ndim - 2] !== fb.shape[0])
    throw new FlambeauError(
      "E_SHAPE",
      `melScale: spectrogram [${spec.shape.join(", ")}] must have ${fb.shape[0]} frequency bins in dim -2`,
      "melScale",
    );
  return tidy(() => spec.transpose(-1, -2).matmul(fb.to(spec.dtype)).transpose(-1, -2));
}

export interface MelSpectrogramOptions extends SpectrogramOptions, MelFbankOptions {
  sampleRate?: number;
  /** Default 128, as torchaudio. */
  nMels?: number;
}

/** torchaudio.transforms.MelSpectrogram: waveform [..., T] → mel power spectrogram [..., nMels, frames]. */
export class MelSpectrogram {
  readonly options: MelSpectrogramOptions;
  readonly fb: Tensor;
  constructor(o: MelSpectrogramOptions = {}) {
    this.options = { ...o };
    const nFft = o.nFft ?? 400;
    this.fb = melscaleFbanks(Math.floor(nFft / 2) + 1, o.nMels ?? 128, o.sampleRate ?? 16000, o).keep();
  }
  forward(x: Tensor): Tensor {
    return tidy(() => melScale(spectrogram(x, this.options), this.fb));
  }
  dispose(): void {
    this.fb.dispose();
  }
}
