// Any audio file (ogg, mp3, opus, flac, wav …) to mono float PCM at a chosen rate, through
// Debian's ffmpeg as a child process: `-f f32le -ac 1 -ar R pipe:1`, read as a stream so a
// long recording never sits twice in memory as bytes. The same pipe encodes PCM to a lossy
// codec and back (the low-bit-rate distortion of audio-fingerprinting queries).
import { FlambeauError } from "../core/errors.js";
import { checkInputFile, FFMPEG_TOOLS, spawnError, spawnTool } from "../io/ffmpeg.js";

export interface DecodeOptions {
  /** Output rate in Hz (default 16000). */
  sampleRate?: number;
  /** Seconds skipped at the start (default 0). */
  start?: number;
  /** Seconds kept (default: to the end). */
  duration?: number;
  /** The ffmpeg executable (default: FFMPEG_TOOLS.ffmpeg, "ffmpeg" on PATH). */
  ffmpeg?: string;
}

const OP = "decodeAudio";

function checkRate(op: string, rate: number): void {
  if (!Number.isInteger(rate) || rate < 1000 || rate > 384000)
    throw new FlambeauError("E_ARG", `${op}: sampleRate must be an integer number of Hz in [1000, 384000], got ${rate}`, op);
}

function checkSeconds(op: string, what: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isFinite(v) && v >= 0))
    throw new FlambeauError("E_ARG", `${op}: ${what} must be a number of seconds ≥ 0, got ${v}`, op);
}

/** Grows a Float32Array from byte chunks whose boundaries need not fall on whole samples. */
class PcmSink {
  private buf = new Float32Array(1 << 16);
  private n = 0;
  private carry = Buffer.alloc(0);
  push(chunk: Buffer): void {
    const bytes = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const whole = bytes.length - (bytes.length % 4);
    const count = whole / 4;
    if (this.n + count > this.buf.length) {
      const grown = new Float32Array(Math.max(this.buf.length * 2, this.n + count));
      grown.set(this.buf.subarray(0, this.n));
      this.buf = grown;
    }
    for (let i = 0; i < count; i++) this.buf[this.n + i] = bytes.readFloatLE(i * 4);
    this.n += count;
    this.carry = Buffer.from(bytes.subarray(whole));
  }
  result(): Float32Array {
    return this.buf.slice(0, this.n);
  }
}

interface RunResult {
  stderr: string;
  code: number | null;
}

/** Runs ffmpeg, feeding `input` on stdin when given, handing stdout chunks to `onData`. */
async function runFfmpeg(
  op: string,
  args: string[],
  o: { ffmpeg?: string; input?: Uint8Array; onData: (b: Buffer) => void },
): Promise<RunResult> {
  const bin = o.ffmpeg ?? FFMPEG_TOOLS.ffmpeg;
  const run = spawnTool(bin, ["-hide_banner", "-nostdin", "-loglevel", "error", ...args], [o.input ? "pipe" : "ignore", "pipe", "pipe"]);
  run.proc.stdout!.on("data", (d: Buffer) => o.onData(d));
  if (o.input && run.proc.stdin) {
    // ffmpeg may stop reading early on a bad stream; its exit code reports it.
    run.proc.stdin.on("error", () => {});
    run.proc.stdin.end(Buffer.from(o.input.buffer, o.input.byteOffset, o.input.byteLength));
  }
  try {
    const code = await run.exited;
    return { stderr: run.stderr(), code };
  } catch (e) {
    throw spawnError(op, bin, e);
  }
}

function decodeArgs(input: string, rate: number, o: DecodeOptions): string[] {
  const seek = o.start ? ["-ss", String(o.start)] : [];
  const dur = o.duration !== undefined ? ["-t", String(o.duration)] : [];
  return [...seek, ...dur, "-i", input, "-vn", "-f", "f32le", "-acodec", "pcm_f32le", "-ac", "1", "-ar", String(rate), "pipe:1"];
}

