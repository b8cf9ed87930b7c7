// The augmentation of audio classification's default recipe, sized to the training set. On a
// small user set (< 5,000 clips) a network memorises the clips' exact placement and spectrum,
// so the recipe adds what a larger set would vary by itself: two time and two frequency masks
// (SpecAugment) and a random time shift of up to a tenth of the window, with background noise
// mixed in when the set brings some (an AudioFolder's `?noise=DIR`). The built-in sets keep the
// recipe their README figures were tuned with. Synthetic coloured noise is opt-in: on held-out
// voices of small keyword AudioFolders (scripts/kws-audiofolder.mjs) it did not help. Every
// draw comes from the loader's seeded Random, so a seed gives the same augmented batches.
import { Random } from "../../data/random.js";
import type { MaskOptions } from "../augment.js";
import type { NoiseMix } from "./clip-set.js";

/** Below this many training clips the default recipe augments more. */
export const SMALL_SET_CLIPS = 5000;

export interface AugmentRecipe {
  small: boolean;
  /** SpecAugment time masks (widths in frames) and frequency masks (widths in mel bands). */
  timeMask: MaskOptions;
  freqMask: MaskOptions;
  /** Largest random shift of the waveform in samples, either way (0: none). */
  maxShift: number;
  /** Noise mixed into training batches. */
  mix?: NoiseMix;
  /** One line for the training log. */
  summary: string;
}

/** What `flambeau tasks` says the default adapts to. */
export const RECIPE_NOTE =
  `the default recipe adapts to the training set: an AudioFolder of under ${SMALL_SET_CLIPS.toLocaleString("en")} clips gets two ` +
  "time and two frequency masks and a random shift of up to 10 % of the window, larger ones and the built-in sets (tuned " +
  "with it) one mask of each; noise is mixed in when the data brings it (built-in sets, an AudioFolder's ?noise=DIR); " +
  "epochs 60,000 / clips (8–40); all draws seeded by --seed";

/**
 * Seconds of white, pink and brown noise at `sampleRate`, each at unit RMS (pink by Paul
 * Kellett's three-pole filter, brown by a leaky integral): backgrounds for code that wants
 * noise mixing on a set that brings none (`augmentRecipe(…, { syntheticNoise: true })`).
 */
export function colouredNoise(sampleRate: number, seconds = 4, seed = 0): Float32Array[] {
  const n = Math.max(1, Math.round(sampleRate * seconds));
  const rng = new Random(seed, 9091);
  const white = new Float32Array(n);
  for (let i = 0; i < n; i++) white[i] = 2 * rng.nextFloat() - 1;
  const pink = new Float32Array(n);
  const brown = new Float32Array(n);
  let [b0, b1, b2, br] = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const w = white[i]!;
    b0 = 0.99765 * b0 + w * 0.099046;
    b1 = 0.963 * b1 + w * 0.2965164;
    b2 = 0.57 * b2 + w * 1.0526913;
    pink[i] = b0 + b1 + b2 + w * 0.1848;
    br = 0.995 * br + w * 0.05;
    brown[i] = br;
  }
  return [white, pink, brown].map((x) => {
    let e = 0;
    for (const v of x) e += v * v;
    const s = 1 / Math.sqrt(Math.max(e / x.length, 1e-20));
    return x.map((v) => v * s);
  });
}

/**
 * The augmentation for `clips` training clips of `window` samples (`frames` log-mel frames);
 * `mix` is the set's own noise; `syntheticNoise` mixes coloured noise into a small set without
 * any; `tuned` (a built-in set, whose figures were tuned with it) keeps the standard recipe.
 */
export function augmentRecipe(
  clips: number,
  o: { window: number; frames: number; sampleRate: number; mix?: NoiseMix; syntheticNoise?: boolean; tuned?: boolean },
): AugmentRecipe {
  if (clips >= SMALL_SET_CLIPS || o.tuned)
    return {
      small: false,
      timeMask: { maxWidth: 10 },
      freqMask: { maxWidth: 5 },
      maxShift: 0,
      ...(o.mix ? { mix: o.mix } : {}),
      summary: `augmentation: 1 time and 1 frequency mask${o.mix ? ", the set's noise" : ""}`,
    };
  const mix = o.mix ?? (o.syntheticNoise ? { noise: colouredNoise(o.sampleRate), snrDb: [10, 30] as const, p: 0.5 } : undefined);
  const maxShift = Math.floor(o.window / 10);
  const noise = o.mix ? ", the set's noise" : mix ? `, coloured noise at ${mix.snrDb[0]}–${mix.snrDb[1]} dB SNR (p ${mix.p})` : "";
  return {
    small: true,
    timeMask: { maxWidth: Math.max(4, Math.round(o.frames / 10)), count: 2 },
    freqMask: { maxWidth: 8, count: 2 },
    maxShift,
    ...(mix ? { mix } : {}),
    summary: `small set (< ${SMALL_SET_CLIPS} clips): 2 time and 2 frequency masks, shift ±${maxShift} samples${noise}`,
  };
}
