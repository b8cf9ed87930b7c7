// The picture of Wang's idea for the demo report: the track's spectral peaks at the found
// offset (grey) under the query's peaks (red when a track peak sits within ±1 frame/bin,
// orange when not) — a noisy query keeps enough of the constellation to line up.
import { escapeHtml } from "../../tasks/html.js";
import type { Peak } from "./landmarks.js";

export interface ConstellationOptions {
  /** Frames shown (the query's length). */
  frames: number;
  bins: number;
  /** Seconds per frame and Hz per bin, for the axis labels. */
  frameSeconds: number;
  binHz: number;
  caption: string;
}

/** An inline SVG of track peaks (already shifted to the query's frames) and query peaks. */
export function constellationSvg(track: readonly Peak[], query: readonly Peak[], o: ConstellationOptions): string {
  const w = 640;
  const h = 240;
  const pad = 36;
  const x = (t: number) => pad + (t / Math.max(1, o.frames)) * (w - pad - 8);
  const y = (f: number) => h - pad - (f / Math.max(1, o.bins)) * (h - pad - 8);
  const near = new Set(track.map((p) => `${p.t},${p.f}`));
  const hit = (p: Peak) => {
    for (let dt = -1; dt <= 1; dt++) for (let df = -1; df <= 1; df++) if (near.has(`${p.t + dt},${p.f + df}`)) return true;
    return false;
  };
  const dots = track
    .filter((p) => p.t >= 0 && p.t < o.frames)
    .map((p) => `<circle cx="${x(p.t).toFixed(1)}" cy="${y(p.f).toFixed(1)}" r="4" fill="none" stroke="#999"/>`);
  let matched = 0;
  const marks = query.map((p) => {
    const ok = hit(p);
    if (ok) matched++;
    return `<circle cx="${x(p.t).toFixed(1)}" cy="${y(p.f).toFixed(1)}" r="2" fill="${ok ? "#c00" : "#f90"}"/>`;
  });
  const secs = o.frames * o.frameSeconds;
  const kHz = (o.bins * o.binHz) / 1000;
  return `<figure><svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-size="11">
<rect x="${pad}" y="8" width="${w - pad - 8}" height="${h - pad - 8}" fill="#fff" stroke="#ccc"/>
${dots.join("\n")}
${marks.join("\n")}
<text x="${pad}" y="${h - 18}">0 s</text><text x="${w - 40}" y="${h - 18}">${secs.toFixed(1)} s</text>
<text x="2" y="${h - pad}">0</text><text x="2" y="16">${kHz.toFixed(1)} kHz</text>
</svg><figcaption>${escapeHtml(o.caption)} ${matched} of ${query.length} query peaks (red) sit on a track peak (grey circles).</figcaption></figure>`;
}
