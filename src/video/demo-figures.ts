// Clips in the demo report: panels of the same clip side by side (truth beside each
// tracker's output, say), shown as an animated GIF data URI, or, when the GIF is too big for
// the page, as a strip of a few evenly spaced frames (PNG data URIs). Self-contained HTML.
import { FlambeauError } from "../core/errors.js";
import { escapeHtml } from "../tasks/html.js";
import { pngDataUri } from "../vision/scenes/demo-html.js";

/** Frames the strip shows when the GIF is left out. */
export const STRIP_FRAMES = 6;

/** Panels uint8 [T, 3, H, W] (the same T, H, W) → [T, 3, H, n·W + (n − 1)·gap], white between panels. */
export function sideBySide(panels: readonly Uint8Array[], t: number, h: number, w: number, gap = 4): Uint8Array {
  const per = 3 * h * w;
  panels.forEach((p, i) => {
    if (p.length !== t * per)
      throw new FlambeauError("E_SHAPE", `sideBySide: panel ${i} has ${p.length} values, [${t}, 3, ${h}, ${w}] needs ${t * per}`);
  });
  const n = panels.length;
  const width = n * w + Math.max(0, n - 1) * gap;
  const out = new Uint8Array(t * 3 * h * width).fill(255);
  for (let f = 0; f < t; f++)
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < h; y++) {
        const dst = ((f * 3 + c) * h + y) * width;
        panels.forEach((p, i) => {
          const src = ((f * 3 + c) * h + y) * w;
          out.set(p.subarray(src, src + w), dst + i * (w + gap));
        });
      }
  return out;
}

/** `count` frame indices spread evenly over 0 … t − 1 (first and last included). */
export function evenFrames(t: number, count: number): number[] {
  if (t <= count) return Array.from({ length: t }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.round((i * (t - 1)) / (count - 1)));
}

export interface ClipFigure {
  /** uint8 [T, 3, H, W] */
  frames: Uint8Array;
  t: number;
  height: number;
  width: number;
  /** The clip encoded as a GIF (by writeVideo), or null. */
  gif: Uint8Array | null;
  /** Larger GIFs are replaced by the strip. */
  maxGifBytes: number;
  caption: string;
}

/** The clip as an animated GIF, or as a strip of STRIP_FRAMES frames when there is no GIF or it is over the limit. */
export async function clipFigureHtml(o: ClipFigure): Promise<string> {
  const caption = `<figcaption style="font-size:12px">${escapeHtml(o.caption)}</figcaption>`;
  const box = 'style="display:block;margin:4px 0;width:auto;border:none;text-align:left"';
  if (o.gif && o.gif.length <= o.maxGifBytes)
    return `<figure ${box}><img alt="${escapeHtml(o.caption)}" src="data:image/gif;base64,${Buffer.from(o.gif).toString("base64")}" width="${o.width}" height="${o.height}">${caption}</figure>`;
  const per = 3 * o.height * o.width;
  const cells = await Promise.all(
    evenFrames(o.t, STRIP_FRAMES).map(
      async (f) =>
        `<div style="display:inline-block;margin:2px;text-align:center;font-size:11px"><img alt="frame ${f + 1}" src="${await pngDataUri(o.frames.subarray(f * per, (f + 1) * per), { height: o.height, width: o.width })}" width="${o.width}" height="${o.height}"><br>frame ${f + 1}</div>`,
    ),
  );
  return `<figure ${box}><div>${cells.join("")}</div>${caption}</figure>`;
}
