// What federated runs train on, for both the simulation and the HTTP server/clients: an
// image set as flat pixels (continual/data.ts), or a built-in audio set as standardised
// log-mels computed once — training clips with one fixed draw of background noise, test
// clips with the set's test noise at its SNR (the held-out voices). Audio sets carry each
// training clip's voice, the key `--partition speaker` cuts clients by.

import { type ClipSet, type NoiseMix, waveBatch } from "../../audio/data/clip-set.js";
import { DEFAULT_FRONTEND, logMel } from "../../audio/data/frontend.js";
import { BUILTIN_AUDIO_SETS, parseSpec, resolveAudioData } from "../../audio/data/sources.js";
import { FlambeauError } from "../../core/errors.js";
import { cat, noGrad, tensor, tidy } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { loadContinualData } from "../continual/data.js";
import type { LocalData } from "./local.js";

export interface FederatedData {
  train: LocalData;
  test: LocalData;
  classes: number;
  /** One example's feature shape: [features] for images, [1, mels, frames] for audio. */
  inputShape: number[];
  /** Per training example, the speaker (or writer) it came from, where the set has one. */
  groups?: string[];
  description: string;
}

export const isAudioSet = (spec: string): boolean => (BUILTIN_AUDIO_SETS as readonly string[]).includes(parseSpec(spec).name);

// A synthetic clip's source is `<voice id> "<text>"`.
const voiceOf = (source: string): string => source.slice(0, source.indexOf(' "') < 0 ? undefined : source.indexOf(' "'));

function features(set: ClipSet, length: number, mix: NoiseMix | undefined, stats: { mean: number; std: number }, seed: number): LocalData {
  const rng = new Random(seed, 29);
  const chunks = [];
  for (let s = 0; s < set.clips.length; s += 256) {
    const idx = Array.from({ length: Math.min(256, set.clips.length - s) }, (_, i) => s + i);
    chunks.push(noGrad(() => tidy(() => logMel(waveBatch(set, idx, { length, mix }, rng), { ...DEFAULT_FRONTEND, ...stats }))));
  }
  const x = cat(chunks, 0);
  for (const c of chunks) c.dispose();
  return { x, y: tensor(set.labels, { dtype: "int64" }) };
}

export async function loadFederatedData(spec: string, o: { seed?: number; log?: (l: string) => void } = {}): Promise<FederatedData> {
  if (!isAudioSet(spec)) {
    const d = await loadContinualData(spec);
    return { train: d.train, test: d.test, classes: d.classes, inputShape: [d.train.x.shape[1]!], description: spec };
  }
  const a = await resolveAudioData(spec, { seed: o.seed, log: o.log });
  if (a.train.clips.length === 0) throw new FlambeauError("E_ARG", `federate: ${spec} has no training clips`);
  // Standardise by the clean training log-mels, as audio-classification does.
  const stats = noGrad(() =>
    tidy(() => {
      const idx = Array.from({ length: Math.min(512, a.train.clips.length) }, (_, i) => i);
      const f = logMel(waveBatch(a.train, idx, { length: a.length }, new Random(0)), { ...DEFAULT_FRONTEND, mean: 0, std: 1 });
      return { mean: f.mean().item(), std: Math.max(1e-3, f.std().item()) };
    }),
  );
  const seed = o.seed ?? 0;
  const train = features(a.train, a.length, a.trainMix, stats, seed);
  const test = features(a.test, a.length, a.testMix, stats, seed + 1);
  return {
    train,
    test,
    classes: a.train.classes.length,
    inputShape: train.x.shape.slice(1),
    groups: a.train.sources.map(voiceOf),
    description: a.description,
  };
}
