// Generates utterances with the synthesizers into a shared clip cache: each clip's file name
// is a hash of everything that determines its sound (engine, voice, text, rate, pitch,
// format version), so data sets that share clips share files and a rerun synthesizes nothing.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { runPool } from "./cache.js";
import { synthesize, type UtteranceSpec } from "./synth.js";

const FORMAT_VERSION = 1;

export interface GeneratedUtterance extends UtteranceSpec {
  file: string;
}

export interface GenerateOptions {
  cacheDir: string;
  /** Synthesizer processes in flight (default: one per CPU). */
  concurrency?: number;
  log?: (line: string) => void;
}

export interface GenerateResult {
  utterances: GeneratedUtterance[];
  /** Clips synthesized by this call (the rest came from the cache). */
  synthesized: number;
  seconds: number;
  /** Synthesis throughput of this call (0 when everything was cached). */
  clipsPerSecond: number;
}

export function clipFile(cacheDir: string, u: UtteranceSpec): string {
  const key = createHash("sha1")
    .update(JSON.stringify([FORMAT_VERSION, u.voice.engine, u.voice.name, u.text, u.rate.toFixed(4), u.pitch.toFixed(4)]))
    .digest("hex");
  return join(cacheDir, "speech-clips", key.slice(0, 2), `${key.slice(2, 20)}.wav`);
}

/** Synthesizes every spec not yet in the cache, in parallel, and returns all clip paths. */
export async function generateUtterances(specs: readonly UtteranceSpec[], o: GenerateOptions): Promise<GenerateResult> {
  const t0 = performance.now();
  const utterances = specs.map((s) => ({ ...s, file: clipFile(o.cacheDir, s) }));
  const todo = utterances.filter((u) => !existsSync(u.file));
  let done = 0;
  if (todo.length > 0) o.log?.(`speech: synthesizing ${todo.length} of ${utterances.length} clips with espeak-ng/flite into ${o.cacheDir}`);
  await runPool(
    todo,
    async (u) => {
      mkdirSync(join(u.file, ".."), { recursive: true });
      // Write to a temp name and rename, so a killed run never leaves a half clip under the final name.
      const tmp = `${u.file}.${process.pid}.tmp.wav`;
      await synthesize(u, tmp);
      renameSync(tmp, u.file);
      done++;
      if (done % 500 === 0) o.log?.(`speech: ${done}/${todo.length} clips`);
    },
    o.concurrency,
  );
  const seconds = (performance.now() - t0) / 1000;
  return { utterances, synthesized: todo.length, seconds, clipsPerSecond: todo.length > 0 ? todo.length / seconds : 0 };
}
