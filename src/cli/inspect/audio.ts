// data inspect for an AudioFolder: each clip's class, length in seconds and a key of its
// file's bytes; a clip that does not decode (WAV, or FLAC/MP3/Ogg/M4A through ffmpeg) is a
// problem naming the file.
import { readFileSync } from "node:fs";
import { AUDIO_FILE_EXTENSIONS, readAudioSamples } from "../../audio/decode-file.js";
import { exampleKey } from "../../data/split-keys.js";
import { classFiles } from "./class-folders.js";
import { addProblem, type Scan } from "./scan.js";

export function scanAudioFolder(root: string): Scan {
  const scan: Scan = { path: root, format: "AudioFolder", items: [], problems: [] };
  for (const { file, label } of classFiles(root, AUDIO_FILE_EXTENSIONS, scan)) {
    try {
      const s = readAudioSamples(file);
      scan.items.push({ key: exampleKey(readFileSync(file)), where: file, label, seconds: s.frames / s.sampleRate });
    } catch (e) {
      addProblem(scan, `${file}: unreadable audio (${(e as Error).message})`);
    }
  }
  return scan;
}
