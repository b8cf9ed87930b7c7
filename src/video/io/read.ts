// readVideoFrames: a video decoded by ffmpeg into raw RGB frames on a pipe, handed out in
// chunks of T frames as uint8 [T, 3, H, W]. Only one chunk (plus the pipe's buffer) is in
// memory at a time: the pipe is read only when the consumer asks for the next chunk, so a
// slow consumer stalls ffmpeg instead of filling memory, and leaving the loop early kills it.
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tensor } from "../../core/index.js";
import { checkInputFile, FFMPEG_TOOLS, lastLines, spawnError, spawnTool } from "../../io/ffmpeg.js";
import { probeVideo, type VideoInfo } from "./probe.js";

export interface ReadVideoOptions {
  /** Frames per chunk (default 16). */
  chunk?: number;
  /** Resize every frame: a side (square) or [height, width] (default: the video's own size). */
  size?: number | readonly [number, number];
  /** Resample to this frame rate (ffmpeg's fps filter; default: every frame as decoded). */
  fps?: number;
  /** Stop after this many frames (default: all). */
  maxFrames?: number;
  /** Start this many seconds in (default 0). */
  start?: number;
  /**
   * Frames a damaged file still yields are kept, but by default the iterator then throws an
   * E_FORMAT error quoting ffmpeg; `true` ends quietly instead (best-effort recovery).
   */
  tolerateErrors?: boolean;
}

/** One chunk of frames. */
export interface VideoChunk {
  /** Index of the chunk's first frame in the decoded sequence. */
  start: number;
  /** [T, 3, H, W] */
  shape: [number, number, number, number];
  /** uint8 RGB, channel-first, frame after frame. */
  data: Uint8Array;
}

/** A chunk as a uint8 tensor [T, 3, H, W] (the caller disposes it). */
export function chunkTensor(c: VideoChunk): Tensor {
  return tensor(c.data, { shape: c.shape });
}

/** HWC (as ffmpeg writes rgb24) → CHW, for `frames` consecutive frames. */
function toChannelFirst(src: Uint8Array, frames: number, h: number, w: number): Uint8Array {
  const hw = h * w;
  const out = new Uint8Array(frames * 3 * hw);
  for (let t = 0; t < frames; t++) {
    const s = t * 3 * hw;
    const r = s;
    const g = s + hw;
    const b = s + 2 * hw;
    for (let p = 0, q = s; p < hw; p++, q += 3) {
      out[r + p] = src[q]!;
      out[g + p] = src[q + 1]!;
      out[b + p] = src[q + 2]!;
    }
  }
  return out;
}

function outputSize(op: string, info: VideoInfo, size: ReadVideoOptions["size"]): [number, number] {
  if (size === undefined) return [info.height, info.width];
  const [h, w] = typeof size === "number" ? [size, size] : size;
  for (const v of [h, w])
    if (!Number.isInteger(v) || v! < 1 || v! > 8192)
      throw new FlambeauError("E_ARG", `${op}: size must be integers in [1, 8192], got ${JSON.stringify(size)}`, op);
  return [h!, w!];
}

function checkOptions(op: string, o: ReadVideoOptions): void {
  const bad = (name: string, want: string, v: unknown) =>
    new FlambeauError("E_ARG", `${op}: ${name} must be ${want}, got ${String(v)}`, op);
  if (o.chunk !== undefined && !(Number.isInteger(o.chunk) && o.chunk >= 1 && o.chunk <= 100_000))
    throw bad("chunk", "an integer ≥ 1", o.chunk);
  if (o.fps !== undefined && !(o.fps > 0 && o.fps <= 1000)) throw bad("fps", "in (0, 1000]", o.fps);
  if (o.maxFrames !== undefined && !(Number.isInteger(o.maxFrames) && o.maxFrames >= 0))
    throw bad("maxFrames", "an integer ≥ 0", o.maxFrames);
  if (o.start !== undefined && !(o.start >= 0)) throw bad("start", "≥ 0 seconds", o.start);
}

/**
 * Streams a video's frames in chunks of uint8 [T, 3, H, W] (the last chunk may be shorter).
 * Missing files, files ffmpeg cannot open and damaged streams are FlambeauErrors.
 */
