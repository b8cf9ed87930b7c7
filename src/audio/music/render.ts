// MIDI to audio with FluidSynth and a General MIDI soundfont (Debian's TimGM6mb), streamed as
// raw stereo 16-bit PCM from `fluidsynth -F -` and cut at `maxSeconds`: some packaged MIDI
// files play for half an hour. Written as mono pcm16 WAV, atomically (tmp file + rename).
import { spawn } from "node:child_process";
import { existsSync, renameSync } from "node:fs";
import { FlambeauError } from "../../core/errors.js";
import { writeWav } from "../wav.js";

export const DEFAULT_SOUNDFONT = "/usr/share/sounds/sf2/TimGM6mb.sf2";

export interface RenderMidiOptions {
  /** Output rate in Hz (default 16000). */
  sampleRate?: number;
  /** Longest rendering kept, in seconds (default 240). */
  maxSeconds?: number;
  soundfont?: string;
  /** Master gain (default 0.6: General MIDI ensembles clip at FluidSynth's 0.2-per-voice default × many voices). */
  gain?: number;
}

const OP = "renderMidi";

/** Renders `midi` to mono samples in [-1, 1]. */
export function renderMidiSamples(midi: string, o: RenderMidiOptions = {}): Promise<Float32Array> {
  const rate = o.sampleRate ?? 16000;
  const maxSeconds = o.maxSeconds ?? 240;
  const sf = o.soundfont ?? DEFAULT_SOUNDFONT;
  if (!Number.isInteger(rate) || rate < 8000 || rate > 96000)
    throw new FlambeauError("E_ARG", `${OP}: sampleRate must be an integer in [8000, 96000] Hz, got ${rate}`, OP);
  if (!(maxSeconds > 0)) throw new FlambeauError("E_ARG", `${OP}: maxSeconds must be > 0, got ${maxSeconds}`, OP);
  if (!existsSync(midi)) throw new FlambeauError("E_IO", `${OP}: no such MIDI file ${midi}`, OP);
  if (!existsSync(sf)) throw new FlambeauError("E_IO", `${OP}: soundfont ${sf} is missing (Debian package timgm6mb-soundfont)`, OP);
  const maxBytes = Math.floor(maxSeconds * rate) * 4; // stereo s16
  const args = ["-ni", "-q", "-g", String(o.gain ?? 0.6), "-r", String(rate), "-T", "raw", "-O", "s16", "-F", "-", sf, midi];
  return new Promise((resolve, reject) => {
    const p = spawn("fluidsynth", args, { stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let got = 0;
    let done = false;
    let err = "";
    p.stderr.on("data", (d) => (err = (err + d).slice(-2000)));
    p.stdout.on("data", (d: Buffer) => {
      if (done) return;
      chunks.push(d);
      got += d.length;
      if (got >= maxBytes) {
        done = true;
        p.kill("SIGTERM");
      }
    });
    p.on("error", (e) =>
      reject(
        new FlambeauError(
          "E_IO",
          `${OP}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "fluidsynth is not installed (Debian package fluidsynth)" : e.message}`,
          OP,
        ),
      ),
    );
    p.on("close", (code) => {
      if (!done && code !== 0)
        return reject(new FlambeauError("E_FORMAT", `${OP}: fluidsynth failed on ${midi} (exit ${code}): ${err.trim()}`, OP));
      const raw = Buffer.concat(chunks);
      const frames = Math.min(Math.floor(raw.length / 4), Math.floor(maxSeconds * rate));
      if (frames === 0) return reject(new FlambeauError("E_FORMAT", `${OP}: ${midi} rendered to silence (no notes?)`, OP));
      const mono = new Float32Array(frames);
      for (let i = 0; i < frames; i++) mono[i] = (raw.readInt16LE(4 * i) + raw.readInt16LE(4 * i + 2)) / 65536;
      resolve(mono);
    });
  });
}

/** Renders `midi` to a mono pcm16 WAV at `dst` unless it already exists (a cache entry). */
export async function renderMidiFile(midi: string, dst: string, o: RenderMidiOptions = {}): Promise<void> {
  if (existsSync(dst)) return;
  const samples = await renderMidiSamples(midi, o);
  const tmp = `${dst}.${process.pid}.tmp.wav`;
  writeWav(tmp, [samples], o.sampleRate ?? 16000);
  renameSync(tmp, dst);
}
