// A conversation mixed from single-speaker utterances: each utterance starts after a pause
// after the previous one ends, or — with probability `overlapP` — before it ends, so two
// voices overlap. Every utterance's span becomes one reference turn, so the RTTM is exact by
// construction (the clips are silence-trimmed: a turn starts and ends with speech).
import { FlambeauError } from "../../core/errors.js";
import type { Random } from "../../data/random.js";
import type { SpeakerTurn } from "./turns.js";

export interface ConversationClip {
  speaker: string;
  samples: Float32Array;
}

export interface MixOptions {
  sampleRate: number;
  /** Pause between turns, seconds (default [0.2, 1.0]). */
  pause?: readonly [number, number];
  /** Probability that a turn starts before the previous one ends (default 0.2). */
  overlapP?: number;
  /** Longest overlap, seconds; never more than half of either utterance (default 1.0). */
  overlapMax?: number;
  /** Silence before the first and after the last turn, seconds (default 0.5). */
  margin?: number;
  /** Level of the background white noise relative to full scale, dB (default −60; -Infinity: none). */
  noiseDb?: number;
}

export interface Conversation {
  wave: Float32Array;
  turns: SpeakerTurn[];
  sampleRate: number;
}

/** Mixes `clips` in order into one recording with its exact reference turns. */
export function mixConversation(clips: readonly ConversationClip[], rng: Random, o: MixOptions): Conversation {
  const sr = o.sampleRate;
  const [p0, p1] = o.pause ?? [0.2, 1.0];
  const overlapP = o.overlapP ?? 0.2;
  const overlapMax = o.overlapMax ?? 1.0;
  if (!(p0 >= 0 && p1 >= p0) || !(overlapP >= 0 && overlapP <= 1) || !(overlapMax >= 0))
    throw new FlambeauError(
      "E_ARG",
      `mixConversation: bad pause [${p0}, ${p1}], overlapP ${overlapP} or overlapMax ${overlapMax}`,
      "mixConversation",
    );
  const margin = Math.round((o.margin ?? 0.5) * sr);
  const starts: number[] = [];
  let prevStart = margin;
  let prevEnd = margin;
  let prevLen = 0;
  for (const c of clips) {
    // Draw both every time, so the stream does not depend on which branch is taken.
    const u = rng.nextFloat();
    const v = rng.nextFloat();
    let at: number;
    if (starts.length > 0 && u < overlapP) {
      const most = Math.min(overlapMax * sr, prevLen / 2, c.samples.length / 2);
      at = Math.max(prevStart + 1, prevEnd - Math.round((0.3 + 0.7 * v) * most));
    } else at = starts.length === 0 ? margin : prevEnd + Math.round((p0 + (p1 - p0) * v) * sr);
    starts.push(at);
    prevStart = at;
    prevLen = c.samples.length;
    prevEnd = Math.max(prevEnd, at + c.samples.length);
  }
  const wave = new Float32Array(prevEnd + margin);
  clips.forEach((c, i) => {
    const at = starts[i]!;
    for (let j = 0; j < c.samples.length; j++) wave[at + j]! += c.samples[j]!;
  });
  const noiseDb = o.noiseDb ?? -60;
  if (Number.isFinite(noiseDb)) {
    const a = 10 ** (noiseDb / 20) * Math.sqrt(3); // uniform noise with that RMS
    for (let j = 0; j < wave.length; j++) wave[j]! += a * (2 * rng.nextFloat() - 1);
  }
  const turns = clips.map((c, i) => ({ start: starts[i]! / sr, end: (starts[i]! + c.samples.length) / sr, speaker: c.speaker }));
  return { wave, turns, sampleRate: sr };
}

/** A speaker order for `n` turns among `speakers`: every speaker speaks, never twice in a row. */
export function turnOrder(speakers: number, n: number, rng: Random): number[] {
  if (!(Number.isInteger(speakers) && speakers >= 1 && Number.isInteger(n) && n >= speakers))
    throw new FlambeauError("E_ARG", `turnOrder: need integers 1 ≤ speakers ≤ turns, got ${speakers} speakers, ${n} turns`, "turnOrder");
  const out = Array.from(rng.permutation(speakers));
  while (out.length < n) {
    const last = out[out.length - 1]!;
    let s = rng.int(speakers);
    if (speakers > 1 && s === last) s = (s + 1 + rng.int(speakers - 1)) % speakers;
    out.push(s);
  }
  return out;
}
