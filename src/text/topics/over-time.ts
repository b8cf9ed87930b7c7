// Topics over time: each topic's mean proportion θ_k over the documents of each period (a
// decade by default), and an inline SVG of it as small multiples, one panel per topic on a
// shared time axis and its own proportion scale, titled by the topic's top words.
import { FlambeauError } from "../../core/errors.js";
import { niceTicks } from "../../tasks/chart-axes.js";

export interface TopicsOverTime {
  /** The first year of each period, ascending (periods without documents are left out). */
  periods: number[];
  /** Documents in each period. */
  counts: number[];
  /** Mean proportion of each topic in each period, [periods][K]. */
  means: number[][];
}

/** Mean topic proportions per period of `width` years; `theta` holds rows of K. */
export function topicsOverTime(theta: ArrayLike<number>, topics: number, years: readonly number[], width = 10): TopicsOverTime {
  if (theta.length !== years.length * topics)
    throw new FlambeauError(
      "E_ARG",
      `topicsOverTime: ${theta.length} proportions for ${years.length} documents × ${topics} topics`,
      "topics",
    );
  const sums = new Map<number, { n: number; s: Float64Array }>();
  years.forEach((y, d) => {
    const p = Math.floor(y / width) * width;
    let e = sums.get(p);
    if (!e) sums.set(p, (e = { n: 0, s: new Float64Array(topics) }));
    e.n++;
    for (let k = 0; k < topics; k++) e.s[k]! += theta[d * topics + k]!;
  });
  const periods = [...sums.keys()].sort((a, b) => a - b);
  return {
    periods,
    counts: periods.map((p) => sums.get(p)!.n),
    means: periods.map((p) => Array.from(sums.get(p)!.s, (v) => v / sums.get(p)!.n)),
  };
}

/** `s` cut to `n` characters at a word end, with an ellipsis. */
const fit = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, s.lastIndexOf(" ", n - 1))} …`);
const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Small multiples, `columns` panels a row: each topic's mean proportion per period. */
export function topicsOverTimeSvg(t: TopicsOverTime, labels: readonly string[], o: { columns?: number; title?: string } = {}): string {
  const K = labels.length;
  const cols = o.columns ?? 4;
  const rows = Math.ceil(K / cols);
  const PW = 200;
  const PH = 74;
  const GAP = 34;
  const top = o.title ? 24 : 4;
  const W = cols * (PW + 12) + 8;
  const H = top + rows * (PH + GAP) + 4;
  const lo = t.periods[0] ?? 0;
  const hi = t.periods.at(-1) ?? 1;
  const x = (p: number) => ((p - lo) / (hi - lo || 1)) * (PW - 36) + 30;
  const xt = niceTicks(lo, hi, 3).filter((v) => v >= lo && v <= hi);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="10" style="background:#fff">`,
  ];
  if (o.title) out.push(`<text x="8" y="16" font-size="13">${esc(o.title)}</text>`);
  labels.forEach((label, k) => {
    const ox = 8 + (k % cols) * (PW + 12);
    const oy = top + Math.floor(k / cols) * (PH + GAP) + 14;
    const vals = t.means.map((m) => m[k]!);
    const max = Math.max(...vals, 1e-9);
    const y = (v: number) => oy + PH - 14 - (v / max) * (PH - 20);
    const pts = t.periods.map((p, i) => `${(ox + x(p)).toFixed(1)},${y(vals[i]!).toFixed(1)}`).join(" ");
    out.push(
      `<text x="${ox}" y="${oy - 3}" font-size="10.5">${esc(fit(`${k}: ${label}`, 34))}</text>`,
      `<line x1="${ox + 30}" x2="${ox + PW - 6}" y1="${oy + PH - 14}" y2="${oy + PH - 14}" stroke="#999"/>`,
      `<text x="${ox + 27}" y="${(y(max) + 3).toFixed(1)}" text-anchor="end" fill="#555">${(100 * max).toFixed(0)}%</text>`,
      `<text x="${ox + 27}" y="${(y(0) + 3).toFixed(1)}" text-anchor="end" fill="#555">0</text>`,
      `<polyline points="${pts}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>`,
      ...xt.map((v) => `<text x="${(ox + x(v)).toFixed(1)}" y="${oy + PH}" text-anchor="middle" fill="#555">${v}</text>`),
    );
  });
  out.push("</svg>");
  return out.join("\n");
}
