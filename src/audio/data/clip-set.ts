// A labelled set of variable-length mono clips at one sample rate, and the batch builder that
// fits them to a fixed window and mixes in background noise at a chosen SNR.
import { FlambeauError } from "../../core/errors.js";
import { noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import type { Random } from "../../data/random.js";
import { addNoise } from "../augment.js";

export interface ClipSet {
  clips: Float32Array[];
  labels: number[];
  classes: string[];
  sampleRate: number;
  /** Where each clip came from (voice, file …), for reports. */
  sources: string[];
}

export const subsetOf = (s: ClipSet, idx: readonly number[]): ClipSet => ({
  ...s,
  clips: idx.map((i) => s.clips[i]!),
  labels: idx.map((i) => s.labels[i]!),
  sources: idx.map((i) => s.sources[i]!),
});

/**
 * Copies `clip` into a window of `n` samples: a longer clip is cropped around its centre
 * (or at `offset` ∈ [0, 1] of the spare length), a shorter one placed at `offset`.
 */
export function fitLength(clip: Float32Array, n: number, offset = 0.5): Float32Array {
  const out = new Float32Array(n);
  if (clip.length >= n) {
    const s = Math.floor((clip.length - n) * offset);
    out.set(clip.subarray(s, s + n));
  } else out.set(clip, Math.floor((n - clip.length) * offset));
  return out;
}

export interface NoiseMix {
  /** Background recordings to draw segments from. */
  noise: readonly Float32Array[];
  /** SNR in dB, drawn uniformly in [lo, hi] per example (lo = hi for a fixed SNR). */
  snrDb: readonly [number, number];
  /** Probability that an example gets noise at all (default 1). */
  p?: number;
}

export interface BatchOptions {
  /** Window length in samples. */
  length: number;
  /** Random placement of short clips (training); otherwise centred. */
  randomOffset?: boolean;
  mix?: NoiseMix;
}

/** Builds a waveform batch [B, length] for clips `idx`, with placement and noise drawn from `rng`. */
export function waveBatch(set: ClipSet, idx: readonly number[], o: BatchOptions, rng: Random): Tensor {
  const b = idx.length;
  const flat = new Float32Array(b * o.length);
  idx.forEach((k, i) => flat.set(fitLength(set.clips[k]!, o.length, o.randomOffset ? rng.nextFloat() : 0.5), i * o.length));
  const x = tensor(flat, { shape: [b, o.length] });
  const mix = o.mix;
  if (!mix || mix.noise.length === 0) return x;
  const nflat = new Float32Array(b * o.length);
  const snr = new Float32Array(b);
  const use = new Float32Array(b);
  for (let i = 0; i < b; i++) {
    const src = mix.noise[rng.int(mix.noise.length)]!;
    if (src.length === 0) throw new FlambeauError("E_ARG", "waveBatch: an empty noise recording", "waveBatch");
    let at = rng.int(Math.max(1, src.length));
    for (let j = 0; j < o.length; j++) {
      nflat[i * o.length + j] = src[at]!;
      at = at + 1 === src.length ? 0 : at + 1; // loop short recordings
    }
    snr[i] = mix.snrDb[0] + rng.nextFloat() * (mix.snrDb[1] - mix.snrDb[0]);
    use[i] = rng.nextFloat() < (mix.p ?? 1) ? 1 : 0;
  }
  return noGrad(() =>
    tidy(() => {
      const noise = tensor(nflat, { shape: [b, o.length] });
      const mixed = addNoise(x, noise, tensor(snr));
      const u = tensor(use).unsqueeze(1);
      return mixed.mul(u).add(x.mul(u.neg().add(1)));
    }),
  );
}
