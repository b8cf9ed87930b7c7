// An SVG line chart of a score (NMI or ARI) against μ, one line per method: for the README and
// the demo report (inline, no scripts).

import type { BenchmarkRow } from "./benchmark.js";
import type { CommunityMethod } from "./detect.js";

const COLORS: Record<CommunityMethod, string> = {
  leiden: "#1f77b4",
  louvain: "#ff7f0e",
  dmon: "#2ca02c",
  "dgi-kmeans": "#d62728",
  "gnn-kmeans": "#9467bd",
};

const escapeXml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Score (0–1) against μ for each method in the rows, with axes, ticks and a legend. */
export function scoreChartSvg(rows: readonly BenchmarkRow[], score: "nmi" | "ari", title: string): string {
  const W = 420;
  const H = 260;
  const L = 44;
  const R = 120;
  const T = 28;
  const B = 36;
  const mus = rows.map((r) => r.mu);
  const lo = Math.min(...mus);
  const hi = Math.max(...mus);
  const x = (mu: number) => L + ((mu - lo) / (hi - lo || 1)) * (W - L - R);
  const y = (v: number) => T + (1 - Math.max(0, Math.min(1, v))) * (H - T - B);
  const p: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11" style="background:#fff">`,
    `<text x="${L}" y="16" font-size="13">${escapeXml(title)}</text>`,
    `<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#999"/>`,
  ];
  for (let v = 0; v <= 1.0001; v += 0.25)
    p.push(
      `<line x1="${L}" y1="${y(v)}" x2="${W - R}" y2="${y(v)}" stroke="#eee"/>`,
      `<text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(2)}</text>`,
    );
  for (const mu of mus) p.push(`<text x="${x(mu)}" y="${H - B + 14}" text-anchor="middle">${mu}</text>`);
  p.push(`<text x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle">mixing μ</text>`);
  const methods = [...new Set(rows.flatMap((r) => Object.keys(r.scores)))] as CommunityMethod[];
  methods.forEach((m, i) => {
    const pts = rows.filter((r) => r.scores[m]).map((r) => `${x(r.mu).toFixed(1)},${y(r.scores[m]![score]).toFixed(1)}`);
    p.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${COLORS[m]}" stroke-width="2"/>`);
    for (const pt of pts) {
      const [cx, cy] = pt.split(",");
      p.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${COLORS[m]}"/>`);
    }
    p.push(
      `<line x1="${W - R + 10}" y1="${T + 10 + 16 * i}" x2="${W - R + 28}" y2="${T + 10 + 16 * i}" stroke="${COLORS[m]}" stroke-width="2"/>`,
      `<text x="${W - R + 32}" y="${T + 14 + 16 * i}">${escapeXml(m)}</text>`,
    );
  });
  p.push("</svg>");
  return p.join("\n");
}
