// The classifiers' input: a log-mel spectrogram (40 bands, 25 ms windows, 10 ms hop, an 80 dB
// floor per clip) standardised by the training set's mean and std.
import { noGrad, type Tensor, tidy } from "../../core/index.js";
import type { FrontendConfig } from "../../data/log-mel-config.js";
import { amplitudeToDB } from "../features/db.js";
import { MelSpectrogram } from "../features/mel.js";

export type { FrontendConfig };

export const DEFAULT_FRONTEND: FrontendConfig = {
  sampleRate: 16000,
  nFft: 512,
  winLength: 400,
  hopLength: 160,
  nMels: 40,
  mean: 0,
  std: 1,
};

const mels = new Map<string, MelSpectrogram>();

/** Waveforms [B, T] → standardised log-mels [B, 1, nMels, frames]. */
export function logMel(wave: Tensor, c: FrontendConfig): Tensor {
  const key = `${c.sampleRate}/${c.nFft}/${c.winLength}/${c.hopLength}/${c.nMels}`;
  let m = mels.get(key);
  if (!m) {
    m = new MelSpectrogram({ sampleRate: c.sampleRate, nFft: c.nFft, winLength: c.winLength, hopLength: c.hopLength, nMels: c.nMels });
    mels.set(key, m);
  }
  const mel = m;
  return noGrad(() => tidy(() => amplitudeToDB(mel.forward(wave).unsqueeze(1), { topDb: 80 }).sub(c.mean).div(c.std)));
}
