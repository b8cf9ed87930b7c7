// The classic audio pipeline of the shallow side of `flambeau compare`: MFCC statistics
// (mean, std, min, max of 13 MFCCs and their deltas over the clip) under a logistic
// regression, on the very clips audio-classification's deep model sees: the same training
// subset for a given seed and limit, its validation clips, and its test clips mixed with the
// same test noise in the same order as `evaluate`.

import { cat, type Tensor, tensor, tidy } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { sampleKeys } from "../../data/split-keys.js";
import { untrainedIndices } from "../../data/split-overlap.js";
import type { ShallowPipeline, ShallowSplits } from "../../tasks/baseline.js";
import { type ClipSet, type NoiseMix, subsetOf, waveBatch } from "../data/clip-set.js";
import { resolveAudioData } from "../data/sources.js";
import { MfccStats } from "./mfcc-stats.js";

/** Clips and how they are heard: window length, background noise and the noise stream. */
export interface AudioExamples {
  set: ClipSet;
  length: number;
  mix?: NoiseMix;
  rng: () => Random;
}

const BATCH = 128;

/** MFCC-statistics features of every clip [N, 104], batch by batch as audio-classification evaluates. */
export function audioShallowFeatures(e: AudioExamples, extractor: MfccStats): Tensor {
  return tidy(() => {
    const rng = e.rng();
    const parts: Tensor[] = [];
    for (let s = 0; s < e.set.clips.length; s += BATCH) {
      const idx = Array.from({ length: Math.min(BATCH, e.set.clips.length - s) }, (_, i) => s + i);
      parts.push(extractor.forward(waveBatch(e.set, idx, { length: e.length, mix: e.mix }, rng)));
    }
    return cat(parts, 0);
  });
}

// One extractor per sample rate for the process: its filter bank and DCT are reused by every run.
const extractors = new Map<number, MfccStats>();
function extractorFor(sampleRate: number): MfccStats {
  let e = extractors.get(sampleRate);
  if (!e) extractors.set(sampleRate, (e = new MfccStats({ sampleRate })));
  return e;
}

const labels = (s: ClipSet): Tensor => tensor(BigInt64Array.from(s.labels, BigInt));

export const audioShallowPipeline: ShallowPipeline<AudioExamples> = {
  name: "MFCC + delta statistics → logistic regression",
  async load(data, o): Promise<ShallowSplits<AudioExamples>> {
    const d = await resolveAudioData(data, { seed: o.seed });
    let train = d.train;
    // audio-classification's --limit: the first `limit` clips of this seeded permutation.
    if (o.limit !== undefined && o.limit < train.clips.length)
      train = subsetOf(train, Array.from(new Random(o.seed, 505).permutation(train.clips.length)).slice(0, o.limit));
    const extractor = extractorFor(train.sampleRate);
    // audio-classification's evaluate resolves the data with seed 0, whatever the training seed.
    const read = o.seed === 0 ? d.test : (await resolveAudioData(data, { seed: 0, classes: d.train.classes })).test;
    // One AudioFolder: test on the clips this seed's training did not use (what eval scores then).
    const untrained = untrainedIndices(sampleKeys(train.clips), sampleKeys(read.clips));
    const test = untrained ? subsetOf(read, untrained) : read;
    // Training clips are heard once through the training noise (a practitioner's one-shot
    // augmentation); validation and test clips as the deep model's evaluation hears them.
    const ex = (set: ClipSet, mix: NoiseMix | undefined, rng: () => Random) => ({
      x: { set, length: d.length, mix, rng },
      y: labels(set),
      n: set.clips.length,
    });
    return {
      train: ex(train, d.trainMix, () => new Random(o.seed, 1)),
      val: ex(d.val, d.testMix, () => new Random(o.seed, 0)),
      test: ex(test, d.testMix, () => new Random(0, 0)),
      classes: d.train.classes,
      available: d.train.clips.length,
      features: (x) => audioShallowFeatures(x, extractor),
    };
  },
  dispose(s) {
    for (const t of [s.train.y, s.val.y, s.test.y]) t.dispose();
  },
};
