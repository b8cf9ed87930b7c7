// Spoken-word data sets made by the synthesizers: keyword spotting (split by voice group, so
// test timbres are never heard in training) and speaker identification (split by word, so a
// speaker is recognised from words it never said in training).
import { Random } from "../../data/random.js";
import { defaultCacheDir } from "../speech/cache.js";
import { type GenerateResult, generateUtterances } from "../speech/generate.js";
import { SYNTH_SAMPLE_RATE, type UtteranceSpec } from "../speech/synth.js";
import { allVoices, ESPEAK_ACCENTS, type Voice, voiceGroups } from "../speech/voices.js";
import { readWavSamples } from "../wav.js";
import type { ClipSet } from "./clip-set.js";

export const DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"] as const;
export const COMMANDS = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"] as const;
export const KEYWORDS: readonly string[] = [...COMMANDS, ...DIGITS];

export interface SpeechSetOptions {
  cacheDir?: string;
  seed?: number;
  concurrency?: number;
  log?: (line: string) => void;
  /** Speaking rate drawn per clip in this range (default [0.8, 1.25]). */
  rate?: readonly [number, number];
  /** Pitch multiplier drawn per clip in this range (default [0.75, 1.35]). */
  pitch?: readonly [number, number];
}

export interface KeywordSetOptions extends SpeechSetOptions {
  words?: readonly string[];
  /** Voice groups used (default all 45: 40 espeak-ng variants and 5 flite voices). */
  groups?: number;
  /** Accents per espeak-ng group (default 2). */
  accentsPerGroup?: number;
  /** Renditions per voice and word, each with its own rate and pitch (default 2). */
  repeats?: number;
  /** Fractions of voice groups held out for validation and test (default 0.1, 0.2). */
  valFraction?: number;
  testFraction?: number;
}

export interface SpeechSplits {
  train: ClipSet;
  val: ClipSet;
  test: ClipSet;
  generation: Omit<GenerateResult, "utterances">;
  description: string;
}

// A clip's rate and pitch depend only on (seed, voice, text, repeat), so growing a set keeps its old clips.
function variation(o: SpeechSetOptions, voice: Voice, text: string, rep: number): { rate: number; pitch: number } {
  let h = 0;
  for (const ch of `${voice.id}|${text}`) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  const r = new Random(o.seed ?? 0, h, rep);
  const [r0, r1] = o.rate ?? [0.8, 1.25];
  const [p0, p1] = o.pitch ?? [0.75, 1.35];
  return { rate: +(r0 + (r1 - r0) * r.nextFloat()).toFixed(3), pitch: +(p0 + (p1 - p0) * r.nextFloat()).toFixed(3) };
}

function toClipSet(
  utts: { file: string; text: string; voice: Voice }[],
  labelOf: (u: { text: string; voice: Voice }) => number,
  classes: string[],
): ClipSet {
  return {
    clips: utts.map((u) => readWavSamples(u.file).data[0]!),
    labels: utts.map(labelOf),
    classes,
    sampleRate: SYNTH_SAMPLE_RATE,
    sources: utts.map((u) => `${u.voice.id} "${u.text}"`),
  };
}

/** The generated keyword-spotting set: words × voices × renditions, split by voice group. */
export async function keywordSet(o: KeywordSetOptions = {}): Promise<SpeechSplits> {
  const words = [...(o.words ?? KEYWORDS)];
  const rng = new Random(o.seed ?? 0, 101);
  const groups = rng.shuffle(voiceGroups()).slice(0, o.groups ?? 45);
  const perGroup = o.accentsPerGroup ?? 2;
  const voices = allVoices();
  const chosen: Voice[] = [];
  for (const g of groups) {
    const vs = voices.filter((v) => v.group === g);
    chosen.push(...(vs.length > 1 ? rng.shuffle([...vs]).slice(0, perGroup) : vs));
  }
  const nTest = Math.max(1, Math.round(groups.length * (o.testFraction ?? 0.2)));
  const nVal = Math.max(1, Math.round(groups.length * (o.valFraction ?? 0.1)));
  const testG = new Set(groups.slice(0, nTest));
  const valG = new Set(groups.slice(nTest, nTest + nVal));
  const specs: UtteranceSpec[] = [];
  for (const voice of chosen)
    for (const text of words) for (let k = 0; k < (o.repeats ?? 2); k++) specs.push({ text, voice, ...variation(o, voice, text, k) });
  const gen = await generateUtterances(specs, { cacheDir: o.cacheDir ?? defaultCacheDir(), concurrency: o.concurrency, log: o.log });
  const label = (u: { text: string }) => words.indexOf(u.text);
  const part = (keep: (g: string) => boolean) =>
    toClipSet(
      gen.utterances.filter((u) => keep(u.voice.group)),
      label,
      words,
    );
  const { utterances: _u, ...generation } = gen;
  return {
    train: part((g) => !testG.has(g) && !valG.has(g)),
    val: part((g) => valG.has(g)),
    test: part((g) => testG.has(g)),
    generation,
    description: `${words.length} words × ${chosen.length} voices (${groups.length} timbre groups; ${nTest} test groups: ${[...testG].join(", ")}) × ${o.repeats ?? 2} renditions`,
  };
}

export interface SpeakerSetOptions extends SpeechSetOptions {
  /** Number of speakers (default 10), one voice per timbre group, all accents mixed in. */
  speakers?: number;
  /** Words spoken in training; the rest of KEYWORDS are test/validation words. */
  trainWords?: number;
  repeats?: number;
}

/** Speaker identification among synthetic voices, split by word (text-independent). */
export async function speakerSet(o: SpeakerSetOptions = {}): Promise<SpeechSplits> {
  const rng = new Random(o.seed ?? 0, 202);
  const all = allVoices();
  const groups = rng.shuffle(voiceGroups().filter((g) => g.startsWith("espeak-ng:"))).slice(0, o.speakers ?? 10);
  const voices = groups.map(
    (g, i) => all.find((v) => v.group === g && v.name.startsWith(`${ESPEAK_ACCENTS[i % ESPEAK_ACCENTS.length]}+`))!,
  );
  const words = rng.shuffle([...KEYWORDS]);
  const nTrain = o.trainWords ?? 14;
  const specs: UtteranceSpec[] = [];
  for (const voice of voices)
    for (const text of words) for (let k = 0; k < (o.repeats ?? 2); k++) specs.push({ text, voice, ...variation(o, voice, text, k) });
  const gen = await generateUtterances(specs, { cacheDir: o.cacheDir ?? defaultCacheDir(), concurrency: o.concurrency, log: o.log });
  const classes = voices.map((v) => v.id);
  const label = (u: { voice: Voice }) => classes.indexOf(u.voice.id);
  const trainW = new Set(words.slice(0, nTrain));
  const valW = new Set(words.slice(nTrain, nTrain + 2));
  const part = (keep: (t: string) => boolean) =>
    toClipSet(
      gen.utterances.filter((u) => keep(u.text)),
      label,
      classes,
    );
  const { utterances: _u, ...generation } = gen;
  return {
    train: part((t) => trainW.has(t)),
    val: part((t) => valW.has(t)),
    test: part((t) => !trainW.has(t) && !valW.has(t)),
    generation,
    description: `${voices.length} speakers × ${words.length} words × ${o.repeats ?? 2}; train words ${[...trainW].join(" ")}; test words ${words.filter((w) => !trainW.has(w) && !valW.has(w)).join(" ")}`,
  };
}
