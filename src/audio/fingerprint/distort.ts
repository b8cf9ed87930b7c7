// The ways a recorded query differs from the track it was cut from: real background noise at
// a given SNR, a room (a synthetic exponentially decaying impulse response), a tape running
// ±5 % fast or slow, and a low-bit-rate codec round trip through ffmpeg. Random draws come
// from a seeded Random, so an evaluation's queries are the same on every run.
import { FlambeauError } from "../../core/errors.js";
import { fft, noGrad, stack, type Tensor, tensor, tidy, viewAsComplex, viewAsReal } from "../../core/index.js";
import type { Random } from "../../data/random.js";
import { addNoise, speedPerturb } from "../augment.js";
import { type LossyCodec, lossyRoundTrip } from "../decode.js";

export const DISTORTIONS = ["clean", "noise", "reverb", "speed", "codec"] as const;
export type DistortionName = (typeof DISTORTIONS)[number];

export interface DistortionOptions {
  sampleRate: number;
  /** SNR of the "noise" distortion in dB. */
  snrDb: number;
  /** Recordings the noise is cut from (any length; looped when shorter than the query). */
  noise: readonly Float32Array[];
  /** RT60 of the room in seconds. */
  rt60: number;
  /** Speed factor's distance from 1 (0.05: ×0.95 or ×1.05, drawn per query). */
  speed: number;
  codec: LossyCodec;
  bitrate: string;
}

/** Samples of `x` from `start` on, `n` of them, looping `x` when it is shorter. */
function cutLooped(x: Float32Array, start: number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = x[(start + i) % x.length]!;
  return out;
}

const run = (f: () => Tensor): Float32Array => noGrad(() => tidy(() => (f().data() as Float32Array).slice()));

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
  return run(() => reverberateRows(tensor(x), tensor(h)));
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

/**
 * `length` samples of the track from `start`, as a query under `d`. Speed reads a
 * longer (faster) or shorter stretch so the query keeps its length.
 */
export async function distortedQuery(
  track: Float32Array,
  start: number,
  length: number,
  d: DistortionName,
  o: DistortionOptions,
  rng: Random,
): Promise<{ samples: Float32Array; factor: number }> {
  const cut = (s: number, n: number) => track.slice(s, Math.min(track.length, s + n));
  switch (d) {
    case "clean":
      return { samples: cut(start, length), factor: 1 };
    case "noise": {
      const q = cut(start, length);
      const src = o.noise[rng.int(o.noise.length)]!;
      const nz = cutLooped(src, rng.int(src.length), q.length);
      return { samples: run(() => addNoise(tensor(q), tensor(nz), o.snrDb)), factor: 1 };
    }
    case "reverb":
      return { samples: reverberate(cut(start, length), syntheticRir(o.sampleRate, o.rt60, rng)), factor: 1 };
    case "speed": {
      const factor = rng.nextFloat() < 0.5 ? 1 - o.speed : 1 + o.speed;
      const src = cut(start, Math.ceil(length * factor) + 64);
      const y = run(() => speedPerturb(tensor(src), factor, o.sampleRate));
      return { samples: y.slice(0, length), factor };
    }
    case "codec": {
      const q = cut(start, length);
      return { samples: await lossyRoundTrip(q, o.sampleRate, o.codec, o.bitrate), factor: 1 };
    }
  }
}
