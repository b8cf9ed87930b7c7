// Generates utterances with the synthesizers into a shared clip cache: each clip's file name
// is a hash of everything that determines its sound (engine, voice, text, rate, pitch,
// format version), so data sets that share clips share files and a rerun synthesizes nothing.
import { fork } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type ErrorCode, FlambeauError } from "../../core/errors.js";
import type { UtteranceSpec } from "./synth.js";
import type { SynthJob, SynthMessage } from "./synth-worker.js";

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
  if (todo.length > 0) {
    o.log?.(`speech: synthesizing ${todo.length} of ${utterances.length} clips with espeak-ng/flite into ${o.cacheDir}`);
    for (const u of todo) mkdirSync(join(u.file, ".."), { recursive: true });
    // Each clip is written to a temp name and renamed, so a killed run never leaves a half clip under the final name.
    const clips = todo.map(({ file, ...spec }) => ({ spec, file, tmp: `${file}.${process.pid}.tmp.wav` }));
    await inSynthProcess({ clips, concurrency: o.concurrency }, (done) => {
      if (Math.floor(done / 500) > Math.floor((done - 100) / 500)) o.log?.(`speech: ${done}/${todo.length} clips`);
    });
  }
  const seconds = (performance.now() - t0) / 1000;
  return { utterances, synthesized: todo.length, seconds, clipsPerSecond: todo.length > 0 ? todo.length / seconds : 0 };
}

// Runs the synthesizer pool in synth-worker's small process (why: see that file). The child's
// exit code says whether every clip was made; its error message, when it sent one, says why not.
function inSynthProcess(job: SynthJob, progress: (done: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL("./synth-worker.js", import.meta.url), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    let failure: FlambeauError | undefined;
    child.on("message", (m: SynthMessage) => {
      if ("done" in m) progress(m.done);
      else failure = new FlambeauError(m.error.code as ErrorCode, m.error.message, "synthesize");
    });
    child.on("error", (e) => {
      failure ??= new FlambeauError("E_IO", `speech synthesis: the synthesizer process failed: ${e.message}`, "synthesize");
    });
    child.on("exit", (code, signal) => {
      if (code === 0) return resolve();
      // The error message may still be in flight on the IPC channel when the exit is seen.
      setTimeout(
        () =>
          reject(
            failure ??
              new FlambeauError(
                "E_IO",
                `speech synthesis: the synthesizer process exited early (${signal ?? `code ${code}`})`,
                "synthesize",
              ),
          ),
        50,
      );
    });
    child.send(job);
  });
}
