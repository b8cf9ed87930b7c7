// Drawing a graph: a seeded Fruchterman–Reingold force layout and an SVG of it with nodes
// coloured by class or community (self-contained markup for the HTML report).

import { Random } from "../data/random.js";
import { escapeHtml } from "../tasks/html.js";

export interface Layout {
  x: Float64Array;
  y: Float64Array;
}

/** Positions in [0, 1]² from `edges` ([source, target] pairs) by force-directed relaxation. */
export function forceLayout(
  numNodes: number,
  edges: readonly (readonly [number, number])[],
  o: { iterations?: number; seed?: number } = {},
): Layout {
  const rng = new Random(o.seed ?? 0);
  const n = numNodes;
  const x = Float64Array.from({ length: n }, () => rng.nextFloat());
  const y = Float64Array.from({ length: n }, () => rng.nextFloat());
  const k = Math.sqrt(1 / Math.max(1, n));
  const iters = o.iterations ?? 200;
  const dx = new Float64Array(n);
  const dy = new Float64Array(n);
  for (let it = 0; it < iters; it++) {
    const temp = 0.1 * (1 - it / iters) + 0.002;
    dx.fill(0);
    dy.fill(0);
    // Repulsion between every pair (the graphs drawn here are small).
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        const ex = x[i]! - x[j]!;
        const ey = y[i]! - y[j]!;
        const d2 = Math.max(ex * ex + ey * ey, 1e-6);
        const f = (k * k) / d2;
        dx[i]! += ex * f;
        dy[i]! += ey * f;
        dx[j]! -= ex * f;
        dy[j]! -= ey * f;
      }
    for (const [a, b] of edges) {
      const ex = x[a]! - x[b]!;
      const ey = y[a]! - y[b]!;
      const d = Math.sqrt(ex * ex + ey * ey) + 1e-9;
      const f = d / k;
      dx[a]! -= ex * f;
      dy[a]! -= ey * f;
      dx[b]! += ex * f;
      dy[b]! += ey * f;
    }
    for (let i = 0; i < n; i++) {
      const d = Math.sqrt(dx[i]! * dx[i]! + dy[i]! * dy[i]!) + 1e-9;
      const step = Math.min(d, temp);
      x[i]! += (dx[i]! / d) * step;
      y[i]! += (dy[i]! / d) * step;
    }
  }
  const norm = (v: Float64Array) => {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const t of v) {
      lo = Math.min(lo, t);
      hi = Math.max(hi, t);
    }
    for (let i = 0; i < v.length; i++) v[i] = hi > lo ? (v[i]! - lo) / (hi - lo) : 0.5;
  };
  norm(x);
  norm(y);
  return { x, y };
}

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

export interface DrawOptions {
  /** Colour index of each node. */
  colors: ArrayLike<number>;
  /** Nodes drawn with a thick outline (e.g. the labelled ones). */
  highlight?: ReadonlySet<number>;
  /** Nodes drawn with a red cross (e.g. misclassified). */
  wrong?: ReadonlySet<number>;
  labels?: readonly string[];
  legend?: readonly string[];
  title?: string;
  size?: number;
}

/** An SVG drawing of the graph at `layout`. */
export function drawGraphSvg(layout: Layout, edges: readonly (readonly [number, number])[], o: DrawOptions): string {
  const s = o.size ?? 360;
  const pad = 16;
  const px = (i: number) => (pad + layout.x[i]! * (s - 2 * pad)).toFixed(1);
  const py = (i: number) => (pad + 18 + layout.y[i]! * (s - 2 * pad - 18)).toFixed(1);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${s}" height="${s + 20 * Math.ceil((o.legend?.length ?? 0) / 3)}" style="background:#fff">`,
  ];
  if (o.title) parts.push(`<text x="${pad}" y="16" font-size="13" font-family="sans-serif">${escapeHtml(o.title)}</text>`);
  for (const [a, b] of edges) parts.push(`<line x1="${px(a)}" y1="${py(a)}" x2="${px(b)}" y2="${py(b)}" stroke="#bbb" stroke-width="1"/>`);
  for (let i = 0; i < layout.x.length; i++) {
    const c = PALETTE[o.colors[i]! % PALETTE.length]!;
    const hl = o.highlight?.has(i);
    parts.push(
      `<circle cx="${px(i)}" cy="${py(i)}" r="${hl ? 8 : 6}" fill="${c}" stroke="${hl ? "#000" : "#fff"}" stroke-width="${hl ? 2.5 : 1}"><title>${escapeHtml(o.labels?.[i] ?? String(i))}</title></circle>`,
    );
    if (o.wrong?.has(i))
      parts.push(
        `<text x="${px(i)}" y="${py(i)}" dy="4" text-anchor="middle" font-size="11" fill="#fff" font-family="sans-serif">✗</text>`,
      );
  }
  o.legend?.forEach((name, k) => {
    const lx = pad + (k % 3) * ((s - 2 * pad) / 3);
    const ly = s + 14 + 20 * Math.floor(k / 3);
    parts.push(`<circle cx="${lx + 5}" cy="${ly - 4}" r="5" fill="${PALETTE[k % PALETTE.length]}"/>`);
    parts.push(`<text x="${lx + 14}" y="${ly}" font-size="11" font-family="sans-serif">${escapeHtml(name)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("");
}
