// Waveform and spectrogram augmentation on the engine, batched. Random draws come from a
// seeded Random passed by the caller, so an augmented data set is reproducible and does
// not move libtorch's global generator.
import { FlambeauError } from "../core/errors.js";
import { arange, fft, log10, noGrad, stack, type Tensor, tensor, tidy, viewAsComplex, viewAsReal } from "../core/index.js";
import type { Random } from "../data/random.js";
import { resample } from "./resample.js";

/**
 * Mixes `noise` into `x` at the given signal-to-noise ratio(s) in dB (torchaudio's add_noise):
 * x + noise · 10^((SNR₀ − snr)/20), SNR₀ = 10·log10(‖x‖² / ‖noise‖²) over the last dim.
 * x, noise: [..., T]; snr: a number or a tensor broadcastable to x's leading dims.
 */
export function addNoise(x: Tensor, noise: Tensor, snrDb: number | Tensor): Tensor {
  const op = "addNoise";
  if (x.ndim < 1 || noise.shape[noise.ndim - 1] !== x.shape[x.ndim - 1])
    throw new FlambeauError(
      "E_SHAPE",
      `${op}: noise [${noise.shape.join(", ")}] must have the signal's length ${x.shape[x.ndim - 1]} in its last dim`,
      op,
    );
  if (typeof snrDb === "number" && !Number.isFinite(snrDb))
    throw new FlambeauError("E_ARG", `${op}: snrDb must be finite, got ${snrDb}`, op);
  return tidy(() => {
    const es = x.pow(2).sum({ dim: -1, keepdim: true });
    const en = noise.pow(2).sum({ dim: -1, keepdim: true }).clamp(1e-20);
    const snr0 = log10(es.div(en)).mul(10);
    const target = typeof snrDb === "number" ? snrDb : snrDb.unsqueeze(-1);
    const scale = snr0.sub(target).div(20).mul(Math.LN10).exp();
    return x.add(noise.mul(scale));
  });
}

/** Shifts each row of x [B, T] by its own random whole-sample offset in [−maxShift, maxShift], zero-filled. */
export function randomTimeShift(x: Tensor, maxShift: number, rng: Random): Tensor {
  if (x.ndim !== 2)
    throw new FlambeauError("E_SHAPE", `randomTimeShift: expected [batch, time], got [${x.shape.join(", ")}]`, "randomTimeShift");
  if (!Number.isInteger(maxShift) || maxShift < 0)
    throw new FlambeauError("E_ARG", `randomTimeShift: maxShift must be an integer ≥ 0, got ${maxShift}`, "randomTimeShift");
  const [b, t] = x.shape as [number, number];
  const shifts = Array.from({ length: b }, () => rng.int(2 * maxShift + 1) - maxShift);
  return noGrad(() =>
    tidy(() => {
      // Gather from index (i − shift); indices that fall outside are zeroed.
      const idx = arange(0, t, 1, { dtype: "int64" })
        .unsqueeze(0)
        .sub(tensor(shifts, { dtype: "int64" }).unsqueeze(1));
      const valid = idx.ge(0).logicalAnd(idx.lt(t));
      return x.gather(1, idx.clamp(0, t - 1)).mul(valid.to(x.dtype));
    }),
  );
}

/**
 * Changes speed (and with it pitch, as a tape does) by `factor` > 1 faster: the waveform is
 * resampled from round(sr·factor) to sr Hz (torchaudio.transforms.Speed's method).
 */
export function speedPerturb(x: Tensor, factor: number, sampleRate: number): Tensor {
  if (!(factor >= 0.25 && factor <= 4))
    throw new FlambeauError("E_ARG", `speedPerturb: factor must be in [0.25, 4], got ${factor}`, "speedPerturb");
  return resample(x, Math.round(sampleRate * factor), sampleRate);
}

export interface MaskOptions {
  /** Largest mask width (the width is uniform in [0, maxWidth]). */
  maxWidth: number;
  /** Masks per example (default 1). */
  count?: number;
  /** Fill value (default 0; use the mean of a log-mel for "mean" masking). */
  value?: number;
}

