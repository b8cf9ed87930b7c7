// One utterance from a speech synthesizer to a 16 kHz mono 16-bit WAV, silence trimmed:
// espeak-ng (text on stdin, WAV on stdout) or flite (to a temp file), piped through sox.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { FlambeauError } from "../../core/errors.js";
import type { Voice } from "./voices.js";

export interface UtteranceSpec {
  text: string;
  voice: Voice;
  /** Speaking-rate multiplier (1 = the voice's default, about 175 words/min). */
  rate: number;
  /** Pitch multiplier around the voice's default (1 = unchanged). */
  pitch: number;
}

export const SYNTH_SAMPLE_RATE = 16000;

// Trim leading and trailing silence (below 0.5 % of full scale for 10 ms).
const TRIM = ["silence", "1", "0.01", "0.5%", "reverse", "silence", "1", "0.01", "0.5%", "reverse"];

function run(cmd: string, args: string[], input: string | null, pipeTo?: { cmd: string; args: string[] }): Promise<void> {
  return new Promise((resolve, reject) => {
    const a = spawn(cmd, args, { stdio: [input === null ? "ignore" : "pipe", pipeTo ? "pipe" : "ignore", "pipe"] });
    const b = pipeTo ? spawn(pipeTo.cmd, pipeTo.args, { stdio: ["pipe", "ignore", "pipe"] }) : null;
    let err = "";
    let pending = b ? 2 : 1;
    let failed = false;
    const fail = (e: Error | string) => {
      if (failed) return;
      failed = true;
      const msg =
        typeof e === "string"
          ? e
          : (e as NodeJS.ErrnoException).code === "ENOENT"
            ? `${(e as { path?: string }).path ?? cmd} is not installed (Debian packages espeak-ng, flite, sox)`
            : e.message;
      reject(new FlambeauError("E_IO", `speech synthesis: ${msg}`, "synthesize"));
    };
    const done = (name: string) => (code: number | null) => {
      if (code !== 0) return fail(`${name} exited with ${code}: ${err.trim().slice(0, 300)}`);
      if (--pending === 0 && !failed) resolve();
    };
    a.on("error", fail);
    a.stderr!.on("data", (d) => (err += d));
    a.on("close", done(cmd));
    if (b) {
      b.on("error", fail);
      b.stderr!.on("data", (d) => (err += d));
      b.on("close", done(pipeTo!.cmd));
      a.stdout!.pipe(b.stdin!);
      b.stdin!.on("error", () => {});
    }
    if (input !== null) {
      a.stdin!.on("error", () => {});
      a.stdin!.end(input);
    }
  });
}

/** Synthesizes one utterance to `out` (16 kHz mono PCM16, silence trimmed). */
export async function synthesize(u: UtteranceSpec, out: string): Promise<void> {
  const sox = ["-r", String(SYNTH_SAMPLE_RATE), "-c", "1", "-b", "16", out, ...TRIM];
  if (u.voice.engine === "espeak-ng") {
    const wpm = Math.round(175 * u.rate);
    const pitch = Math.max(0, Math.min(99, Math.round(50 * u.pitch)));
    await run("espeak-ng", ["-v", u.voice.name, "-s", String(wpm), "-p", String(pitch), "--stdin", "--stdout"], u.text, {
      cmd: "sox",
      args: ["-q", "-t", "wav", "-", ...sox],
    });
    return;
  }
  const tmp = `${out}.flite.wav`;
  try {
    await run(
      "flite",
      [
        "-voice",
        u.voice.name,
        "--setf",
        `duration_stretch=${(1 / u.rate).toFixed(3)}`,
        "--setf",
        `int_f0_target_mean=${Math.round((u.voice.name === "slt" ? 170 : 105) * u.pitch)}`,
        "-t",
        u.text,
        "-o",
        tmp,
      ],
      null,
    );
    await run("sox", ["-q", tmp, ...sox], null);
  } finally {
    rmSync(tmp, { force: true });
  }
}
