// probeVideo: a video file's size, frame rate, frame count and duration, read by ffprobe
// without decoding the frames.
import { FlambeauError } from "../../core/errors.js";
import { checkInputFile, FFMPEG_TOOLS, lastLines, spawnError, spawnTool } from "../../io/ffmpeg.js";

export interface VideoInfo {
  width: number;
  height: number;
  /** Frames per second (the stream's average rate, else its base rate). */
  fps: number;
  /** Frames in the stream when the container says (AVI, MP4); absent when only a decode could tell. */
  frames?: number;
  /** Seconds. */
  duration: number;
  codec: string;
}

/** "30000/1001" → 29.97; "0/0" → NaN. */
function rate(s: unknown): number {
  if (typeof s !== "string") return Number.NaN;
  const [a, b] = s.split("/").map(Number);
  return b === undefined ? a! : b > 0 ? a! / b : Number.NaN;
}

/** Reads a video's first video stream header through ffprobe. */
export async function probeVideo(path: string): Promise<VideoInfo> {
  const op = "probeVideo";
  checkInputFile(op, path);
  const args = ["-v", "error", "-select_streams", "v:0", "-show_streams", "-show_format", "-of", "json", path];
  const { proc, stderr, exited } = spawnTool(FFMPEG_TOOLS.ffprobe, args, ["ignore", "pipe", "pipe"]);
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString("utf8")));
  let code: number | null;
  try {
    code = await exited;
  } catch (e) {
    throw spawnError(op, FFMPEG_TOOLS.ffprobe, e);
  }
  if (code !== 0)
    throw new FlambeauError(
      "E_FORMAT",
      `${op}: ${path} cannot be decoded (truncated, corrupt or not a video; ffprobe: ${lastLines(stderr())})`,
      op,
    );
  let j: { streams?: Record<string, unknown>[]; format?: Record<string, unknown> };
  try {
    j = JSON.parse(out);
  } catch {
    throw new FlambeauError("E_FORMAT", `${op}: ffprobe printed no JSON for ${path}`, op);
  }
  const s = j.streams?.[0];
  if (s?.codec_type !== "video")
    throw new FlambeauError("E_FORMAT", `${op}: ${path} has no video stream (${lastLines(stderr()) || "ffprobe found none"})`, op);
  const width = Number(s.width);
  const height = Number(s.height);
  if (!(width > 0 && height > 0)) throw new FlambeauError("E_FORMAT", `${op}: ${path}'s video stream has no frame size`, op);
  let fps = rate(s.avg_frame_rate);
  if (!(fps > 0)) fps = rate(s.r_frame_rate);
  if (!(fps > 0)) throw new FlambeauError("E_FORMAT", `${op}: ${path}'s video stream has no frame rate`, op);
  let duration = Number(s.duration);
  if (!(duration > 0)) duration = Number(j.format?.duration);
  const nb = Number(s.nb_frames);
  const frames = Number.isInteger(nb) && nb > 0 ? nb : undefined;
  if (!(duration > 0)) duration = frames !== undefined ? frames / fps : 0;
  return { width, height, fps, ...(frames !== undefined ? { frames } : {}), duration, codec: String(s.codec_name ?? "unknown") };
}
