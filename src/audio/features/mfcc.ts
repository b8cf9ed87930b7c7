// MFCCs: the DCT-II of log-mel energies (torchaudio.transforms.MFCC's defaults: 40
// coefficients, ortho norm, dB with an 80 dB floor).
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tensor, tidy } from "../../core/index.js";
import { amplitudeToDB } from "./db.js";
import { MelSpectrogram, type MelSpectrogramOptions } from "./mel.js";

/** The [nMels, nMfcc] DCT-II matrix (torchaudio.functional.create_dct). */
export function createDct(nMfcc: number, nMels: number, norm: "ortho" | null = "ortho"): Tensor {
  if (!Number.isInteger(nMfcc) || !Number.isInteger(nMels) || nMfcc < 1 || nMels < 1)
    throw new FlambeauError("E_ARG", `createDct: nMfcc and nMels must be positive integers, got ${nMfcc}, ${nMels}`, "createDct");
  if (norm !== null && norm !== "ortho")
    throw new FlambeauError("E_ARG", `createDct: norm must be "ortho" or null, got ${JSON.stringify(norm)}`, "createDct");
  const d = new Float32Array(nMels * nMfcc);
  for (let n = 0; n < nMels; n++)
    for (let k = 0; k < nMfcc; k++) {
      let v = Math.cos((Math.PI / nMels) * (n + 0.5) * k);
      if (norm === null) v *= 2;
      else v *= (k === 0 ? 1 / Math.SQRT2 : 1) * Math.sqrt(2 / nMels);
      d[n * nMfcc + k] = v;
    }
  return tensor(d, { shape: [nMels, nMfcc] });
}

export interface MFCCOptions {
  sampleRate?: number;
  /** Default 40. */
  nMfcc?: number;
  norm?: "ortho" | null;
  /** log(mel + 1e-6) instead of dB (default false). */
  logMels?: boolean;
  /** Options of the mel spectrogram (torchaudio's melkwargs). */
  melkwargs?: MelSpectrogramOptions;
}

/** torchaudio.transforms.MFCC: waveform [..., T] → [..., nMfcc, frames]. */
export class MFCC {
  readonly mel: MelSpectrogram;
  readonly dct: Tensor;
  readonly logMels: boolean;
  constructor(o: MFCCOptions = {}) {
    this.mel = new MelSpectrogram({ ...o.melkwargs, sampleRate: o.sampleRate ?? 16000 });
    const nMels = o.melkwargs?.nMels ?? 128;
    const nMfcc = o.nMfcc ?? 40;
    if (nMfcc > nMels) throw new FlambeauError("E_ARG", `MFCC: nMfcc (${nMfcc}) cannot exceed nMels (${nMels})`, "MFCC");
    this.dct = createDct(nMfcc, nMels, o.norm === undefined ? "ortho" : o.norm).keep();
    this.logMels = o.logMels ?? false;
  }
  forward(x: Tensor): Tensor {
    return tidy(() => {
      const m = this.mel.forward(x);
      const l = this.logMels ? m.add(1e-6).log() : amplitudeToDB(m, { topDb: 80 });
      return l.transpose(-1, -2).matmul(this.dct.to(l.dtype)).transpose(-1, -2);
    });
  }
  dispose(): void {
    this.mel.dispose();
    this.dct.dispose();
  }
}
