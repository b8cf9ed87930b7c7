// Utterances with transcripts for speech to text, and what `--data` names for the
// automatic-speech-recognition task: the generated sentence set (`speech-sentences-synth`,
// split by voice group), the real recordings of Debian's pocketsphinx-testdata
// (`pocketsphinx-testdata`, evaluation only), or a user TSV of `path<TAB>transcript` lines.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, isAbsolute, join, resolve } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { tensor, tidy } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { normalizeTranscript } from "../metrics/asr.js";
import { resample } from "../resample.js";
import { defaultCacheDir } from "../speech/cache.js";
import { SYNTH_SAMPLE_RATE } from "../speech/synth.js";
import { readWavSamples } from "../wav.js";
import { readMono } from "./audio-folder.js";
import type { NoiseMix } from "./clip-set.js";
import { sentenceSet } from "./sentence-set.js";
import { noiseSplits, parseSpec, specNumber } from "./sources.js";

export interface TranscribedSet {
  clips: Float32Array[];
  /** Normalised transcripts (lower case, a–z, apostrophe, single spaces). */
  texts: string[];
  sampleRate: number;
  /** Where each clip came from (voice, file …), for reports. */
  sources: string[];
  /** The decoding grammar (a JSGF or FSG file) that comes with each clip, null where none does. */
  grammars?: (string | null)[];
}

export const subsetTranscribed = (s: TranscribedSet, idx: readonly number[]): TranscribedSet => ({
  ...s,
  clips: idx.map((i) => s.clips[i]!),
  texts: idx.map((i) => s.texts[i]!),
  sources: idx.map((i) => s.sources[i]!),
  ...(s.grammars ? { grammars: idx.map((i) => s.grammars![i]!) } : {}),
});

export const BUILTIN_ASR_SETS = ["speech-sentences-synth", "pocketsphinx-testdata"] as const;

export interface AsrData {
  train: TranscribedSet;
  val: TranscribedSet;
  test: TranscribedSet;
  /** Background noise mixed into training clips, and into validation/test at a fixed SNR. */
  trainMix?: NoiseMix;
  testMix?: NoiseMix;
  description: string;
  /** False for evaluation-only sets (pocketsphinx-testdata). */
  trainable: boolean;
}

const TSV = "transcript TSV";

/** Checks a transcript can be spelled in the CTC alphabet (digits must be written as words). */
function checkTranscript(text: string, where: string): string {
  if (/[0-9]/.test(text))
    throw new FlambeauError(
      "E_FORMAT",
      `${where}: transcript ${JSON.stringify(text)} has digits; spell numbers out ("three", not "3")`,
      TSV,
    );
  return normalizeTranscript(text);
}

/**
 * Reads `path<TAB>transcript` lines (relative paths resolved against the TSV's folder; blank
 * lines, `#` comments and a `path<TAB>transcript` header skipped); each wav is read as mono
 * at `sampleRate`. Errors name the file and line.
 */
export function readTranscriptTsv(file: string, o: { sampleRate?: number } = {}): TranscribedSet {
  const rate = o.sampleRate ?? 16000;
  if (!existsSync(file) || !statSync(file).isFile())
    throw new FlambeauError("E_IO", `${TSV}: ${file} does not exist (expected lines of path<TAB>transcript)`, TSV);
  const base = dirname(resolve(file));
  const set: TranscribedSet = { clips: [], texts: [], sampleRate: rate, sources: [] };
  readFileSync(file, "utf8")
    .split(/\r?\n/)
    .forEach((line, i) => {
      const where = `${file}:${i + 1}`;
      if (line.trim() === "" || line.startsWith("#")) return;
      if (i === 0 && /^path\ttranscript$/i.test(line.trim())) return;
      const tab = line.indexOf("\t");
      if (tab <= 0)
        throw new FlambeauError("E_FORMAT", `${where}: expected path<TAB>transcript, got ${JSON.stringify(line.slice(0, 80))}`, TSV);
      const rel = line.slice(0, tab).trim();
      const path = isAbsolute(rel) ? rel : join(base, rel);
      if (!existsSync(path)) throw new FlambeauError("E_IO", `${where}: audio file ${path} does not exist`, TSV);
      const text = checkTranscript(line.slice(tab + 1), where);
      let clip: Float32Array;
      try {
        clip = readMono(path, rate);
      } catch (e) {
        throw new FlambeauError("E_FORMAT", `${where}: ${(e as Error).message}`, TSV);
      }
      set.clips.push(clip);
      set.texts.push(text);
      set.sources.push(rel);
    });
  if (set.clips.length === 0) throw new FlambeauError("E_FORMAT", `${TSV}: ${file} lists no utterances`, TSV);
  return set;
}

