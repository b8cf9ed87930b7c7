// The timeline picture: one row per diarization (reference, hypothesis …), one coloured bar per
// turn, seconds along the bottom. Hypothesis speakers take the colour of the reference speaker
// they are mapped to (DER's mapping), so agreement shows as matching colours.
import { escapeHtml } from "../../tasks/html.js";
import type { SpeakerTurn } from "./turns.js";

const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#ff9da7", "#bab0ac"];

export interface TimelineRow {
  label: string;
  turns: readonly SpeakerTurn[];
  /** Speaker → the name whose colour it takes (e.g. DER's hypothesis → reference mapping). */
  colourAs?: Readonly<Record<string, string>>;
}

/** A self-contained SVG of the rows over [0, duration] seconds. */
export function timelineSvg(rows: readonly TimelineRow[], duration: number, o: { width?: number; title?: string } = {}): string {
  const width = o.width ?? 720;
  const left = 90;
  const rowH = 22;
  const top = o.title ? 22 : 6;
  const plotW = width - left - 10;
  const height = top + rows.length * (rowH + 6) + 24;
  const x = (t: number) => left + (plotW * t) / Math.max(1e-9, duration);
  const colours = new Map<string, string>();
  const colourOf = (name: string) => {
    if (!colours.has(name)) colours.set(name, PALETTE[colours.size % PALETTE.length]!);
    return colours.get(name)!;
  };
  // Reference names first, so the first row fixes the colours.
  for (const r of rows) for (const t of r.turns) if (!r.colourAs) colourOf(t.speaker);
  const parts: string[] = [];
  if (o.title) parts.push(`<text x="4" y="15" font-size="12" font-family="sans-serif">${escapeHtml(o.title)}</text>`);
  rows.forEach((r, i) => {
    const y = top + i * (rowH + 6);
    parts.push(`<text x="4" y="${y + 15}" font-size="11" font-family="sans-serif">${escapeHtml(r.label)}</text>`);
    parts.push(`<rect x="${left}" y="${y}" width="${plotW}" height="${rowH}" fill="#f4f4f4"/>`);
    for (const t of r.turns) {
      const name = r.colourAs?.[t.speaker] ?? `${r.label}:${t.speaker}`;
      const w = Math.max(0.5, x(t.end) - x(t.start));
      parts.push(
        `<rect x="${x(t.start).toFixed(1)}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 4}" fill="${colourOf(r.colourAs ? name : t.speaker)}" fill-opacity="0.8"><title>${escapeHtml(`${t.speaker} ${t.start.toFixed(2)}–${t.end.toFixed(2)} s`)}</title></rect>`,
      );
    }
  });
  const axisY = top + rows.length * (rowH + 6) + 12;
  const tick = duration > 60 ? 10 : duration > 20 ? 5 : 1;
  for (let t = 0; t <= duration + 1e-9; t += tick)
    parts.push(`<text x="${x(t).toFixed(1)}" y="${axisY}" font-size="10" font-family="sans-serif" text-anchor="middle">${t}s</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join("")}</svg>`;
}
