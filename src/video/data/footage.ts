// Real footage for the tasks that learn from video itself (super-resolution, frame
// interpolation): the training and held-out videos of `--data` (opencv-doc's sample videos, or a
// folder with train/ and test/), decoded at a working resolution, and random windows of K
// consecutive frames cropped from them in one of the 8 orientations, played either way in time.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import type { Random } from "../../data/random.js";
import { probeVideo } from "../io/probe.js";
import { readVideo } from "../io/read.js";
import { VIDEO_EXTENSIONS, videoFiles } from "./video-folder.js";

/** opencv-doc's sample videos: two for training, one held out. */
export const OPENCV_VIDEOS = "/usr/share/doc/opencv-doc/examples/data";
const OPENCV_SPLIT = { train: ["Megamind.avi", "tree.avi"], test: ["vtest.avi"] };
/** Frames are area-downscaled so that their longer side is at most this (the full-resolution truth). */
export const MAX_SIDE = 384;
/** At most this many frames of a video are read (bounded memory: 300 × 384 × 288 × 3 B ≈ 100 MB). */
export const MAX_FRAMES = 300;

/**
 * The training and held-out videos of `data`: `opencv-videos`, or a folder with train/ and test/
 * subfolders of videos. `other` names the task's other data values for the error message.
 */
export function videoSplit(data: string, task: string, other?: string): { train: string[]; test: string[] } {
  if (data === "opencv-videos") {
    const at = (f: string) => join(OPENCV_VIDEOS, f);
    const all = [...OPENCV_SPLIT.train, ...OPENCV_SPLIT.test].map(at);
    const missing = all.filter((f) => !existsSync(f));
    if (missing.length)
      throw new FlambeauError("E_IO", `${task}: ${missing.join(", ")} not found; \`apt-get install opencv-doc\` installs them`);
    return { train: OPENCV_SPLIT.train.map(at), test: OPENCV_SPLIT.test.map(at) };
  }
  const sub = (s: string) => join(data, s);
  if (!existsSync(data) || !statSync(data).isDirectory())
    throw new FlambeauError(
      "E_IO",
      `${task}: --data must be "opencv-videos"${other ? `, ${other}` : ""} or a folder with train/ and test/ subfolders of videos; ${data} is not a folder`,
    );
  for (const s of ["train", "test"])
    if (!existsSync(sub(s)) || videoFiles(sub(s)).length === 0)
      throw new FlambeauError("E_IO", `${task}: ${data} needs a ${s}/ subfolder holding videos (${VIDEO_EXTENSIONS.join(" ")})`);
  return { train: videoFiles(sub("train")), test: videoFiles(sub("test")) };
}

/** A decoded video at working resolution: uint8 [T, 3, H, W]. */
export interface Footage {
  path: string;
  frames: Tensor;
}

/** The working size of a w × h video: longer side ≤ MAX_SIDE, both sides multiples of 4. */
export function workingSize(w: number, h: number): [number, number] {
  const f = Math.min(1, MAX_SIDE / Math.max(w, h));
  return [Math.max(4, Math.floor((h * f) / 4) * 4), Math.max(4, Math.floor((w * f) / 4) * 4)];
}

/** The videos at working size, each checked to hold at least `window` frames of `patch` × `patch` px. */
export async function loadFootage(paths: readonly string[], o: { window: number; patch: number; task: string }): Promise<Footage[]> {
  const out: Footage[] = [];
  for (const path of paths) {
    const info = await probeVideo(path);
    const { frames } = await readVideo(path, { size: workingSize(info.width, info.height), maxFrames: MAX_FRAMES });
    if (frames.shape[0]! < o.window || frames.shape[2]! < o.patch || frames.shape[3]! < o.patch) {
      const shape = JSON.stringify(frames.shape);
      frames.dispose();
      for (const f of out) f.frames.dispose();
      throw new FlambeauError(
        "E_IO",
        `${o.task}: ${path} decodes to ${shape} frames; a video needs at least ${o.window} frames of ${o.patch}×${o.patch} px`,
      );
    }
    out.push({ path, frames });
  }
  return out;
}

/** One of the 8 orientations of a [K, 3, P, P] window, played forwards or backwards. */
export function augmentWindow(x: Tensor, rng: Random): Tensor {
  if (rng.nextFloat() < 0.5) x = x.flip(3);
  if (rng.nextFloat() < 0.5) x = x.flip(2);
  if (rng.nextFloat() < 0.5) x = x.transpose(2, 3);
  if (rng.nextFloat() < 0.5) x = x.flip(0);
  return x;
}

/**
 * A random uint8 window [K, 3, P, P] of the videos (K frames `step` apart, a start uniform over
 * every video's windows, a random crop), augmented by augmentWindow.
 */
export function footageWindow(videos: readonly Footage[], k: number, patch: number, rng: Random, step = 1): Tensor {
  const span = (k - 1) * step + 1;
  const total = videos.reduce((s, v) => s + v.frames.shape[0]! - span + 1, 0);
  let at = rng.int(total);
  const v = videos.find((x) => (at -= x.frames.shape[0]! - span + 1) < 0)!.frames;
  const t0 = at + v.shape[0]! - span + 1;
  const [h, w] = [v.shape[2]!, v.shape[3]!];
  const clip = v
    .narrow(0, t0, span)
    .narrow(2, rng.int(h - patch + 1), patch)
    .narrow(3, rng.int(w - patch + 1), patch);
  return augmentWindow(step === 1 ? clip : clip.slice(0, 0, span, step), rng);
}
