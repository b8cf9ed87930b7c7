// Axes for the reports' inline SVG charts: "nice" tick values (steps of 1, 2 or 5 × 10^k),
// integer epoch ticks, and the axis lines, grid lines, tick marks and labels drawn from them.
// No chart library: the pages stay single files without scripts.

/** Tick values covering [min, max]: about `count` of them, at steps of 1, 2 or 5 × 10^k. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max === min) {
    const pad = Math.abs(max) > 0 ? Math.abs(max) * 0.1 : 1;
    return niceTicks(min - pad, max + pad, count);
  }
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const out: number[] = [];
  for (let v = lo; v <= hi + step / 2; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Epochs 1…n, thinned to at most `max` ticks (every k-th, the last one kept). */
export function epochTicks(n: number, max = 10): number[] {
  const k = Math.max(1, Math.ceil(n / max));
  const out: number[] = [];
  for (let e = 1; e <= n; e += k) out.push(e);
  if (out[out.length - 1] !== n) out.push(n);
  return out;
}

export interface Tick {
  /** Position in pixels along the axis. */
  at: number;
  label: string;
}

export interface Frame {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Axis lines, light grid lines at the y ticks, tick marks and labels, and the two axis titles. */
export function axesSvg(f: Frame, xTicks: readonly Tick[], yTicks: readonly Tick[], xTitle: string, yTitle: string): string {
  const grid = yTicks
    .map(
      (t) =>
        `<line x1="${f.left}" x2="${f.right}" y1="${t.at.toFixed(1)}" y2="${t.at.toFixed(1)}" stroke="#eee"/>` +
        `<line x1="${f.left - 4}" x2="${f.left}" y1="${t.at.toFixed(1)}" y2="${t.at.toFixed(1)}" stroke="#999"/>` +
        `<text x="${f.left - 6}" y="${(t.at + 3.5).toFixed(1)}" font-size="10" text-anchor="end">${t.label}</text>`,
    )
    .join("");
  const xs = xTicks
    .map(
      (t) =>
        `<line x1="${t.at.toFixed(1)}" x2="${t.at.toFixed(1)}" y1="${f.bottom}" y2="${f.bottom + 4}" stroke="#999"/>` +
        `<text x="${t.at.toFixed(1)}" y="${f.bottom + 15}" font-size="10" text-anchor="middle">${t.label}</text>`,
    )
    .join("");
  const midY = (f.top + f.bottom) / 2;
  return `${grid}<line x1="${f.left}" y1="${f.bottom}" x2="${f.right}" y2="${f.bottom}" stroke="#999"/><line x1="${f.left}" y1="${f.top}" x2="${f.left}" y2="${f.bottom}" stroke="#999"/>${xs}
<text x="${(f.left + f.right) / 2}" y="${f.bottom + 30}" font-size="11" text-anchor="middle">${xTitle}</text><text x="12" y="${midY}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${midY})">${yTitle}</text>`;
}

/** A tick label: as few decimals as the step between ticks needs. */
export function tickLabel(v: number, step: number): string {
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(Math.abs(step) || 1) + 1e-9)));
  return v.toFixed(decimals);
}
