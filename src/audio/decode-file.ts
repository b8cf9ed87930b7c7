// Compressed audio files (FLAC, MP3, Ogg Vorbis/Opus, M4A/AAC) for the readers that take WAVs
// synchronously (AudioFolder, transcript lists, noise folders, predict inputs). ffprobe names the
// first audio stream's rate and channel count; ffmpeg decodes it at that rate to interleaved
// float32; the caller then mixes and resamples exactly as it does a WAV, so a FLAC made from a
// WAV gives that WAV's samples. The decode is bounded: at most `maxSeconds` of audio (a warning
// names the file when more is cut), a byte cap on ffmpeg's output and a time limit on each tool,
// so a huge or hostile file cannot exhaust memory or hang a data load.
import { spawnSync } from "node:child_process";
import { extname } from "node:path";
import { FlambeauError } from "../core/errors.js";
import { checkInputFile, FFMPEG_TOOLS, lastLines, spawnError } from "../io/ffmpeg.js";
import { readWavSamples, type WavSamples } from "./wav.js";

/** Extensions decoded through ffmpeg (lowercase, with the dot). */
export const COMPRESSED_AUDIO_EXTENSIONS = [".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac"] as const;
/** Every extension the audio readers take. */
export const AUDIO_FILE_EXTENSIONS = [".wav", ...COMPRESSED_AUDIO_EXTENSIONS] as const;

export const isAudioFile = (name: string): boolean => (AUDIO_FILE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());

/** Seconds of a compressed file decoded by default (10 min: 38 MB of mono float at 16 kHz); FLAMBEAU_MAX_AUDIO_SECONDS changes it. */
export const DEFAULT_MAX_AUDIO_SECONDS = 600;
const MAX_CHANNELS = 32;
/** Wall-clock limit per tool run: generous for 10 min of audio on a slow CPU, finite for a file that makes a codec spin. */
const TOOL_TIMEOUT_MS = 120_000;

export interface DecodeFileOptions {
  /** Audio kept from the start, in seconds (default FLAMBEAU_MAX_AUDIO_SECONDS, else 600). */
  maxSeconds?: number;
  /** The executables (default FFMPEG_TOOLS: "ffmpeg" and "ffprobe" on PATH). */
  ffmpeg?: string;
  ffprobe?: string;
}

const OP = "decodeAudioFile";

function maxSecondsOf(o: DecodeFileOptions): number {
  const env = process.env.FLAMBEAU_MAX_AUDIO_SECONDS;
  const v = o.maxSeconds ?? (env !== undefined && env !== "" ? Number(env) : DEFAULT_MAX_AUDIO_SECONDS);
  if (!(Number.isFinite(v) && v > 0 && v <= 86400))
    throw new FlambeauError(
      "E_ARG",
      `${OP}: the duration cap must be a number of seconds in (0, 86400], got ${o.maxSeconds ?? `FLAMBEAU_MAX_AUDIO_SECONDS=${env}`}`,
      OP,
    );
  return v;
}

/** Runs a tool to completion; a missing binary, a time-out or an oversized output become errors naming `path`. */
function run(tool: string, args: string[], path: string, maxBuffer: number): { stdout: Buffer; stderr: string; status: number | null } {
  const r = spawnSync(tool, args, { maxBuffer, timeout: TOOL_TIMEOUT_MS, stdio: ["ignore", "pipe", "pipe"] });
  const err = r.error as NodeJS.ErrnoException | undefined;
  if (err?.code === "ENOBUFS")
    throw new FlambeauError("E_FORMAT", `${OP}: ${path}: ${tool} produced more than the ${maxBuffer} bytes expected`, OP);
  if (err?.code === "ETIMEDOUT" || r.signal === "SIGTERM")
    throw new FlambeauError("E_FORMAT", `${OP}: ${path}: ${tool} did not finish within ${TOOL_TIMEOUT_MS / 1000} s`, OP);
  if (err) throw spawnError(OP, tool, err);
  return { stdout: r.stdout, stderr: r.stderr.toString("utf8").trim(), status: r.status };
}

interface StreamInfo {
  sampleRate: number;
  channels: number;
  /** The container's duration in seconds (NaN when it does not say). */
  seconds: number;
}

