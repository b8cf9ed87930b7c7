// The vocoder: a mel spectrogram back to a waveform. The linear magnitude comes from the
// pseudo-inverse of the mel filterbank (negative powers clipped), then Griffin-Lim (1984) with
// the "fast" momentum of Perraudin et al. 2013 (torchaudio's default 0.99) recovers a phase:
// each iteration resynthesizes with the current phase (ISTFT) and re-analyses (STFT), keeping
// the phase and imposing the target magnitude. ATen's STFT/ISTFT do the transforms; the
// complex spectra live only inside this module's ops (Flambeau has no complex dtype).
import { aten } from "../../core/aten.js";
import { call } from "../../core/dispatch.js";
import { FlambeauError } from "../../core/errors.js";
import { noGrad, pinverse, stack, type Tensor, tensor, tidy } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { makeWindow } from "../features/window.js";

const OP = "griffinLim";
const STFT = aten("stft.center");
const ISTFT = aten("istft");
const COMPLEX = aten("complex");
const VIEW_AS_REAL = aten("view_as_real");

export interface StftSetup {
  nFft: number;
  hopLength: number;
  winLength: number;
}

function hann(s: StftSetup): Tensor {
  return makeWindow("hann", s.winLength);
}

/** Centred (reflect-padded) STFT of x [T] → real view [nFft/2+1, frames, 2], as torch.stft(center=True, return_complex) + view_as_real. */
export function stftReal(x: Tensor, s: StftSetup, window = hann(s)): Tensor {
  return tidy(() => {
    const spec = call(STFT, x.unsqueeze(0), s.nFft, s.hopLength, s.winLength, window, true, "reflect", false, true, true) as Tensor;
    return (call(VIEW_AS_REAL, spec) as Tensor).squeeze(0);
  });
}

/** torch.istft(center=True) of a real-view spectrum [nFft/2+1, frames, 2] → [length]. */
export function istftReal(spec: Tensor, s: StftSetup, length: number, window = hann(s)): Tensor {
  if (spec.ndim !== 3 || spec.shape[0] !== Math.floor(s.nFft / 2) + 1 || spec.shape[2] !== 2)
    throw new FlambeauError(
      "E_SHAPE",
      `istft: expected [${Math.floor(s.nFft / 2) + 1}, frames, 2], got [${spec.shape.join(", ")}]`,
      "istft",
    );
  return tidy(() => {
    const c = call(COMPLEX, spec.select(2, 0).contiguous(), spec.select(2, 1).contiguous()) as Tensor;
    return call(ISTFT, c, s.nFft, s.hopLength, s.winLength, window, true, false, true, length, false) as Tensor;
  });
}

/** Linear power [nFreqs, frames] from mel power [nMels, frames] by the filterbank's pseudo-inverse, clipped at 0. */
export function melToLinearPower(melPower: Tensor, fb: Tensor): Tensor {
  if (melPower.ndim !== 2 || melPower.shape[0] !== fb.shape[1])
    throw new FlambeauError(
      "E_SHAPE",
      `melToLinear: mel [${melPower.shape.join(", ")}] must have ${fb.shape[1]} bands in dim 0`,
      "melToLinear",
    );
  // fb [F, M]: mel = fbᵀ · linear, so linear ≈ pinv(fbᵀ) · mel.
  return tidy(() => pinverse(fb.t().contiguous()).matmul(melPower).clamp(0));
}

export interface GriffinLimOptions extends StftSetup {
  iterations?: number;
  momentum?: number;
  /** Output samples (default (frames − 1) · hop). */
  length?: number;
  seed?: number;
}

export interface GriffinLimResult {
  wave: Float32Array;
  /** ‖S − |STFT(x)|‖ / ‖S‖ after each iteration's synthesis. */
  convergence: number[];
}

const magnitude = (spec: Tensor): Tensor => spec.pow(2).sum(-1).add(1e-16).sqrt();

/** Spectral convergence ‖S − |STFT(x)|‖_F / ‖S‖_F of waveform x to magnitude S. */
export function spectralConvergence(x: Tensor, mag: Tensor, s: StftSetup): number {
  return noGrad(() => tidy(() => magnitude(stftReal(x, s)).sub(mag).norm().item() / Math.max(1e-12, mag.norm().item())));
}

/** A waveform whose STFT magnitude approximates mag [nFft/2+1, frames]. */
export function griffinLim(mag: Tensor, o: GriffinLimOptions): GriffinLimResult {
  const iters = o.iterations ?? 32;
  const momentum = o.momentum ?? 0.99;
  if (!Number.isInteger(iters) || iters < 1) throw new FlambeauError("E_ARG", `${OP}: iterations must be an integer ≥ 1, got ${iters}`, OP);
  if (!(momentum >= 0 && momentum < 1)) throw new FlambeauError("E_ARG", `${OP}: momentum must be in [0, 1), got ${momentum}`, OP);
  if (mag.ndim !== 2 || mag.shape[0] !== Math.floor(o.nFft / 2) + 1)
    throw new FlambeauError(
      "E_SHAPE",
      `${OP}: magnitude must be [${Math.floor(o.nFft / 2) + 1}, frames], got [${mag.shape.join(", ")}]`,
      OP,
    );
  const frames = mag.shape[1]!;
  const length = o.length ?? (frames - 1) * o.hopLength;
  return noGrad(() =>
    tidy(() => {
      const window = hann(o);
      // A seeded random initial phase (torchaudio's rand_init).
      const rng = new Random(o.seed ?? 0, 4242);
      const phase = Float32Array.from({ length: mag.shape[0]! * frames }, () => 2 * Math.PI * rng.nextFloat());
      const ph = tensor(phase, { shape: [mag.shape[0]!, frames] });
      const m3 = mag.unsqueeze(2);
      let unit = stack([ph.cos(), ph.sin()], 2);
      let prev = unit.mul(0);
      const convergence: number[] = [];
      let wave = istftReal(unit.mul(m3), o, length, window);
      for (let k = 0; k < iters; k++) {
        const rebuilt = stftReal(wave, o, window);
        const mr = magnitude(rebuilt);
        convergence.push(mr.sub(mag).norm().item() / Math.max(1e-12, mag.norm().item()));
        // Fast Griffin-Lim: extrapolate the new phase away from the previous estimate.
        const next = rebuilt.sub(prev.mul(momentum / (1 + momentum)));
        prev = rebuilt;
        unit = next.div(magnitude(next).unsqueeze(2));
        wave = istftReal(unit.mul(m3), o, length, window);
      }
      return { wave: (wave.contiguous().data() as Float32Array).slice(), convergence };
    }),
  );
}
