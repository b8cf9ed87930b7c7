// Standardised log-mels (the acoustic model's output) → waveform, by Griffin-Lim or a trained
// Vocos. Griffin-Lim: undo the standardisation and the dB, invert the mel filterbank, recover a
// phase; the pseudo-inverse is computed once per setup. Vocos reads the standardised mel itself.
import { noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import type { FrontendConfig } from "../data/frontend.js";
import { melscaleFbanks } from "../features/mel.js";
import { griffinLim, melToLinearPower } from "./griffin-lim.js";
import type { Vocos } from "./vocos.js";

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
      // Clamped: an untrained model's mel may ask for powers that overflow float32 (real speech
      // stays below +50 dB here), and one infinity turns every Griffin-Lim sample into NaN.
      const power = db
        .clamp(-150, 100)
        .mul(Math.LN10 / 10)
        .exp();
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

/** mel [nMels × frames] standardised dB → samples ((frames − 1) · hop of them), through a trained Vocos. */
export function vocodeNeural(model: Vocos, mel: Float32Array, frames: number): Float32Array {
  return noGrad(() =>
    tidy(() =>
      (
        model
          .forward(tensor(mel, { shape: [1, model.o.nMels, frames] }))
          .contiguous()
          .data() as Float32Array
      ).slice(),
    ),
  );
}
