// writeVideo: uint8 frames [T, C, H, W] (one tensor, chunks, or an async stream of either)
// piped raw into ffmpeg and encoded to .mp4 (H.264, yuv420p), .gif (a palette computed from
// the clip) or .webm (VP9). ffmpeg writes a temporary file beside the target, renamed over
// it only once ffmpeg has succeeded: a reader never sees half a video.
import { randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import { dirname, extname } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { Tensor } from "../../core/index.js";
import { FFMPEG_TOOLS, lastLines, spawnError, spawnTool, type ToolRun } from "../../io/ffmpeg.js";
import type { VideoChunk } from "./read.js";

export type VideoFormat = "mp4" | "gif" | "webm";
export const VIDEO_FORMATS: readonly VideoFormat[] = ["mp4", "gif", "webm"];

/** What writeVideo takes: a uint8 tensor [T, C, H, W] or a chunk, or a (async) sequence of them. */
export type FrameSource = Tensor | VideoChunk | Iterable<Tensor | VideoChunk> | AsyncIterable<Tensor | VideoChunk>;

export interface WriteVideoOptions {
  fps: number;
  /** Integer upscaling with nearest-neighbour pixels (small clips shown large; default 1). */
  scale?: number;
  /** H.264/VP9 quality: lower is better (default 18 for mp4, 32 for webm). */
  crf?: number;
}

const OP = "writeVideo";

function formatOf(path: string): VideoFormat {
  const ext = extname(path).slice(1).toLowerCase();
  if (!(VIDEO_FORMATS as readonly string[]).includes(ext))
    throw new FlambeauError(
      "E_ARG",
      `${OP}: ${path}: unknown video extension ".${ext}"; use ${VIDEO_FORMATS.map((f) => `.${f}`).join(", ")}`,
      OP,
    );
  return ext as VideoFormat;
}

function encoderArgs(format: VideoFormat, channels: number, o: WriteVideoOptions): string[] {
  const filters: string[] = [];
  const k = o.scale ?? 1;
  if (k !== 1) filters.push(`scale=iw*${k}:ih*${k}:flags=neighbor`);
  if (format === "gif") {
    const chain = filters.length ? `${filters.join(",")},` : "";
    return [
      "-filter_complex",
      `[0:v]${chain}split[a][b];[a]palettegen=stats_mode=full[p];[b][p]paletteuse=dither=bayer:bayer_scale=3`,
      "-loop",
      "0",
      "-f",
      "gif",
    ];
  }
  // 4:2:0 chroma needs even sides.
  filters.push("pad=ceil(iw/2)*2:ceil(ih/2)*2");
  if (channels === 1) filters.push("format=gray");
  const vf = ["-vf", filters.join(",")];
  if (format === "mp4")
    return [
      ...vf,
      "-c:v",
      "libx264",
      "-preset",
      "fast",
      "-crf",
      String(o.crf ?? 18),
      "-pix_fmt",
      "yuv420p",
      "-movflags",
      "+faststart",
      "-f",
      "mp4",
    ];
  return [
    ...vf,
    "-c:v",
    "libvpx-vp9",
    "-b:v",
    "0",
    "-crf",
    String(o.crf ?? 32),
    "-deadline",
    "realtime",
    "-cpu-used",
    "8",
    "-pix_fmt",
    "yuv420p",
    "-f",
    "webm",
  ];
}

/** A frame block as [T, C, H, W] and its bytes, checked. */
function blockOf(x: Tensor | VideoChunk): { shape: number[]; data: Uint8Array } {
  if (x instanceof Tensor) {
    if (x.dtype !== "uint8")
      throw new FlambeauError("E_DTYPE", `${OP}: frames must be uint8, got ${x.dtype} ${JSON.stringify(x.shape)}`, OP);
    const shape = [...x.shape];
    if (shape.length === 3) shape.unshift(1);
    return { shape, data: x.contiguous().data() as Uint8Array };
  }
  if (x && typeof x === "object" && "data" in x && "shape" in x) {
    if (!(x.data instanceof Uint8Array)) throw new FlambeauError("E_DTYPE", `${OP}: chunk data must be a Uint8Array`, OP);
    return { shape: [...x.shape], data: x.data };
  }
  throw new FlambeauError("E_ARG", `${OP}: frames must be uint8 tensors [T, C, H, W] or chunks {shape, data}, got ${String(x)}`, OP);
}

async function* blocks(src: FrameSource): AsyncGenerator<Tensor | VideoChunk> {
  if (src instanceof Tensor || (src && typeof src === "object" && "data" in src && "shape" in src)) {
    yield src as Tensor | VideoChunk;
    return;
  }
  if (src && typeof src === "object" && (Symbol.asyncIterator in src || Symbol.iterator in src)) {
    yield* src as AsyncIterable<Tensor | VideoChunk>;
    return;
  }
  throw new FlambeauError("E_ARG", `${OP}: frames must be a uint8 tensor [T, C, H, W], a chunk, or a sequence of them`, OP);
}

/** [T,C,H,W] channel-first → the frame-interleaved layout ffmpeg's rawvideo reads (HWC per frame). */
function interleave(data: Uint8Array, t: number, c: number, h: number, w: number): Uint8Array {
  if (c === 1) return data;
  const hw = h * w;
  const out = new Uint8Array(data.length);
  for (let f = 0; f < t; f++) {
    const s = f * c * hw;
    for (let p = 0; p < hw; p++) for (let k = 0; k < c; k++) out[s + p * c + k] = data[s + k * hw + p]!;
  }
  return out;
}

/**
 * Encodes frames to `path` (.mp4, .gif or .webm by its extension) at `fps`. Frames are
 * uint8 RGB (C = 3) or gray (C = 1); every block must have the first one's C, H and W.
 */
export async function writeVideo(path: string, frames: FrameSource, o: WriteVideoOptions): Promise<{ frames: number }> {
  if (typeof path !== "string" || path.length === 0) throw new FlambeauError("E_ARG", `${OP}: path must be a non-empty string`, OP);
  const format = formatOf(path);
  if (!o || !(o.fps > 0 && o.fps <= 1000)) throw new FlambeauError("E_ARG", `${OP}: fps must be in (0, 1000], got ${o?.fps}`, OP);
  if (o.scale !== undefined && !(Number.isInteger(o.scale) && o.scale >= 1 && o.scale <= 16))
    throw new FlambeauError("E_ARG", `${OP}: scale must be an integer in [1, 16], got ${o.scale}`, OP);
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new FlambeauError("E_IO", `${OP}: no such directory ${dir}`, OP);
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  let proc: ToolRun | null = null;
  let dims: [number, number, number] | null = null;
  let count = 0;
  let ok = false;
  try {
    for await (const x of blocks(frames)) {
      const { shape, data } = blockOf(x);
      if (shape.length !== 4 || !(shape[1] === 1 || shape[1] === 3) || shape.some((v) => !(Number.isInteger(v) && v > 0)))
        throw new FlambeauError("E_SHAPE", `${OP}: frames must be [T, C, H, W] with C = 1 or 3, got ${JSON.stringify(shape)}`, OP);
      const [t, c, h, w] = shape as [number, number, number, number];
      if (data.length !== t * c * h * w)
        throw new FlambeauError(
          "E_SHAPE",
          `${OP}: a chunk of shape ${JSON.stringify(shape)} holds ${data.length} bytes, expected ${t * c * h * w}`,
          OP,
        );
      if (!dims) {
        dims = [c, h, w];
        const args = ["-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", c === 3 ? "rgb24" : "gray"];
        args.push("-s", `${w}x${h}`, "-r", String(o.fps), "-i", "pipe:0", ...encoderArgs(format, c, o), tmp);
        proc = spawnTool(FFMPEG_TOOLS.ffmpeg, args, ["pipe", "ignore", "pipe"]);
        proc.proc.stdin!.on("error", () => {}); // EPIPE when ffmpeg dies: its exit code reports it
      } else if (dims[0] !== c || dims[1] !== h || dims[2] !== w)
        throw new FlambeauError("E_SHAPE", `${OP}: every chunk must be [·, ${dims.join(", ")}], got ${JSON.stringify(shape)}`, OP);
      const stdin = proc!.proc.stdin!;
      if (!stdin.writable) break;
      // Backpressure: wait for the pipe to drain before taking the next chunk.
      if (!stdin.write(interleave(data, t, c, h, w)))
        await new Promise<void>((r) => {
          const done = () => {
            stdin.off("drain", done);
            stdin.off("close", done);
            r();
          };
          stdin.once("drain", done);
          stdin.once("close", done);
        });
      count += t;
    }
    if (!proc) throw new FlambeauError("E_ARG", `${OP}: no frames to write to ${path}`, OP);
    const p = proc as ToolRun;
    p.proc.stdin!.end();
    let code: number | null;
    try {
      code = await p.exited;
    } catch (e) {
      throw spawnError(OP, FFMPEG_TOOLS.ffmpeg, e);
    }
    if (code !== 0) throw new FlambeauError("E_IO", `${OP}: ffmpeg could not encode ${path} (exit ${code}: ${lastLines(p.stderr())})`, OP);
    const fh = await open(tmp, "r+");
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
    ok = true;
    return { frames: count };
  } finally {
    if (!ok) {
      const p = proc as ToolRun | null;
      if (p && p.proc.exitCode === null) {
        p.proc.kill("SIGKILL");
        await p.exited.catch(() => null);
      }
      await unlink(tmp).catch(() => {});
    }
  }
}
