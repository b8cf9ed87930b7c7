// AudioFolder: root/<class>/*.wav (optionally root/train/<class> and root/test/<class>), each
// file mixed down to mono and resampled to the target rate on the engine.
import { existsSync, readdirSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { tensor, tidy } from "../../core/index.js";
import { resample } from "../resample.js";
import { readWavSamples } from "../wav.js";
import type { ClipSet } from "./clip-set.js";

/** One mono clip at `rate` from a WAV file of any rate and channel count (channels averaged). */
export function readMono(path: string, rate: number): Float32Array {
  const s = readWavSamples(path);
  if (s.frames === 0) throw new FlambeauError("E_FORMAT", `readMono: ${path}: no samples (an empty recording)`, "readMono");
  let mono = s.data[0]!;
  if (s.channels > 1) {
    mono = new Float32Array(s.frames);
    for (const c of s.data) for (let i = 0; i < s.frames; i++) mono[i]! += c[i]! / s.channels;
  }
  if (s.sampleRate === rate) return mono;
  try {
    return tidy(() => resample(tensor(mono), s.sampleRate, rate).data() as Float32Array).slice();
  } catch (e) {
    // The resampler's message names the rates, not the file the person has to look at.
    if (e instanceof FlambeauError) throw new FlambeauError(e.code, `readMono: ${path} (${s.sampleRate} Hz): ${e.message}`, "readMono");
    throw e;
  }
}

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

/** Reads root/<class>/*.wav; `classes` fixes the label order (files of other classes are an error). */
export function readAudioFolder(root: string, o: { sampleRate: number; classes?: readonly string[]; limit?: number }): ClipSet {
  if (!isDir(root)) throw new FlambeauError("E_IO", `AudioFolder: ${root} is not a directory (expected root/<class>/*.wav)`, "AudioFolder");
  // Folders without .wav files (a saved model, notes) are not classes.
  const wavsIn = (d: string) =>
    readdirSync(d)
      .filter((f) => extname(f).toLowerCase() === ".wav")
      .sort();
  const found = readdirSync(root)
    .filter((d) => isDir(join(root, d)) && wavsIn(join(root, d)).length > 0)
    .sort();
  if (found.length === 0)
    throw new FlambeauError(
      "E_FORMAT",
      `AudioFolder: ${root} has no class folders with .wav files (expected root/<class>/*.wav)`,
      "AudioFolder",
    );
  const classes = o.classes ? [...o.classes] : found;
  const unknown = found.filter((c) => !classes.includes(c));
  if (unknown.length)
    throw new FlambeauError(
      "E_FORMAT",
      `AudioFolder: ${root} has classes the model does not know: ${unknown.join(", ")} (known: ${classes.join(", ")})`,
      "AudioFolder",
    );
  const set: ClipSet = { clips: [], labels: [], classes, sampleRate: o.sampleRate, sources: [] };
  for (const c of found) {
    const files = wavsIn(join(root, c));
    for (const f of files) {
      if (o.limit !== undefined && set.clips.length >= o.limit) break;
      const p = join(root, c, f);
      set.clips.push(readMono(p, o.sampleRate));
      set.labels.push(classes.indexOf(c));
      set.sources.push(p);
    }
  }
  if (set.clips.length === 0) throw new FlambeauError("E_FORMAT", `AudioFolder: no .wav files under ${root}/<class>/`, "AudioFolder");
  return set;
}

/** root/train and root/test if both exist, else root alone. */
export function audioFolderSplits(root: string): { train: string; test: string | null } {
  return isDir(join(root, "train")) && isDir(join(root, "test"))
    ? { train: join(root, "train"), test: join(root, "test") }
    : { train: root, test: null };
}
