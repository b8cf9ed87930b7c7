// Waveform and spectrogram augmentation on the engine, batched. Random draws come from a
// seeded Random passed by the caller, so an augmented data set is reproducible and does
// not move libtorch's global generator.
import { FlambeauError } from "../core/errors.js";
import { arange, log10, noGrad, type Tensor, tensor, tidy } from "../core/index.js";
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
