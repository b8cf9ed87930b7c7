// The reconstruction losses a GAN-free neural vocoder trains on. Multi-resolution STFT loss
// (Yamamoto et al. 2020, Parallel WaveGAN): at several FFT sizes, spectral convergence
// ‖|S| − |Ŝ|‖_F / ‖|S|‖_F plus the mean |log |S| − log |Ŝ||; several resolutions keep the
// phase the vocoder invents consistent across window sizes. Mel loss (HiFi-GAN's): the mean
// |log mel − log mel̂| under the acoustic features' own filterbank.
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tidy } from "../../core/index.js";
import { MelSpectrogram } from "../features/mel.js";
import { spectrogram } from "../features/stft.js";

export interface StftResolution {
  nFft: number;
  hopLength: number;
  winLength: number;
}

/** Parallel WaveGAN's three resolutions, scaled from 24 kHz to 16 kHz speech. */
export const STFT_LOSS_RESOLUTIONS: readonly StftResolution[] = [
  { nFft: 1024, hopLength: 160, winLength: 640 },
  { nFft: 512, hopLength: 80, winLength: 320 },
  { nFft: 256, hopLength: 40, winLength: 160 },
];

const FLOOR = 1e-7;

function checkPair(op: string, pred: Tensor, target: Tensor): void {
  if (pred.ndim !== 2 || target.ndim !== 2 || pred.shape[0] !== target.shape[0] || pred.shape[1] !== target.shape[1])
    throw new FlambeauError(
      "E_SHAPE",
      `${op}: expected two waveforms [batch, samples] of one shape, got [${pred.shape.join(", ")}] and [${target.shape.join(", ")}]`,
      op,
    );
}

/** Spectral convergence + log-magnitude L1, averaged over `resolutions`; pred and target [B, T]. */
export function multiResolutionStftLoss(
  pred: Tensor,
  target: Tensor,
  resolutions: readonly StftResolution[] = STFT_LOSS_RESOLUTIONS,
): Tensor {
  checkPair("multiResolutionStftLoss", pred, target);
  return tidy(() => {
    let total: Tensor | null = null;
    for (const r of resolutions) {
      // Parallel WaveGAN's magnitude: √max(|S|², 1e-7), so the log and its gradient stay finite.
      const o = { ...r, power: 2 };
      const p = spectrogram(pred, o).clamp(FLOOR).sqrt();
      const t = spectrogram(target, o).clamp(FLOOR).sqrt();
      const sc = t.sub(p).norm().div(t.norm());
      const mag = t.log().sub(p.log()).abs().mean();
      const l = sc.add(mag);
      total = total ? total.add(l) : l;
    }
    return total!.div(resolutions.length);
  });
}

export interface MelLossSetup extends StftResolution {
  sampleRate: number;
  nMels: number;
}

const mels = new Map<string, MelSpectrogram>();

/** Mean |ln mel(pred) − ln mel(target)| of the magnitude mel spectrogram under `setup`; pred and target [B, T]. */
export function melLoss(pred: Tensor, target: Tensor, setup: MelLossSetup): Tensor {
  checkPair("melLoss", pred, target);
  const key = `${setup.sampleRate}/${setup.nFft}/${setup.winLength}/${setup.hopLength}/${setup.nMels}`;
  let m = mels.get(key);
  // Named fields only: a FrontendConfig (which also carries mean and std) is a setup too.
  const { sampleRate, nFft, hopLength, winLength, nMels } = setup;
  if (!m) mels.set(key, (m = new MelSpectrogram({ sampleRate, nFft, hopLength, winLength, nMels, power: 1 })));
  const mel = m;
  return tidy(() => mel.forward(pred).clamp(1e-5).log().sub(mel.forward(target).clamp(1e-5).log()).abs().mean());
}
