// The continual run's pictures: each strategy's accuracy matrix as a heat map (rows: after
// learning experience i; columns: tested on experience j), beside a table of the average
// accuracy and backward transfer.

import { escapeHtml } from "../../tasks/html.js";
import type { ContinualResult } from "./runner.js";

/** Accuracy 0 → white, 1 → deep blue. */
const shade = (a: number): string => {
  const v = Math.round(255 - 200 * Math.max(0, Math.min(1, a)));
  return `rgb(${v},${Math.round(v * 0.9 + 25)},255)`;
};

export function accuracyHeatmapSvg(r: ContinualResult, cell = 34): string {
  const T = r.accuracy.length;
  const pad = 44;
  const size = pad + T * cell + 8;
  const cells = r.accuracy.flatMap((row, i) =>
    row.map((a, j) => {
      const [x, y] = [pad + j * cell, pad + i * cell];
      const text = Number.isFinite(a) ? Math.round(a * 100).toString() : "–";
      return `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${shade(a)}" stroke="#fff"/><text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" font-size="11" fill="${a > 0.6 ? "#fff" : "#222"}">${text}</text>`;
    }),
  );
  const axes = Array.from(
    { length: T },
    (_, k) =>
      `<text x="${pad + k * cell + cell / 2}" y="${pad - 6}" text-anchor="middle" font-size="11">${k + 1}</text><text x="${pad - 6}" y="${pad + k * cell + cell / 2 + 4}" text-anchor="end" font-size="11">${k + 1}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size + 16}" role="img" aria-label="${escapeHtml(r.strategy)} accuracy matrix">
<text x="${pad}" y="14" font-size="12">${escapeHtml(r.strategy)}: tested on experience →</text>
<text x="10" y="${pad + (T * cell) / 2}" font-size="11" transform="rotate(-90 10 ${pad + (T * cell) / 2})" text-anchor="middle">after experience ↓</text>
${axes.join("\n")}
${cells.join("\n")}
</svg>`;
}

export function continualReportHtml(title: string, results: readonly ContinualResult[]): string {
  const rows = results
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.strategy)}</td><td>${(r.average * 100).toFixed(1)} %</td><td>${(r.backwardTransfer * 100).toFixed(1)}</td><td>${r.seconds.toFixed(0)} s</td></tr>`,
    )
    .join("\n");
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:left}.maps{display:flex;flex-wrap:wrap;gap:16px}</style></head>
<body><h1>${escapeHtml(title)}</h1>
<table><tr><th>strategy</th><th>average accuracy after the last experience</th><th>backward transfer (points)</th><th>time</th></tr>
${rows}</table>
<h2>Accuracy matrices</h2><div class="maps">${results.map((r) => accuracyHeatmapSvg(r)).join("\n")}</div>
</body></html>
`;
}