function probe(path: string, tool: string): StreamInfo {
  const args = ["-v", "error", "-select_streams", "a:0", "-show_entries", "stream=sample_rate,channels:format=duration", "-of", "json"];
  const r = run(tool, [...args, `file:${path}`], path, 1 << 20);
  const bad = (why: string): never => {
    throw new FlambeauError("E_FORMAT", `${OP}: ${path}: not a readable audio file (${why})`, OP);
  };
  if (r.status !== 0) bad(`ffprobe: ${lastLines(r.stderr)}`);
  let info: { streams?: { sample_rate?: string; channels?: number }[]; format?: { duration?: string } };
  try {
    info = JSON.parse(r.stdout.toString("utf8"));
  } catch {
    return bad("ffprobe's answer is not JSON");
  }
  const s = info.streams?.[0];
  if (!s) return bad("no audio stream");
  const sampleRate = Number(s.sample_rate);
  const channels = Number(s.channels);
  if (!Number.isInteger(sampleRate) || sampleRate < 1000 || sampleRate > 768000)
    bad(`sample rate ${s.sample_rate ?? "unknown"}${r.stderr ? `; ${lastLines(r.stderr)}` : ""}`);
  if (!Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) bad(`${s.channels ?? "no"} channels`);
  return { sampleRate, channels, seconds: Number(info.format?.duration ?? Number.NaN) };
}

/**
 * Decodes the first audio stream of a compressed file at its own rate, channels kept apart,
 * at most `maxSeconds` of it. Corrupt files, files without audio and a missing ffmpeg are
 * FlambeauErrors naming the file.
 */
export function decodeAudioFile(path: string, o: DecodeFileOptions = {}): WavSamples {
  checkInputFile(OP, path);
  const maxSeconds = maxSecondsOf(o);
  const { sampleRate, channels, seconds } = probe(path, o.ffprobe ?? FFMPEG_TOOLS.ffprobe);
  const maxFrames = Math.ceil(maxSeconds * sampleRate);
  const args = ["-hide_banner", "-nostdin", "-loglevel", "error", "-i", `file:${path}`, "-map", "0:a:0", "-t", String(maxSeconds)];
  const r = run(
    o.ffmpeg ?? FFMPEG_TOOLS.ffmpeg,
    [...args, "-f", "f32le", "-acodec", "pcm_f32le", "-ac", String(channels), "-ar", String(sampleRate), "pipe:1"],
    path,
    // A frame of slack per channel: ffmpeg's -t ends on a packet boundary.
    (maxFrames + 4096) * channels * 4,
  );
  if (r.status !== 0) throw new FlambeauError("E_FORMAT", `${OP}: ${path}: ffmpeg could not decode it: ${lastLines(r.stderr)}`, OP);
  const frames = Math.min(maxFrames, Math.floor(r.stdout.length / (4 * channels)));
  if (frames === 0)
    throw new FlambeauError("E_FORMAT", `${OP}: ${path}: no audio decoded${r.stderr ? ` (${lastLines(r.stderr)})` : ""}`, OP);
  if (seconds > maxSeconds + 0.05)
    process.emitWarning(
      `${OP}: ${path} is ${seconds.toFixed(1)} s long; only its first ${maxSeconds} s are read (FLAMBEAU_MAX_AUDIO_SECONDS raises the cap)`,
      { code: "FLAMBEAU_TRUNCATED" },
    );
  const pcm = new Float32Array(frames * channels);
  for (let i = 0; i < pcm.length; i++) pcm[i] = r.stdout.readFloatLE(4 * i);
  const data = Array.from({ length: channels }, (_, c) => {
    const ch = new Float32Array(frames);
    for (let i = 0; i < frames; i++) ch[i] = pcm[i * channels + c]!;
    return ch;
  });
  return { sampleRate, channels, frames, encoding: "float32", data };
}

/** The samples of a WAV (read directly) or of a compressed audio file (through ffmpeg), by extension. */
export function readAudioSamples(path: string, o: DecodeFileOptions = {}): WavSamples {
  const ext = extname(path).toLowerCase();
  if ((COMPRESSED_AUDIO_EXTENSIONS as readonly string[]).includes(ext)) return decodeAudioFile(path, o);
  return readWavSamples(path);
}