/** Headerless 16-bit little-endian mono PCM at `fileRate`, resampled to `rate`. */
export function readRawPcm16(path: string, fileRate: number, rate: number): Float32Array {
  const buf = readFileSync(path);
  if (buf.length % 2 !== 0)
    throw new FlambeauError("E_FORMAT", `raw PCM: ${path} has an odd number of bytes (${buf.length})`, "readRawPcm16");
  const x = new Float32Array(buf.length / 2);
  for (let i = 0; i < x.length; i++) x[i] = buf.readInt16LE(2 * i) / 32768;
  if (fileRate === rate) return x;
  return tidy(() => resample(tensor(x), fileRate, rate).data() as Float32Array).slice();
}

export const POCKETSPHINX_TESTDATA = "/usr/share/pocketsphinx/test/data";

/**
 * The real recordings of Debian's pocketsphinx-testdata that come with a transcript: five
 * "cards" utterances, five LibriVox sentences (Sense and Sensibility), goforward.raw (the
 * utterance of the package's goforward grammar) and the TIDIGITS file dhd.2934z.raw (its
 * name spells the digits). numbers.raw and something.raw have no transcript and are left out.
 * Each recording carries the grammar the package's own tests decode it with (cards.gram,
 * goforward.gram, tidigits.fsg); the LibriVox sentences have none.
 */
export function pocketsphinxTestdata(o: { root?: string; sampleRate?: number } = {}): TranscribedSet {
  const root = o.root ?? POCKETSPHINX_TESTDATA;
  const rate = o.sampleRate ?? 16000;
  if (!existsSync(root))
    throw new FlambeauError(
      "E_IO",
      `pocketsphinx-testdata: ${root} not found (install the Debian package pocketsphinx-testdata)`,
      "pocketsphinx-testdata",
    );
  const set: TranscribedSet = { clips: [], texts: [], sampleRate: rate, sources: [], grammars: [] };
  const grammar = (rel: string) => (existsSync(join(root, rel)) ? join(root, rel) : null);
  // "<s> words </s> (id)" lines of the package's transcription files.
  const readTrans = (dir: string, file: string, gram: string | null) => {
    for (const line of readFileSync(join(root, dir, file), "utf8").split("\n")) {
      const m = /^\s*(?:<s>)?(.*?)(?:<\/s>)?\s*\(([^)]+)\)\s*$/.exec(line);
      if (!m) continue;
      const wav = join(root, dir, `${m[2]}.wav`);
      if (!existsSync(wav)) continue;
      set.clips.push(readMono(wav, rate));
      set.texts.push(normalizeTranscript(m[1]!));
      set.sources.push(`${dir}/${m[2]}.wav`);
      set.grammars!.push(gram);
    }
  };
  readTrans("cards", "cards.transcription", grammar("cards/cards.gram"));
  readTrans("librivox", "transcription", null);
  for (const [rel, text, gram] of [
    ["goforward.raw", "go forward ten meters", "goforward.gram"],
    ["tidigits/dhd.2934z.raw", "two nine three four zero", "tidigits/lm/tidigits.fsg"],
  ] as const) {
    const p = join(root, rel);
    if (!existsSync(p)) continue;
    set.clips.push(readRawPcm16(p, 16000, rate));
    set.texts.push(text);
    set.sources.push(rel);
    set.grammars!.push(grammar(gram));
  }
  if (set.clips.length === 0)
    throw new FlambeauError("E_IO", `pocketsphinx-testdata: no transcribed recordings under ${root}`, "pocketsphinx-testdata");
  return set;
}