function randomMask(op: string, x: Tensor, dim: number, o: MaskOptions, rng: Random): Tensor {
  if (x.ndim < 3) throw new FlambeauError("E_SHAPE", `${op}: expected [batch, ..., freq, time], got [${x.shape.join(", ")}]`, op);
  if (!Number.isInteger(o.maxWidth) || o.maxWidth < 0)
    throw new FlambeauError("E_ARG", `${op}: maxWidth must be an integer ≥ 0, got ${o.maxWidth}`, op);
  const b = x.shape[0]!;
  const size = x.shape[x.ndim + dim]!;
  const count = o.count ?? 1;
  return noGrad(() =>
    tidy(() => {
      const lo: number[] = [];
      const hi: number[] = [];
      for (let i = 0; i < b; i++)
        for (let k = 0; k < count; k++) {
          const w = rng.int(Math.min(o.maxWidth, size) + 1);
          const s = rng.int(size - w + 1);
          lo.push(s);
          hi.push(s + w);
        }
      const pos = arange(0, size, 1, { dtype: "int64" }).reshape([1, 1, size]);
      const a = tensor(lo, { dtype: "int64" }).reshape([b, count, 1]);
      const z = tensor(hi, { dtype: "int64" }).reshape([b, count, 1]);
      const hit = pos.ge(a).logicalAnd(pos.lt(z)).any(1); // [b, size]
      const shape = Array.from({ length: x.ndim }, (_, i) => (i === 0 ? b : i === x.ndim + dim ? size : 1));
      return x.maskedFill(hit.reshape(shape), o.value ?? 0);
    }),
  );
}

/** SpecAugment time masking on [batch, ..., freq, time]: each example gets its own masks. */
export const timeMask = (spec: Tensor, o: MaskOptions, rng: Random): Tensor => randomMask("timeMask", spec, -1, o, rng);
/** SpecAugment frequency masking on [batch, ..., freq, time]. */
export const freqMask = (spec: Tensor, o: MaskOptions, rng: Random): Tensor => randomMask("freqMask", spec, -2, o, rng);

/** A room impulse response: a direct path, then Gaussian noise decaying by 60 dB over rt60 seconds. */
export function syntheticRir(sampleRate: number, rt60: number, rng: Random): Float32Array {
  if (!(rt60 > 0 && rt60 <= 3)) throw new FlambeauError("E_ARG", `syntheticRir: rt60 must be in (0, 3] s, got ${rt60}`, "syntheticRir");
  const n = Math.max(2, Math.round(rt60 * sampleRate));
  const h = new Float32Array(n);
  h[0] = 1;
  // Early reflections begin a few ms after the direct sound.
  const gap = Math.round(0.005 * sampleRate);
  const decay = Math.log(1000) / (rt60 * sampleRate);
  for (let i = gap; i < n; i++) {
    const g = Math.sqrt(-2 * Math.log(1 - rng.nextFloat())) * Math.cos(2 * Math.PI * rng.nextFloat());
    h[i] = 0.3 * g * Math.exp(-decay * i);
  }
  return h;
}

/**
 * x convolved with the impulse response h (kept to x's length), scaled back to x's RMS. By FFT:
 * a 0.5 s room at 8 kHz is a 4000-tap filter, which conv1d would unfold into a gigabyte.
 */
export function reverberate(x: Float32Array, h: Float32Array): Float32Array {
  return noGrad(() => tidy(() => (reverberateRows(tensor(x), tensor(h)).data() as Float32Array).slice()));
}

/** Rows of x [..., T] each convolved with its row of h [..., R] (kept to T samples), each scaled back to its own RMS. */
export function reverberateRows(x: Tensor, h: Tensor): Tensor {
  const t = x.shape[x.ndim - 1]!;
  let n = 1;
  while (n < t + h.shape[h.ndim - 1]! - 1) n *= 2;
  return tidy(() => {
    const X = viewAsReal(fft.rfft(x, { n }));
    const H = viewAsReal(fft.rfft(h, { n }));
    const [xr, xi, hr, hi] = [X.select(-1, 0), X.select(-1, 1), H.select(-1, 0), H.select(-1, 1)];
    const y = stack([xr.mul(hr).sub(xi.mul(hi)), xr.mul(hi).add(xi.mul(hr))], -1);
    const out = fft.irfft(viewAsComplex(y), { n }).narrow(-1, 0, t);
    const rx = x.pow(2).mean({ dim: -1, keepdim: true }).sqrt();
    const ry = out.pow(2).mean({ dim: -1, keepdim: true }).sqrt().clamp(1e-12);
    return out.mul(rx.div(ry));
  });
}
