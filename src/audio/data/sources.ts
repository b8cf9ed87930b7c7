// What `--data` names for audio classification: the generated keyword and speaker sets, the
// supersonic instrument set, or an AudioFolder (any rate and channel count, resampled and
// mixed down; recordings longer than the window cut into windows). Built-in names take options
// as a query string: `speech-commands-synth?groups=20&repeats=1&snr=10`, an AudioFolder
// `window=SECONDS` and `noise=DIR` (background recordings mixed into training clips:
// `my-sounds?window=2&noise=backgrounds`).
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { Random } from "../../data/random.js";
import { AUDIO_FILE_EXTENSIONS, isAudioFile } from "../decode-file.js";
import { defaultCacheDir } from "../speech/cache.js";
import { isNoiseSample, loadSupersonic, supersonicNames } from "../speech/samples.js";
import { audioFolderSplits, readAudioFolder, readMono } from "./audio-folder.js";
import { type ClipSet, type NoiseMix, subsetOf } from "./clip-set.js";
import { instrumentSet } from "./instrument-set.js";
import { musicInstrumentSet, musicStyleSet } from "./music-sets.js";
import { KEYWORDS, keywordSet, type SpeechSplits, speakerSet } from "./speech-sets.js";
import { cutWindows } from "./windows.js";

export const BUILTIN_AUDIO_SETS = [
  "speech-commands-synth",
  "speakers-synth",
  "supersonic-instruments",
  "music-styles",
  "music-instruments",
] as const;

export interface AudioData {
  train: ClipSet;
  val: ClipSet;
  test: ClipSet;
  /** Background noise mixed into training batches, and into validation/test at a fixed SNR. */
  trainMix?: NoiseMix;
  testMix?: NoiseMix;
  /** Window length in samples. */
  length: number;
  description: string;
  generation?: SpeechSplits["generation"];
  /** A built-in set: its figures were tuned with the standard augmentation, which it keeps at any size. */
  builtIn?: boolean;
}

export interface ResolveOptions {
  seed?: number;
  cacheDir?: string;
  log?: (line: string) => void;
  /** Expected class order (evaluation of a saved model). */
  classes?: readonly string[];
  /** An AudioFolder's window in samples (a saved model's); default from its clip lengths. */
  windowLength?: number;
}

/** Every audio file under `dir` (not recursive; WAV, FLAC, MP3 …) as 16 kHz mono: backgrounds for noise mixing. */
function backgrounds(dir: string): Float32Array[] {
  const op = "AudioFolder";
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new FlambeauError("E_IO", `${op}: noise=${dir} is not a directory of background recordings`, op);
  const files = readdirSync(dir).filter(isAudioFile).sort();
  if (files.length === 0)
    throw new FlambeauError("E_FORMAT", `${op}: noise=${dir} holds no audio files (${AUDIO_FILE_EXTENSIONS.join(", ")})`, op);
  return files.map((f) => readMono(join(dir, f), 16000));
}

/** An AudioFolder's window: the 95th percentile of its clip lengths in 10-ms steps, within 0.25–4 s at 16 kHz. */
export function defaultWindow(lengths: readonly number[]): number {
  const lens = [...lengths].sort((a, b) => a - b);
  const p95 = lens[Math.floor(lens.length * 0.95)] ?? 16000;
  return Math.min(64000, Math.max(4000, Math.ceil(p95 / 160) * 160));
}

/** Splits a data-set spec such as `speech-commands-synth?groups=20` into its name and parameters. */
export function parseSpec(spec: string): { name: string; params: URLSearchParams } {
  const q = spec.indexOf("?");
  return q < 0 ? { name: spec, params: new URLSearchParams() } : { name: spec.slice(0, q), params: new URLSearchParams(spec.slice(q + 1)) };
}

/** A numeric spec parameter, `dflt` when absent; `op` names the caller in the error. */
export function specNumber(params: URLSearchParams, key: string, dflt: number, op = "audioData"): number {
  const v = params.get(key);
  if (v === null) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new FlambeauError("E_ARG", `${op}: option ${key}=${JSON.stringify(v)} is not a number`, op);
  return n;
}
const num = (params: URLSearchParams, key: string, dflt: number): number => specNumber(params, key, dflt);

/** Background noise recordings, split by file into training and test noise. */
export async function noiseSplits(cacheDir: string): Promise<{ train: Float32Array[]; test: Float32Array[] }> {
  const decoded = await loadSupersonic(supersonicNames(isNoiseSample), cacheDir);
  const train: Float32Array[] = [];
  const test: Float32Array[] = [];
  // Every third recording is test noise, so test clips are mixed with noise never heard in training.
  decoded.forEach((d, i) => (i % 3 === 2 ? test : train).push(d.samples));
  return { train, test };
}

