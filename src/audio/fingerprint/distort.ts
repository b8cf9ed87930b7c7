// The ways a recorded query differs from the track it was cut from: real background noise at
// a given SNR, a room (a synthetic exponentially decaying impulse response), a tape running
// ±5 % fast or slow, and a low-bit-rate codec round trip through ffmpeg. Random draws come
// from a seeded Random, so an evaluation's queries are the same on every run.
import { noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import type { Random } from "../../data/random.js";
import { addNoise, reverberate, speedPerturb, syntheticRir } from "../augment.js";
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