export async function* readVideoFrames(path: string, o: ReadVideoOptions = {}): AsyncGenerator<VideoChunk> {
  const op = "readVideoFrames";
  checkInputFile(op, path);
  checkOptions(op, o);
  const info = await probeVideo(path);
  const [h, w] = outputSize(op, info, o.size);
  const chunk = o.chunk ?? 16;
  const filters: string[] = [];
  if (o.fps !== undefined) filters.push(`fps=${o.fps}`);
  if (h !== info.height || w !== info.width) filters.push(`scale=${w}:${h}:flags=area`);
  const args = ["-nostdin", "-v", "error"];
  if (o.start) args.push("-ss", String(o.start));
  args.push("-i", path, "-map", "0:v:0", "-an", "-sn");
  if (filters.length) args.push("-vf", filters.join(","));
  if (o.maxFrames !== undefined) args.push("-frames:v", String(o.maxFrames));
  args.push("-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1");
  if (o.maxFrames === 0) return;

  const { proc, stderr, exited } = spawnTool(FFMPEG_TOOLS.ffmpeg, args, ["ignore", "pipe", "pipe"]);
  let spawnErr: unknown = null;
  const exit = exited.catch((e: unknown) => {
    spawnErr = e;
    return -1;
  });
  const frameBytes = 3 * h * w;
  let buf = new Uint8Array(chunk * frameBytes);
  let fill = 0;
  let next = 0;
  let finished = false;
  try {
    for await (const piece of proc.stdout! as AsyncIterable<Buffer>) {
      let off = 0;
      while (off < piece.length) {
        const n = Math.min(piece.length - off, buf.length - fill);
        buf.set(piece.subarray(off, off + n), fill);
        fill += n;
        off += n;
        if (fill === buf.length) {
          const c: VideoChunk = { start: next, shape: [chunk, 3, h, w], data: toChannelFirst(buf, chunk, h, w) };
          next += chunk;
          fill = 0;
          yield c;
          // A fresh buffer: the consumer may still hold the last chunk's.
          buf = new Uint8Array(chunk * frameBytes);
        }
      }
    }
    const code = await exit;
    if (spawnErr) throw spawnError(op, FFMPEG_TOOLS.ffmpeg, spawnErr);
    const whole = Math.floor(fill / frameBytes);
    if (whole > 0) {
      const c: VideoChunk = { start: next, shape: [whole, 3, h, w], data: toChannelFirst(buf, whole, h, w) };
      next += whole;
      yield c;
    }
    const err = stderr();
    if (code !== 0) {
      const what =
        next === 0
          ? "cannot be decoded (truncated, corrupt or not a video)"
          : `is truncated or corrupt: decoding stopped after ${next} frames`;
      throw new FlambeauError("E_FORMAT", `${op}: ${path} ${what} (ffmpeg exit ${code}: ${lastLines(err)})`, op);
    }
    // ffmpeg skips what it cannot decode and exits 0; at -v error anything it says is damage.
    if (err.length > 0 && !o.tolerateErrors)
      throw new FlambeauError(
        "E_FORMAT",
        `${op}: ${path} is truncated or corrupt after ${next} decoded frames (ffmpeg: ${lastLines(err)}); pass tolerateErrors to keep the readable frames`,
        op,
      );
    if (next === 0 && info.frames !== undefined && info.frames > 0 && o.maxFrames !== 0 && !(o.start && o.start > 0))
      throw new FlambeauError("E_FORMAT", `${op}: ${path} decoded to no frames, its header says ${info.frames}`, op);
    finished = true;
  } finally {
    // Leaving the loop early (break, an error): stop ffmpeg instead of letting it block on the pipe.
    if (!finished && proc.exitCode === null) proc.kill("SIGKILL");
  }
}

/** Reads a whole (short) video as one uint8 tensor [T, 3, H, W]; long videos should stream through readVideoFrames. */
export async function readVideo(path: string, o: Omit<ReadVideoOptions, "chunk"> = {}): Promise<{ frames: Tensor; fps: number }> {
  const info = await probeVideo(path);
  const parts: VideoChunk[] = [];
  for await (const c of readVideoFrames(path, { ...o, chunk: 64 })) parts.push(c);
  if (parts.length === 0) throw new FlambeauError("E_FORMAT", `readVideo: ${path} has no frames`, "readVideo");
  const [, , h, w] = parts[0]!.shape;
  const t = parts.reduce((s, c) => s + c.shape[0], 0);
  const data = new Uint8Array(t * 3 * h * w);
  let off = 0;
  for (const c of parts) {
    data.set(c.data, off);
    off += c.data.length;
  }
  return { frames: tensor(data, { shape: [t, 3, h, w] }), fps: o.fps ?? info.fps };
}