const num = (params: URLSearchParams, key: string, dflt: number): number => specNumber(params, key, dflt, "asrData");

const empty = (rate: number): TranscribedSet => ({ clips: [], texts: [], sampleRate: rate, sources: [] });

/** Resolves a `--data` value of automatic-speech-recognition. */
export async function resolveAsrData(
  spec: string,
  o: { seed?: number; cacheDir?: string; log?: (l: string) => void } = {},
): Promise<AsrData> {
  const { name, params } = parseSpec(spec);
  const cacheDir = o.cacheDir ?? defaultCacheDir();
  const seed = num(params, "seed", o.seed ?? 0);
  if (name === "speech-sentences-synth") {
    const groups = num(params, "groups", 45);
    const s = await sentenceSet({ sentencesPerVoice: num(params, "sentences", 80), groups, seed, cacheDir, log: o.log });
    const toSet = (utts: typeof s.train): TranscribedSet => ({
      clips: utts.map((u) => readWavSamples(u.file).data[0]!),
      texts: utts.map((u) => normalizeTranscript(u.text)),
      sampleRate: SYNTH_SAMPLE_RATE,
      sources: utts.map((u) => `${u.voice.id} "${u.text}"`),
    });
    // Validation voices: a tenth of the training voice groups, never trained on either.
    const trainGroups = [...new Set(s.train.map((u) => u.voice.group))].sort();
    const valG = new Set(new Random(seed, 707).shuffle(trainGroups).slice(0, Math.max(1, Math.round(trainGroups.length / 8))));
    const testGroups = [...new Set(s.test.map((u) => u.voice.group))];
    const noise = await noiseSplits(cacheDir);
    const snr = params.get("snr") === "clean" ? null : num(params, "snr", 20);
    return {
      train: toSet(s.train.filter((u) => !valG.has(u.voice.group))),
      val: toSet(s.train.filter((u) => valG.has(u.voice.group))),
      test: toSet(s.test),
      trainMix: { noise: noise.train, snrDb: [5, 30], p: 0.6 },
      testMix: snr === null ? undefined : { noise: noise.test, snrDb: [snr, snr] },
      description: `generated sentences (digit strings and commands) × ${groups} voice groups; ${valG.size} validation and ${testGroups.length} unseen test groups (${testGroups.join(", ")}); test ${snr === null ? "clean" : `noise at ${snr} dB SNR from unseen recordings`}`,
      trainable: true,
    };
  }
  if (name === "pocketsphinx-testdata") {
    const test = pocketsphinxTestdata({ root: params.get("root") ?? undefined });
    return {
      train: empty(16000),
      val: empty(16000),
      test,
      description: `pocketsphinx-testdata: ${test.clips.length} real recordings (cards, LibriVox, goforward, TIDIGITS)`,
      trainable: false,
    };
  }
  if (extname(name).toLowerCase() === ".tsv" || existsSync(name)) {
    const all = readTranscriptTsv(name);
    const order = Array.from(new Random(seed, 404).permutation(all.clips.length));
    const nVal = all.clips.length >= 10 ? Math.max(1, Math.round(all.clips.length * 0.1)) : 0;
    return {
      train: subsetTranscribed(all, order.slice(nVal)),
      val: subsetTranscribed(all, order.slice(0, nVal)),
      test: all,
      description: `transcript TSV ${name}: ${all.clips.length} utterances`,
      trainable: true,
    };
  }
  throw new FlambeauError(
    "E_ARG",
    `speech data "${spec}": expected ${BUILTIN_ASR_SETS.join(" or ")} (options as ?sentences=80&groups=45&snr=20) or a path<TAB>transcript .tsv file`,
    "asrData",
  );
}