/** Resolves a `--data` value to train/val/test clip sets with their noise settings. */
export async function resolveAudioData(spec: string, o: ResolveOptions = {}): Promise<AudioData> {
  const { name, params } = parseSpec(spec);
  const cacheDir = o.cacheDir ?? defaultCacheDir();
  const seed = num(params, "seed", o.seed ?? 0);
  const common = { cacheDir, seed, log: o.log };
  if (name === "speech-commands-synth" || name === "keywords-synth") {
    const nWords = num(params, "words", KEYWORDS.length);
    const s = await keywordSet({
      ...common,
      words: KEYWORDS.slice(0, nWords),
      groups: num(params, "groups", 45),
      accentsPerGroup: num(params, "accents", 2),
      repeats: num(params, "repeats", 2),
    });
    const noise = await noiseSplits(cacheDir);
    const snr = num(params, "snr", 10);
    return {
      ...s,
      trainMix: { noise: noise.train, snrDb: [Math.min(5, snr), 25], p: 0.8 },
      testMix: { noise: noise.test, snrDb: [snr, snr] },
      length: 16000,
      builtIn: true,
      description: `${s.description}; test noise at ${snr} dB SNR from unseen recordings`,
    };
  }
  if (name === "speakers-synth") {
    const s = await speakerSet({ ...common, speakers: num(params, "speakers", 10), repeats: num(params, "repeats", 2) });
    const noise = await noiseSplits(cacheDir);
    const snr = num(params, "snr", 20);
    return {
      ...s,
      trainMix: { noise: noise.train, snrDb: [Math.min(5, snr), 30], p: 0.7 },
      testMix: { noise: noise.test, snrDb: [snr, snr] },
      length: 16000,
      builtIn: true,
      description: `${s.description}; test noise at ${snr} dB SNR`,
    };
  }
  if (name === "supersonic-instruments") {
    const s = await instrumentSet(common);
    const noise = await noiseSplits(cacheDir);
    return { ...s, trainMix: { noise: noise.train, snrDb: [15, 40], p: 0.5 }, length: 16000, builtIn: true };
  }
  if (name === "music-styles" || name === "music-instruments") {
    const window = num(params, "window", 3);
    // The music cache (cacheRoot) holds the MIDI renderings the fingerprinting task shares.
    const s = await (name === "music-styles" ? musicStyleSet : musicInstrumentSet)({
      seed,
      log: o.log,
      window,
      perPiece: num(params, "perPiece", 12),
      ...(params.get("pieces") !== null ? { pieces: num(params, "pieces", 0) } : {}),
      maxSeconds: num(params, "maxSeconds", 60),
    });
    const noise = await noiseSplits(cacheDir);
    return { ...s, trainMix: { noise: noise.train, snrDb: [10, 40], p: 0.5 }, length: Math.round(window * 16000), builtIn: true };
  }
  // A folder whose own name holds "?" is still a folder; otherwise "dir?window=2" has options.
  const root = existsSync(spec) && statSync(spec).isDirectory() ? spec : name;
  const { train: trainDir, test: testDir } = audioFolderSplits(root);
  const all = readAudioFolder(trainDir, { sampleRate: 16000, classes: o.classes });
  const test = testDir ? readAudioFolder(testDir, { sampleRate: 16000, classes: all.classes }) : all;
  // Split by file before cutting windows, so windows of one recording never land on both sides.
  const rng = new Random(seed, 404);
  const order = rng.permutation(all.clips.length);
  const nVal = Math.max(1, Math.round(all.clips.length * 0.1));
  const val = subsetOf(all, Array.from(order.subarray(0, nVal)));
  const train = subsetOf(all, Array.from(order.subarray(nVal)));
  const windowParam = params.get("window") !== null && root !== spec ? num(params, "window", 1) : undefined;
  if (windowParam !== undefined && !(windowParam >= 0.05 && windowParam <= 60))
    throw new FlambeauError("E_ARG", `AudioFolder ${root}: window must be in [0.05, 60] seconds, got ${windowParam}`, "AudioFolder");
  const length =
    o.windowLength ?? (windowParam !== undefined ? Math.round(windowParam * 16000) : defaultWindow(all.clips.map((c) => c.length)));
  const cut = { train: cutWindows(train, length), val: cutWindows(val, length), test: cutWindows(test, length) };
  const noiseDir = root !== spec ? params.get("noise") : null;
  const trainMix = noiseDir === null ? undefined : { noise: backgrounds(noiseDir), snrDb: [5, 25] as const, p: 0.8 };
  const files = all.clips.length + (testDir ? test.clips.length : 0);
  const windows = cut.train.clips.length + cut.val.clips.length + (testDir ? cut.test.clips.length : 0);
  return {
    ...cut,
    ...(trainMix ? { trainMix } : {}),
    length,
    description: `AudioFolder ${root}: ${all.clips.length} clips, ${all.classes.length} classes${testDir ? ", test from test/" : ""}, window ${(length / 16000).toFixed(2)} s${windows > files ? ` (long recordings cut: ${files} files → ${windows} windows)` : ""}`,
  };
}
