// data inspect for an AudioFolder: each clip's class, length in seconds and a key of its
// file's bytes; a WAV that does not decode is a problem naming the file.
import { readFileSync } from "node:fs";
import { readWavSamples } from "../../audio/wav.js";
import { exampleKey } from "../../data/split-keys.js";
import { classFiles } from "./class-folders.js";
import { addProblem, type Scan } from "./scan.js";

export function scanAudioFolder(root: string): Scan {
  const scan: Scan = { path: root, format: "AudioFolder", items: [], problems: [] };
  for (const { file, label } of classFiles(root, [".wav"], scan)) {
    try {
      const s = readWavSamples(file);
      scan.items.push({ key: exampleKey(readFileSync(file)), where: file, label, seconds: s.frames / s.sampleRate });
    } catch (e) {
      addProblem(scan, `${file}: unreadable WAV (${(e as Error).message})`);
    }
  }
  return scan;
}
