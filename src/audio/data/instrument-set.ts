// Instrument recognition on the supersonic samples: six classes of drum and instrument hits,
// split by file (no sample is heard in both training and test), the first second of each.
import { Random } from "../../data/random.js";
import { defaultCacheDir } from "../speech/cache.js";
import { instrumentClass, loadSupersonic, supersonicNames } from "../speech/samples.js";
import type { ClipSet } from "./clip-set.js";
import type { SpeechSplits } from "./speech-sets.js";

export const INSTRUMENT_CLASSES = ["kick", "snare", "cymbal", "tom", "bass", "tabla"] as const;

export async function instrumentSet(o: { cacheDir?: string; seed?: number } = {}): Promise<SpeechSplits> {
  const t0 = performance.now();
  const names = supersonicNames((n) => instrumentClass(n) !== null);
  const decoded = await loadSupersonic(names, o.cacheDir ?? defaultCacheDir());
  const classes = [...INSTRUMENT_CLASSES];
  const rng = new Random(o.seed ?? 0, 303);
  const parts: Record<"train" | "val" | "test", ClipSet> = {
    train: { clips: [], labels: [], classes, sampleRate: 16000, sources: [] },
    val: { clips: [], labels: [], classes, sampleRate: 16000, sources: [] },
    test: { clips: [], labels: [], classes, sampleRate: 16000, sources: [] },
  };
  // Stratified by class: a quarter of each class's files to test, one in eight to validation.
  for (const [ci, c] of classes.entries()) {
    const files = rng.shuffle(decoded.filter((d) => instrumentClass(d.name) === c));
    const nTest = Math.max(1, Math.round(files.length * 0.25));
    const nVal = Math.max(1, Math.round(files.length * 0.125));
    files.forEach((f, i) => {
      const p = parts[i < nTest ? "test" : i < nTest + nVal ? "val" : "train"];
      p.clips.push(f.samples.subarray(0, 16000));
      p.labels.push(ci);
      p.sources.push(f.name);
    });
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    ...parts,
    generation: { synthesized: 0, seconds, clipsPerSecond: 0 },
    description: `supersonic-scsynth-samples: ${names.length} files in ${classes.length} classes (${classes.join(", ")}), split by file`,
  };
}
