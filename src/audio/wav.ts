// WAV files to and from float waveforms [channels, frames] in [-1, 1] (torchaudio's
// normalisation). The RIFF container is checked here first so that truncated, foreign
// or unsupported files get a message naming the file and what is wrong; the samples are
// decoded and encoded by the `wavefile` package.
import { readFileSync, writeFileSync } from "node:fs";
import wavefile from "wavefile";
import { FlambeauError } from "../core/errors.js";
import { type Tensor, tensor } from "../core/index.js";

export type WavEncoding = "pcm8" | "pcm16" | "pcm24" | "pcm32" | "float32";
export const WAV_ENCODINGS: readonly WavEncoding[] = ["pcm8", "pcm16", "pcm24", "pcm32", "float32"];

export interface WavInfo {
  sampleRate: number;
  channels: number;
  frames: number;
  encoding: WavEncoding;
}

/** Decoded samples, one Float32Array per channel. */
export interface WavSamples extends WavInfo {
  data: Float32Array[];
}

export interface Waveform {
  /** float32 [channels, frames]. */
  waveform: Tensor;
  sampleRate: number;
}

const ascii = (b: Uint8Array, at: number, n: number): string => String.fromCharCode(...b.subarray(at, at + n));
const fail = (name: string, msg: string): never => {
  throw new FlambeauError("E_FORMAT", `readWav: ${name}: ${msg}`, "readWav");
};

// Streaming writers (espeak-ng --stdout, ffmpeg pipes) leave the size fields at these values.
const isStreamingSize = (n: number): boolean => n >= 0x7ffff000;

/** Checks the RIFF/WAVE structure and returns the format, without decoding samples. */
export function inspectWav(buf: Uint8Array, name = "<buffer>"): WavInfo & { dataOffset: number; dataBytes: number } {
  if (buf.length < 12) fail(name, `${buf.length} bytes is too short for a WAV header (needs at least 44)`);
  const riff = ascii(buf, 0, 4);
  if (riff !== "RIFF" || ascii(buf, 8, 4) !== "WAVE") {
    const shown = JSON.stringify(ascii(buf, 0, 4).replace(/[^\x20-\x7e]/g, "?"));
    const hint = riff === "fLaC" || riff === "OggS" || riff.startsWith("ID3") ? " (convert it first: sox in.x out.wav)" : "";
    fail(name, `not a RIFF/WAVE file (starts with ${shown})${hint}`);
  }
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  while (at + 8 <= buf.length) {
    const id = ascii(buf, at, 4);
    let size = dv.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt ") {
      if (size < 16 || body + 16 > buf.length) fail(name, `fmt chunk of ${size} bytes is too short or truncated`);
      let format = dv.getUint16(body, true);
      if (format === 0xfffe && size >= 40) format = dv.getUint16(body + 24, true);
      fmt = { format, channels: dv.getUint16(body + 2, true), rate: dv.getUint32(body + 4, true), bits: dv.getUint16(body + 14, true) };
    } else if (id === "data") {
      if (!fmt) fail(name, "data chunk comes before the fmt chunk");
      const f = fmt!;
      const available = buf.length - body;
      if (isStreamingSize(size)) size = available;
      else if (size > available) fail(name, `truncated: the data chunk declares ${size} bytes but only ${available} follow`);
      if (f.channels < 1 || f.channels > 64) fail(name, `unsupported channel count ${f.channels}`);
      if (!(f.rate >= 1 && f.rate <= 1_000_000)) fail(name, `implausible sample rate ${f.rate} Hz`);
      let encoding: WavEncoding | undefined;
      if (f.format === 1 && [8, 16, 24, 32].includes(f.bits)) encoding = `pcm${f.bits}` as WavEncoding;
      else if (f.format === 3 && f.bits === 32) encoding = "float32";
      if (!encoding)
        fail(
          name,
          `unsupported sample format (format tag ${f.format}, ${f.bits} bits); supported: PCM 8/16/24/32-bit and 32-bit float (convert with: sox in.wav -b 16 out.wav)`,
        );
      const frameBytes = (f.channels * f.bits) / 8;
      const frames = Math.floor(size / frameBytes);
      return { sampleRate: f.rate, channels: f.channels, frames, encoding: encoding!, dataOffset: body, dataBytes: frames * frameBytes };
    }
    at = body + size + (size & 1);
  }
  return fail(name, fmt ? "no data chunk" : "no fmt chunk");
}

const SCALE: Record<WavEncoding, number> = { pcm8: 128, pcm16: 32768, pcm24: 8388608, pcm32: 2147483648, float32: 1 };

