// Short-time Fourier transform and (power) spectrograms on the engine, batched over any
// leading dims and differentiable. Flambeau tensors have no complex dtype, so ATen's
// complex STFT is consumed inside the op: `stft` returns the real view [..., freq, frames, 2]
// and `spectrogram` the magnitude raised to `power` — torchaudio.transforms.Spectrogram's numbers.

import { aten } from "../../core/aten.js";
import { call } from "../../core/dispatch.js";
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tidy } from "../../core/index.js";
import { pad } from "../../nn/functional.js";
import { makeWindow, type WindowName } from "./window.js";

export type StftPadMode = "reflect" | "constant" | "replicate" | "circular";

export interface StftOptions {
  /** FFT size (default 400: 25 ms at 16 kHz). */
  nFft?: number;
  /** Default winLength / 2. */
  hopLength?: number;
  /** Default nFft. */
  winLength?: number;
  /** A window name or a [winLength] tensor (default a periodic Hann window). */
  window?: WindowName | Tensor;
  /** Pad nFft/2 on both sides so frame t is centred at t·hop (default true). */
  center?: boolean;
  padMode?: StftPadMode;
  /** Divide by √(Σ window²) (torchaudio's normalized=True). */
  normalized?: boolean;
}

export interface SpectrogramOptions extends StftOptions {
  /** Exponent of the magnitude: 2 = power (default), 1 = magnitude. */
  power?: number;
  /** Zero padding added to both sides before the STFT (default 0). */
  pad?: number;
}

const STFT = aten("stft");
const VIEW_AS_REAL = aten("view_as_real");
const ABS = aten("abs");

interface Resolved {
  nFft: number;
  hop: number;
  win: number;
  window: Tensor;
  center: boolean;
  padMode: StftPadMode;
  normalized: boolean;
}

function resolve(op: string, x: Tensor, o: StftOptions): Resolved {
  const int = (what: string, v: number, lo: number, hi: number): number => {
    if (!Number.isInteger(v) || v < lo || v > hi)
      throw new FlambeauError("E_ARG", `${op}: ${what} must be an integer in [${lo}, ${hi}], got ${v}`, op);
    return v;
  };
  if (!(x.dtype === "float32" || x.dtype === "float64"))
    throw new FlambeauError("E_DTYPE", `${op}: expected a float waveform [..., time], got ${x.dtype}`, op);
  if (x.ndim < 1) throw new FlambeauError("E_SHAPE", `${op}: expected a waveform [..., time], got a scalar`, op);
  const nFft = int("nFft", o.nFft ?? 400, 1, 1 << 20);
  const win = int("winLength", o.winLength ?? nFft, 1, nFft);
  const hop = int("hopLength", o.hopLength ?? Math.max(1, Math.floor(win / 2)), 1, 1 << 24);
  const center = o.center ?? true;
  const padMode = o.padMode ?? "reflect";
  const t = x.shape[x.ndim - 1]!;
  const half = Math.floor(nFft / 2);
  if (center && padMode === "reflect" && t <= half)
    throw new FlambeauError("E_SHAPE", `${op}: reflect padding needs more than nFft/2 = ${half} samples, got ${t}`, op);
  if (!center && t < nFft) throw new FlambeauError("E_SHAPE", `${op}: a ${t}-sample signal is shorter than nFft = ${nFft}`, op);
  let window: Tensor;
  if (o.window === undefined || typeof o.window === "string") window = makeWindow(o.window ?? "hann", win);
  else {
    if (o.window.ndim !== 1 || o.window.shape[0] !== win)
      throw new FlambeauError("E_SHAPE", `${op}: window must be [${win}] (winLength), got [${o.window.shape.join(", ")}]`, op);
    window = o.window;
  }
  return { nFft, hop, win, window: window.to(x.dtype), center, padMode, normalized: o.normalized ?? false };
}

/** Runs ATen's complex STFT on x [..., T] and hands the complex result to `use`, which must return a real tensor. */
function withComplexStft(op: string, x: Tensor, o: StftOptions, use: (spec: Tensor, r: Resolved) => Tensor): Tensor {
  return tidy(() => {
    const r = resolve(op, x, o);
    const shape = x.shape;
    const t = shape[shape.length - 1]!;
    let flat = x.reshape([-1, t]);
    if (r.center) {
      const half = Math.floor(r.nFft / 2);
      flat = pad(flat.unsqueeze(1), [half, half], r.padMode).squeeze(1);
    }
    const spec = call(STFT, flat, r.nFft, r.hop, r.win, r.window, false, true, true) as Tensor;
    let out = use(spec, r);
    if (r.normalized) out = out.div(r.window.pow(2).sum().sqrt());
    const tail = out.shape.slice(1);
    return out.reshape([...shape.slice(0, -1), ...tail]);
  });
}

/** STFT of x [..., T] as the real view [..., nFft/2+1, frames, 2] (torch.stft(..., return_complex=True) then view_as_real). */
export function stft(x: Tensor, o: StftOptions = {}): Tensor {
  return withComplexStft("stft", x, o, (spec) => call(VIEW_AS_REAL, spec) as Tensor);
}

/** |STFT|^power of x [..., T] → [..., nFft/2+1, frames] (torchaudio.functional.spectrogram). */
export function spectrogram(x: Tensor, o: SpectrogramOptions = {}): Tensor {
  const power = o.power ?? 2;
  if (!(power > 0 && Number.isFinite(power)))
    throw new FlambeauError("E_ARG", `spectrogram: power must be a positive number, got ${power}`, "spectrogram");
  const p = o.pad ?? 0;
  if (!Number.isInteger(p) || p < 0) throw new FlambeauError("E_ARG", `spectrogram: pad must be an integer ≥ 0, got ${p}`, "spectrogram");
  return tidy(() => {
    const xp = p > 0 ? pad(x, [p, p]) : x;
    // normalized divides the complex STFT; apply it before the power.
    const mag = withComplexStft("spectrogram", xp, o, (spec) => call(ABS, spec) as Tensor);
    return power === 1 ? mag : mag.pow(power);
  });
}

/** torchaudio.transforms.Spectrogram: the options fixed once, applied to any batch. */
export class Spectrogram {
  readonly options: SpectrogramOptions;
  constructor(o: SpectrogramOptions = {}) {
    this.options = { ...o };
  }
  forward(x: Tensor): Tensor {
    return spectrogram(x, this.options);
  }
}
