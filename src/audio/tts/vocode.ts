// Standardised log-mels (the acoustic model's output) → waveform: undo the standardisation and
// the dB, invert the mel filterbank, Griffin-Lim. The pseudo-inverse is computed once per setup.
import { noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import type { FrontendConfig } from "../data/frontend.js";
import { melscaleFbanks } from "../features/mel.js";
import { griffinLim, melToLinearPower } from "./griffin-lim.js";

const banks = new Map<string, Tensor>();
function bank(pre: FrontendConfig): Tensor {
  const key = `${pre.sampleRate}/${pre.nFft}/${pre.nMels}`;
  let fb = banks.get(key);
  if (!fb) banks.set(key, (fb = melscaleFbanks(Math.floor(pre.nFft / 2) + 1, pre.nMels, pre.sampleRate).keep()));
  return fb;
}

/** mel [nMels × frames] standardised dB → samples ((frames − 1) · hop of them). */
export function vocode(mel: Float32Array, frames: number, pre: FrontendConfig, iterations = 32): Float32Array {
  return noGrad(() =>
    tidy(() => {
      const db = tensor(mel, { shape: [pre.nMels, frames] })
        .mul(pre.std)
        .add(pre.mean);
      const power = db.mul(Math.LN10 / 10).exp();
      const mag = melToLinearPower(power, bank(pre)).sqrt();
      return griffinLim(mag, {
        nFft: pre.nFft,
        hopLength: pre.hopLength,
        winLength: pre.winLength,
        iterations,
        length: Math.max(1, frames - 1) * pre.hopLength,
      }).wave;
    }),
  );
}
