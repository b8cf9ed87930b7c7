// The tracking pictures: tracks drawn into frames in their id's colour, nearest-neighbour
// enlargement of small frames, and the demo's figure of one clip tracked three ways.
import { readFileSync } from "node:fs";
import { classColor, drawBoxes } from "../../vision/scenes/draw.js";
import { ACTIONS } from "../data/actions.js";
import type { Clip } from "../data/clips.js";
import { clipFigureHtml, sideBySide } from "../demo-figures.js";
import { writeVideo } from "../io/write.js";
import type { Box } from "../tracking/boxes.js";
import { IouTracker } from "../tracking/iou-tracker.js";
import { type MotFrame, type MotResult, motMetrics } from "../tracking/mot-metrics.js";
import { SortTracker } from "../tracking/sort.js";
import type { TrackedBox } from "../tracking/types.js";

/** Draws tracks (2 px boxes in the id's colour) into a [3, h, w] frame in place. */
export function drawTracks(frame: Uint8Array, h: number, w: number, tracks: readonly TrackedBox[]): void {
  const boxes = tracks.flatMap((t) => {
    const color = classColor(t.id);
    const [x, y, bw, bh] = t.box;
    return [
      { box: t.box, color },
      { box: [x + 1, y + 1, bw - 2, bh - 2], color },
    ];
  });
  drawBoxes(frame, h, w, boxes);
}

/** Nearest-neighbour ×k of a [3, s, s] frame. */
export function upscale(frame: Uint8Array, s: number, k: number): Uint8Array {
  const S = s * k;
  const out = new Uint8Array(3 * S * S);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < S; y++)
      for (let x = 0; x < S; x++) out[c * S * S + y * S + x] = frame[c * s * s + Math.floor(y / k) * s + Math.floor(x / k)]!;
  return out;
}

/** The demo's GIF gives way to a strip of frames past this size. */
const DEMO_GIF_BYTES = 1_500_000;

/**
 * One clip drawn three times side by side — the true boxes and ids, the IoU-only baseline's
 * tracks and SORT's on the detector's boxes `found` — as a GIF (writeVideo) in `gifPath` and its figure.
 */
export async function trackedClipFigure(
  clip: Clip,
  found: readonly Box[][],
  o: { size: number; frames: number; gifPath: string },
): Promise<string> {
  const { size: s, frames: t, gifPath } = o;
  const k = Math.max(1, Math.floor(192 / s));
  const S = s * k;
  const truth = clip.boxes.map((row) =>
    row.flatMap((b, j) => (b && b[2] > 0 && b[3] > 0 ? [{ id: clip.objects[j]!.id, box: b as Box }] : [])),
  );
  const settings = { minHits: 1, maxAge: 3 };
  const trackers = { iou: new IouTracker(), sort: new SortTracker(settings) };
  const seqs: { iou: MotFrame[]; sort: MotFrame[] } = { iou: [], sort: [] };
  const panels = [0, 1, 2].map(() => new Uint8Array(t * 3 * S * S));
  for (let f = 0; f < t; f++) {
    const frame = clip.frames.subarray(f * 3 * s * s, (f + 1) * 3 * s * s);
    const dets = found[f]!.map((box) => ({ box }));
    const iou = trackers.iou.update(dets);
    const sort = trackers.sort.update(dets);
    seqs.iou.push({ truth: truth[f]!, hypotheses: iou });
    seqs.sort.push({ truth: truth[f]!, hypotheses: sort });
    [truth[f]!, iou, sort].forEach((tracks, p) => {
      const big = upscale(frame, s, k);
      drawTracks(
        big,
        S,
        S,
        tracks.map((tr) => ({ id: tr.id, box: tr.box.map((v) => v * k) as Box })),
      );
      panels[p]!.set(big, f * 3 * S * S);
    });
  }
  const gap = 6;
  const width = 3 * S + 2 * gap;
  const frames = sideBySide(panels, t, S, S, gap);
  await writeVideo(gifPath, { start: 0, shape: [t, 3, S, width], data: frames }, { fps: 4 });
  const r = { iou: motMetrics([seqs.iou]), sort: motMetrics([seqs.sort]) };
  const said = (name: string, x: MotResult) => `${name}: MOTA ${x.mota.toFixed(2)}, ${x.idsw} ID switch${x.idsw === 1 ? "" : "es"}`;
  return clipFigureHtml({
    frames,
    t,
    height: S,
    width,
    gif: readFileSync(gifPath),
    maxGifBytes: DEMO_GIF_BYTES,
    caption: `A held-out "${ACTIONS[clip.label]}" clip (${t} frames at 4 fps), left to right: the true boxes and ids; ${said("the IoU-only baseline", r.iou)}; ${said("SORT", r.sort)} (both on the detector's boxes; a colour is an id)`,
  });
}
