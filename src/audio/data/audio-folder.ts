// AudioFolder: root/<class>/<clip> (optionally root/train/<class> and root/test/<class>), WAV or
// a compressed format ffmpeg decodes (FLAC, MP3, Ogg, Opus, M4A/AAC), each file mixed down to mono
// and resampled to the target rate on the engine.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { tensor, tidy } from "../../core/index.js";
import { AUDIO_FILE_EXTENSIONS, isAudioFile, readAudioSamples } from "../decode-file.js";
import { resample } from "../resample.js";
import type { ClipSet } from "./clip-set.js";

/** One mono clip at `rate` from an audio file (WAV, FLAC, MP3 …) of any rate and channel count (channels averaged). */
export function readMono(path: string, rate: number): Float32Array {
  const s = readAudioSamples(path);
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

const EXPECTED = `root/<class>/<clip> with clips in ${AUDIO_FILE_EXTENSIONS.join(", ")}`;

/** Reads root/<class>/<clip> (WAV, FLAC, MP3, Ogg, Opus, M4A); `classes` fixes the label order (files of other classes are an error). */
export function readAudioFolder(root: string, o: { sampleRate: number; classes?: readonly string[]; limit?: number }): ClipSet {
  if (!isDir(root)) throw new FlambeauError("E_IO", `AudioFolder: ${root} is not a directory (expected ${EXPECTED})`, "AudioFolder");
  // Folders without audio files (a saved model, notes) are not classes.
  const wavsIn = (d: string) => readdirSync(d).filter(isAudioFile).sort();
  const found = readdirSync(root)
    .filter((d) => isDir(join(root, d)) && wavsIn(join(root, d)).length > 0)
    .sort();
  if (found.length === 0)
    throw new FlambeauError("E_FORMAT", `AudioFolder: ${root} has no class folders with audio files (expected ${EXPECTED})`, "AudioFolder");
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
  if (set.clips.length === 0) throw new FlambeauError("E_FORMAT", `AudioFolder: no audio files under ${root}/<class>/`, "AudioFolder");
  return set;
}

/** root/train and root/test if both exist, else root alone. */
export function audioFolderSplits(root: string): { train: string; test: string | null } {
  return isDir(join(root, "train")) && isDir(join(root, "test"))
    ? { train: join(root, "train"), test: join(root, "test") }
    : { train: root, test: null };
}
