// Band-limited resampling on the engine: torchaudio.functional.resample's windowed-sinc
// polyphase filter (Hann window, 6 zero crossings, rolloff 0.99), applied as one strided
// conv1d, so it is batched over leading dims and differentiable.
import { FlambeauError } from "../core/errors.js";
import { type Tensor, tensor, tidy } from "../core/index.js";
import { conv1d, pad } from "../nn/functional.js";

export interface ResampleOptions {
  /** Zero crossings of the sinc kept on each side (default 6). */
  lowpassFilterWidth?: number;
  /** Cut-off as a fraction of the lower Nyquist frequency (default 0.99). */
  rolloff?: number;
}

const gcdOf = (a: number, b: number): number => (b === 0 ? a : gcdOf(b, a % b));

function checkRate(what: string, v: number): void {
  if (!Number.isInteger(v) || v < 1 || v > 10_000_000)
    throw new FlambeauError("E_ARG", `resample: ${what} must be an integer number of Hz in [1, 1e7], got ${v}`, "resample");
}

/** The polyphase kernels [newFreq', 1, 2·width + origFreq'] (frequencies divided by their gcd), in float64 then float32 as torchaudio does. */
export function sincResampleKernel(
  origFreq: number,
  newFreq: number,
  o: ResampleOptions = {},
): { kernel: Float32Array; phases: number; taps: number; width: number; orig: number } {
  const g = gcdOf(origFreq, newFreq);
  const orig = origFreq / g;
  const neu = newFreq / g;
  const lw = o.lowpassFilterWidth ?? 6;
  const rolloff = o.rolloff ?? 0.99;
  if (!(lw > 0)) throw new FlambeauError("E_ARG", `resample: lowpassFilterWidth must be > 0, got ${lw}`, "resample");
  if (!(rolloff > 0 && rolloff <= 1)) throw new FlambeauError("E_ARG", `resample: rolloff must be in (0, 1], got ${rolloff}`, "resample");
  const base = Math.min(orig, neu) * rolloff;
  const width = Math.ceil((lw * orig) / base);
  const taps = 2 * width + orig;
  if (neu * taps > 50_000_000)
    throw new FlambeauError(
      "E_ARG",
      `resample: ${origFreq} → ${newFreq} Hz needs a ${neu}×${taps} kernel; choose rates with a larger common divisor`,
      "resample",
    );
  const kernel = new Float32Array(neu * taps);
  const scale = base / orig;
  for (let p = 0; p < neu; p++) {
    for (let j = 0; j < taps; j++) {
      let t = (-p / neu + (j - width) / orig) * base;
      t = Math.max(-lw, Math.min(lw, t));
      const w = Math.cos((t * Math.PI) / lw / 2) ** 2;
      const x = t * Math.PI;
      kernel[p * taps + j] = (x === 0 ? 1 : Math.sin(x) / x) * w * scale;
    }
  }
  return { kernel, phases: neu, taps, width, orig };
}

const kernels = new Map<string, ReturnType<typeof sincResampleKernel>>();

/** Resamples the last dim of a float waveform [..., T] from `origFreq` to `newFreq` Hz. */
export function resample(waveform: Tensor, origFreq: number, newFreq: number, o: ResampleOptions = {}): Tensor {
  checkRate("origFreq", origFreq);
  checkRate("newFreq", newFreq);
  if (waveform.ndim < 1) throw new FlambeauError("E_SHAPE", "resample: expected a waveform [..., time], got a scalar", "resample");
  if (waveform.dtype !== "float32" && waveform.dtype !== "float64")
    throw new FlambeauError("E_DTYPE", `resample: expected a float waveform, got ${waveform.dtype}`, "resample");
  if (origFreq === newFreq) return waveform.clone();
  const key = `${origFreq}/${newFreq}/${o.lowpassFilterWidth ?? 6}/${o.rolloff ?? 0.99}`;
  let k = kernels.get(key);
  if (!k) {
    k = sincResampleKernel(origFreq, newFreq, o);
    kernels.set(key, k);
  }
  const kk = k;
  return tidy(() => {
    const shape = waveform.shape;
    const length = shape[shape.length - 1]!;
    const flat = waveform.reshape([-1, 1, length]);
    const w = tensor(kk.kernel, { shape: [kk.phases, 1, kk.taps] }).to(waveform.dtype);
    const padded = pad(flat, [kk.width, kk.width + kk.orig]);
    const out = conv1d(padded, w, null, { stride: kk.orig });
    const n = flat.shape[0]!;
    const target = Math.ceil((kk.phases * length) / kk.orig);
    const y = out.transpose(1, 2).reshape([n, -1]).narrow(1, 0, target);
    return y.reshape([...shape.slice(0, -1), target]);
  });
}
