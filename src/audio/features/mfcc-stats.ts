// MFCC statistics: the classic fixed-length description of a clip a practitioner feeds to a
// linear model or an SVM. Per coefficient, the mean, standard deviation, minimum and maximum
// over the clip's frames of the MFCCs and of their deltas.
import { FlambeauError } from "../../core/errors.js";
import { cat, noGrad, type Tensor, tidy } from "../../core/index.js";
import { computeDeltas } from "./delta.js";
import { MFCC } from "./mfcc.js";

export interface MfccStatsOptions {
  sampleRate?: number;
  /** Coefficients kept (default 13, the speech-recognition habit). */
  nMfcc?: number;
  nMels?: number;
  nFft?: number;
  winLength?: number;
  hopLength?: number;
  /** Delta regression window (default 5, as torchaudio). */
  deltaWindow?: number;
}

/** Names of the 8 × nMfcc features, in the order mfccStats returns them. */
export function mfccStatNames(nMfcc = 13): string[] {
  const out: string[] = [];
  for (const src of ["mfcc", "delta"])
    for (const stat of ["mean", "std", "min", "max"]) for (let k = 0; k < nMfcc; k++) out.push(`${src}${k}_${stat}`);
  return out;
}

/** Statistics over frames of [..., nCoef, frames] → [..., 4 nCoef]: mean, std (population), min, max. */
export function frameStats(c: Tensor): Tensor {
  if (c.ndim < 2) throw new FlambeauError("E_SHAPE", `frameStats: expected [..., coefficients, frames], got [${c.shape}]`, "frameStats");
  return tidy(() => {
    const mean = c.mean({ dim: -1 });
    // Population std: the clip is the whole population of its frames.
    const std = c.sub(mean.unsqueeze(-1)).square().mean({ dim: -1 }).sqrt();
    return cat([mean, std, c.minDim(-1).values, c.amax(-1)], -1);
  });
}

/** A reusable extractor: waveforms [B, T] → MFCC + delta statistics [B, 8 nMfcc]. */
export class MfccStats {
  readonly mfcc: MFCC;
  readonly nMfcc: number;
  readonly deltaWindow: number;
  constructor(o: MfccStatsOptions = {}) {
    this.nMfcc = o.nMfcc ?? 13;
    this.deltaWindow = o.deltaWindow ?? 5;
    this.mfcc = new MFCC({
      sampleRate: o.sampleRate ?? 16000,
      nMfcc: this.nMfcc,
      melkwargs: { nFft: o.nFft ?? 512, winLength: o.winLength ?? 400, hopLength: o.hopLength ?? 160, nMels: o.nMels ?? 40 },
    });
  }
  forward(wave: Tensor): Tensor {
    if (wave.ndim !== 2) throw new FlambeauError("E_SHAPE", `MfccStats: expected waveforms [B, T], got [${wave.shape}]`, "MfccStats");
    return noGrad(() =>
      tidy(() => {
        const c = this.mfcc.forward(wave.float());
        return cat([frameStats(c), frameStats(computeDeltas(c, this.deltaWindow))], -1);
      }),
    );
  }
  dispose(): void {
    this.mfcc.dispose();
  }
}