/** Decodes WAV bytes to per-channel float samples in [-1, 1]. */
export function decodeWavSamples(buf: Uint8Array, name = "<buffer>"): WavSamples {
  const info = inspectWav(buf, name);
  // Hand wavefile a clean canonical file: streaming sizes and trailing chunks are resolved above.
  const clean = new Uint8Array(44 + info.dataBytes);
  clean.set(buf.subarray(0, 12));
  const bits = info.encoding === "float32" ? 32 : Number(info.encoding.slice(3));
  const dv = new DataView(clean.buffer);
  clean.set([0x66, 0x6d, 0x74, 0x20], 12);
  dv.setUint32(16, 16, true);
  dv.setUint16(20, info.encoding === "float32" ? 3 : 1, true);
  dv.setUint16(22, info.channels, true);
  dv.setUint32(24, info.sampleRate, true);
  dv.setUint32(28, (info.sampleRate * info.channels * bits) / 8, true);
  dv.setUint16(32, (info.channels * bits) / 8, true);
  dv.setUint16(34, bits, true);
  clean.set([0x64, 0x61, 0x74, 0x61], 36);
  dv.setUint32(40, info.dataBytes, true);
  dv.setUint32(4, 36 + info.dataBytes, true);
  clean.set(buf.subarray(info.dataOffset, info.dataOffset + info.dataBytes), 44);
  let raw: Float64Array | Float64Array[];
  try {
    raw = new wavefile.WaveFile(clean).getSamples(false, Float64Array) as unknown as Float64Array | Float64Array[];
  } catch (e) {
    return fail(name, `cannot decode samples (${(e as Error).message})`);
  }
  const chans = info.channels === 1 ? [raw as Float64Array] : (raw as Float64Array[]);
  const scale = SCALE[info.encoding];
  const offset = info.encoding === "pcm8" ? 128 : 0;
  const data = chans.map((c) => {
    const out = new Float32Array(c.length);
    for (let i = 0; i < c.length; i++) out[i] = (c[i]! - offset) / scale;
    return out;
  });
  return { ...info, data };
}

/** Decodes WAV bytes to a float32 [channels, frames] tensor. */
export function decodeWav(buf: Uint8Array, name = "<buffer>"): Waveform {
  const s = decodeWavSamples(buf, name);
  const flat = new Float32Array(s.channels * s.frames);
  s.data.forEach((c, i) => flat.set(c.subarray(0, s.frames), i * s.frames));
  return { waveform: tensor(flat, { shape: [s.channels, s.frames] }), sampleRate: s.sampleRate };
}

function readBytes(path: string, op: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new FlambeauError("E_IO", `${op}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, op);
  }
}

/** Reads a WAV file to a float32 [channels, frames] tensor and its sample rate. */
export function readWav(path: string): Waveform {
  return decodeWav(readBytes(path, "readWav"), path);
}

/** Reads a WAV file to per-channel Float32Arrays (no tensor; cheap for data generators). */
export function readWavSamples(path: string): WavSamples {
  return decodeWavSamples(readBytes(path, "readWav"), path);
}

export interface EncodeWavOptions {
  /** Default pcm16. Float input is clipped to [-1, 1] for the PCM encodings. */
  encoding?: WavEncoding;
}

/** Encodes channels (a [C, T] / [T] tensor or per-channel arrays) as WAV bytes. */
export function encodeWav(samples: Tensor | readonly Float32Array[], sampleRate: number, o: EncodeWavOptions = {}): Uint8Array {
  const op = "encodeWav";
  const encoding = o.encoding ?? "pcm16";
  if (!WAV_ENCODINGS.includes(encoding))
    throw new FlambeauError(
      "E_ARG",
      `${op}: unknown encoding ${JSON.stringify(encoding)}; expected one of ${WAV_ENCODINGS.join(", ")}`,
      op,
    );
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 1_000_000)
    throw new FlambeauError("E_ARG", `${op}: sampleRate must be an integer in [1, 1e6], got ${sampleRate}`, op);
  let chans: Float32Array[];
  if (Array.isArray(samples)) chans = samples as Float32Array[];
  else {
    const t = samples as Tensor;
    if (t.ndim !== 1 && t.ndim !== 2)
      throw new FlambeauError("E_SHAPE", `${op}: expected a [channels, frames] or [frames] tensor, got [${t.shape.join(", ")}]`, op);
    const [c, n] = t.ndim === 1 ? [1, t.shape[0]!] : [t.shape[0]!, t.shape[1]!];
    const flat = t.to("float32").contiguous().data() as Float32Array;
    chans = Array.from({ length: c }, (_, i) => flat.subarray(i * n, (i + 1) * n));
  }
  if (chans.length < 1 || chans.some((c) => c.length !== chans[0]!.length))
    throw new FlambeauError("E_SHAPE", `${op}: channels must be non-empty and of equal length`, op);
  const scale = SCALE[encoding];
  const offset = encoding === "pcm8" ? 128 : 0;
  const conv = chans.map((c) => {
    if (encoding === "float32") return Float64Array.from(c);
    const out = new Float64Array(c.length);
    const lo = -scale;
    const hi = scale - 1;
    for (let i = 0; i < c.length; i++) {
      const v = Math.round(c[i]! * scale);
      out[i] = (Number.isNaN(v) ? 0 : Math.max(lo, Math.min(v, hi))) + offset;
    }
    return out;
  });
  const w = new wavefile.WaveFile();
  const depth = encoding === "float32" ? "32f" : encoding.slice(3);
  w.fromScratch(conv.length, sampleRate, depth, conv.length === 1 ? conv[0]! : conv);
  return w.toBuffer();
}

/** Writes a WAV file (pcm16 unless `encoding` says otherwise). */
export function writeWav(path: string, samples: Tensor | readonly Float32Array[], sampleRate: number, o: EncodeWavOptions = {}): void {
  const bytes = encodeWav(samples, sampleRate, o);
  try {
    writeFileSync(path, bytes);
  } catch (e) {
    throw new FlambeauError(
      "E_IO",
      `writeWav: cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      "writeWav",
    );
  }
}
