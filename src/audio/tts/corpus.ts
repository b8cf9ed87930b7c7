// The text-to-speech corpus: a parallel set in which every speaker (a synthetic voice, spoken
// at its default rate and pitch so it stays one consistent speaker) reads the same sentences
// of the speech-to-text grammar (../data/sentence-set.ts). Held-out test sentences are texts no
// speaker reads in training; each utterance carries its phonemes in its voice's accent and its
// log-mel target. `--data tts-synth?speakers=4&sentences=200&test=8` sets the sizes (200
// training sentences by default: with 40, the model's mels were still farther from the
// reference than the per-phoneme lookup's).
import { FlambeauError } from "../../core/errors.js";
import { tensor } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { readMono } from "../data/audio-folder.js";
import { type FrontendConfig, logMel } from "../data/frontend.js";
import { randomSentence } from "../data/sentence-set.js";
import { parseSpec, specNumber } from "../data/sources.js";
import { defaultCacheDir } from "../speech/cache.js";
import { generateUtterances } from "../speech/generate.js";
import { allVoices, type Voice } from "../speech/voices.js";
import { phonemize, phonemizeAll, phonemizerVoice } from "./phonemes.js";

export const TTS_DATA = "tts-synth";
/** Two espeak-ng voices (US, British RP) and two flite voices (a female and a Scottish male). */
export const DEFAULT_SPEAKERS = ["espeak-ng:en-us+m3", "espeak-ng:en-gb-x-rp+f3", "flite:slt", "flite:awb"] as const;

export interface TtsUtterance {
  text: string;
  speaker: number;
  phones: string[];
  /** The reference recording (16 kHz mono WAV). */
  file: string;
}

export interface TtsCorpus {
  /** Voice ids; a speaker's index is its embedding row. */
  speakers: string[];
  train: TtsUtterance[];
  val: TtsUtterance[];
  test: TtsUtterance[];
  description: string;
}

function voiceById(id: string): Voice {
  const v = allVoices().find((x) => x.id === id);
  if (!v)
    throw new FlambeauError(
      "E_ARG",
      `${TTS_DATA}: unknown voice ${JSON.stringify(id)}; voices look like "espeak-ng:en-us+m3" or "flite:slt"`,
      TTS_DATA,
    );
  return v;
}

/** The corpus a `--data` spec names (only tts-synth, with its size options). */
export async function ttsCorpus(spec: string, o: { seed?: number; log?: (l: string) => void } = {}): Promise<TtsCorpus> {
  const { name, params } = parseSpec(spec);
  if (name !== TTS_DATA)
    throw new FlambeauError("E_ARG", `text-to-speech: unknown data ${JSON.stringify(name)}; use ${TTS_DATA}`, TTS_DATA);
  const nSpk = specNumber(params, "speakers", DEFAULT_SPEAKERS.length, TTS_DATA);
  const nTrain = specNumber(params, "sentences", 200, TTS_DATA);
  const nTest = specNumber(params, "test", 8, TTS_DATA);
  const nVal = specNumber(params, "val", 4, TTS_DATA);
  const ids = params.get("voices")?.split(",") ?? DEFAULT_SPEAKERS.slice(0, nSpk);
  for (const [k, v] of [
    ["speakers", ids.length],
    ["sentences", nTrain],
    ["test", nTest],
    ["val", nVal],
  ] as const)
    if (!Number.isInteger(v) || v < 1 || v > 5000)
      throw new FlambeauError("E_ARG", `${TTS_DATA}: ${k} must be an integer in [1, 5000], got ${v}`, TTS_DATA);
  if (ids.length > DEFAULT_SPEAKERS.length && !params.get("voices"))
    throw new FlambeauError(
      "E_ARG",
      `${TTS_DATA}: ${ids.length} speakers asked, ${DEFAULT_SPEAKERS.length} by default; list more with voices=a,b,…`,
      TTS_DATA,
    );
  const voices = ids.map(voiceById);
  // Distinct sentences: the first are held out for test, the next for validation.
  const rng = new Random(o.seed ?? 0, 707);
  const texts = new Set<string>();
  const want = nTrain + nTest + nVal;
  for (let tries = 0; texts.size < want && tries < want * 50; tries++) texts.add(randomSentence(rng));
  if (texts.size < want)
    throw new FlambeauError("E_ARG", `${TTS_DATA}: the grammar gave only ${texts.size} distinct sentences, ${want} asked`, TTS_DATA);
  const all = [...texts];
  const specs = voices.flatMap((voice) => all.map((text) => ({ text, voice, rate: 1, pitch: 1 })));
  const gen = await generateUtterances(specs, { cacheDir: defaultCacheDir(), log: o.log });
  for (const accent of new Set(voices.map(phonemizerVoice))) phonemizeAll(all, accent);
  const utts = gen.utterances.map((u) => ({
    text: u.text,
    speaker: voices.indexOf(u.voice),
    phones: phonemize(u.text, phonemizerVoice(u.voice)),
    file: u.file,
  }));
  // Sentence-major order, so a --limit still hears every speaker.
  const split = (lo: number, hi: number) =>
    utts
      .map((u) => ({ u, k: all.indexOf(u.text) }))
      .filter((e) => e.k >= lo && e.k < hi)
      .sort((a, b) => a.k - b.k || a.u.speaker - b.u.speaker)
      .map((e) => e.u);
  return {
    speakers: ids,
    test: split(0, nTest),
    val: split(nTest, nTest + nVal),
    train: split(nTest + nVal, want),
    description: `${TTS_DATA}: ${ids.length} speakers (${ids.join(", ")}) × ${nTrain} training, ${nVal} validation and ${nTest} held-out sentences`,
  };
}

/** Standardised log-mels [nMels × frames] (row-major) of one recording, and its frame count. */
export function melOf(file: string, pre: FrontendConfig): { mel: Float32Array; frames: number } {
  const wave = readMono(file, pre.sampleRate);
  return melOfWave(wave, pre);
}

export function melOfWave(wave: Float32Array, pre: FrontendConfig): { mel: Float32Array; frames: number } {
  const padded = wave.length > pre.nFft ? wave : Float32Array.from({ length: pre.nFft + 1 }, (_, i) => wave[i] ?? 0);
  const x = logMel(tensor(padded, { shape: [1, padded.length] }), pre);
  const frames = x.shape[3]!;
  const mel = (x.contiguous().data() as Float32Array).slice();
  x.dispose();
  return { mel, frames };
}