async function decodeWith(op: string, what: string, input: string, o: DecodeOptions, stdin?: Uint8Array): Promise<Float32Array> {
  const rate = o.sampleRate ?? 16000;
  checkRate(op, rate);
  checkSeconds(op, "start", o.start);
  checkSeconds(op, "duration", o.duration);
  const sink = new PcmSink();
  const r = await runFfmpeg(op, decodeArgs(input, rate, o), { ffmpeg: o.ffmpeg, input: stdin, onData: (b) => sink.push(b) });
  if (r.code !== 0)
    throw new FlambeauError("E_FORMAT", `${op}: ffmpeg could not decode ${what} (exit ${r.code}): ${r.stderr || "no message"}`, op);
  const pcm = sink.result();
  if (pcm.length === 0 && !o.duration && !o.start)
    throw new FlambeauError("E_FORMAT", `${op}: ${what} holds no audio${r.stderr ? ` (${r.stderr})` : ""}`, op);
  return pcm;
}

/** Decodes an audio file to mono float samples at `sampleRate` (channels averaged by ffmpeg). */
export async function decodeAudio(path: string, o: DecodeOptions = {}): Promise<Float32Array> {
  checkInputFile(OP, path);
  // "file:" keeps a path that looks like a protocol or option ("-x.ogg", "http:…") a plain file.
  return decodeWith(OP, path, `file:${path}`, o);
}

/** Decodes an encoded audio stream held in memory (a container ffmpeg can probe from a pipe). */
export async function decodeAudioBuffer(bytes: Uint8Array, o: DecodeOptions = {}): Promise<Float32Array> {
  if (bytes.length === 0) throw new FlambeauError("E_FORMAT", "decodeAudioBuffer: the buffer is empty", "decodeAudioBuffer");
  return decodeWith("decodeAudioBuffer", "the buffer", "pipe:0", o, bytes);
}

export type LossyCodec = "mp3" | "opus";

const CODECS: Record<LossyCodec, { encoder: string; format: string }> = {
  mp3: { encoder: "libmp3lame", format: "mp3" },
  opus: { encoder: "libopus", format: "ogg" },
};

/** Encodes mono float samples to a lossy codec at `bitrate` (e.g. "32k") and returns the encoded bytes. */
export async function encodeLossy(
  samples: Float32Array,
  sampleRate: number,
  codec: LossyCodec,
  bitrate: string,
  o: { ffmpeg?: string } = {},
): Promise<Uint8Array> {
  const op = "encodeLossy";
  checkRate(op, sampleRate);
  const c = CODECS[codec];
  if (!c) throw new FlambeauError("E_ARG", `${op}: codec must be one of ${Object.keys(CODECS).join(", ")}, got ${codec}`, op);
  if (!/^\d+k$/.test(bitrate)) throw new FlambeauError("E_ARG", `${op}: bitrate must look like "32k", got ${JSON.stringify(bitrate)}`, op);
  const chunks: Buffer[] = [];
  const pcm = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  // libopus takes 48/24/16/12/8 kHz only: let ffmpeg resample to 48 kHz inside the encoder pipe.
  const rateArgs = codec === "opus" ? ["-ar", "48000"] : [];
  const args = ["-f", "f32le", "-ar", String(sampleRate), "-ac", "1", "-i", "pipe:0", ...rateArgs];
  const r = await runFfmpeg(op, [...args, "-c:a", c.encoder, "-b:a", bitrate, "-f", c.format, "pipe:1"], {
    ffmpeg: o.ffmpeg,
    input: pcm,
    onData: (b) => chunks.push(b),
  });
  if (r.code !== 0) throw new FlambeauError("E_IO", `${op}: ffmpeg could not encode ${codec} at ${bitrate}: ${r.stderr}`, op);
  return new Uint8Array(Buffer.concat(chunks));
}

/** The samples after a round trip through a lossy codec, decoded back at the same rate. */
export async function lossyRoundTrip(samples: Float32Array, sampleRate: number, codec: LossyCodec, bitrate: string): Promise<Float32Array> {
  const bytes = await encodeLossy(samples, sampleRate, codec, bitrate);
  return decodeAudioBuffer(bytes, { sampleRate });
}
