// The user's own labelled videos: a folder per class (root/<class>/<video>), each video read
// as a fixed number of frames spread evenly over its length, resized to the model's side.
import { existsSync, readdirSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { probeVideo } from "../io/probe.js";
import { readVideoFrames } from "../io/read.js";

export const VIDEO_EXTENSIONS = [".mp4", ".avi", ".webm", ".mkv", ".mov", ".gif", ".m4v", ".mpg", ".mpeg", ".ogv"];

export interface VideoFolder {
  root: string;
  /** Class names: the subfolder names, sorted. */
  classes: string[];
  items: { path: string; label: number }[];
}

/** The video files of a folder (by extension, not recursive), sorted, as paths. */
export function videoFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => VIDEO_EXTENSIONS.includes(extname(f).toLowerCase()))
    .sort()
    .map((f) => join(dir, f));
}

/** Lists root/<class>/<video files>; a class folder without videos is an error (a typo in a name, not an empty class). */
export function readVideoFolder(root: string): VideoFolder {
  const op = "readVideoFolder";
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new FlambeauError("E_IO", `${op}: no such directory ${root}`, op);
  const classes = readdirSync(root)
    .filter((d) => statSync(join(root, d)).isDirectory())
    .sort();
  if (classes.length < 2)
    throw new FlambeauError("E_FORMAT", `${op}: ${root} needs a subfolder per class (at least 2), found ${classes.length}`, op);
  const items: VideoFolder["items"] = [];
  classes.forEach((c, label) => {
    const files = videoFiles(join(root, c));
    if (files.length === 0)
      throw new FlambeauError("E_FORMAT", `${op}: ${join(root, c)} holds no videos (${VIDEO_EXTENSIONS.join(" ")})`, op);
    for (const path of files) items.push({ path, label });
  });
  return { root, classes, items };
}

/**
 * A video as exactly `frames` frames of side × side, uint8 [T, 3, S, S]: ffmpeg's fps filter
 * picks frames evenly over the whole video (a short one repeats its last frame).
 */
export async function loadClip(path: string, frames: number, side: number): Promise<Uint8Array> {
  const info = await probeVideo(path);
  const duration = info.duration > 0 ? info.duration : (info.frames ?? frames) / info.fps;
  const fps = Math.min(info.fps, Math.max(1e-3, frames / Math.max(duration, 1e-3)));
  const per = 3 * side * side;
  const out = new Uint8Array(frames * per);
  let got = 0;
  for await (const c of readVideoFrames(path, { size: side, fps, maxFrames: frames, chunk: frames })) {
    out.set(c.data.subarray(0, Math.min(c.shape[0], frames - got) * per), got * per);
    got += c.shape[0];
  }
  if (got === 0) throw new FlambeauError("E_FORMAT", `loadClip: ${path} has no frames`, "loadClip");
  for (let t = got; t < frames; t++) out.copyWithin(t * per, (got - 1) * per, got * per);
  return out;
}
