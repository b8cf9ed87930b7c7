// The demo's HTML report: one self-contained page (inline SVG charts, no scripts, no
// network) with a metrics table, loss curves, confusion matrices and sample predictions.

import { escapeHtml } from "../tasks/html.js";
import type { DemoSection } from "../tasks/task.js";

function lossChart(h: DemoSection["history"]): string {
  const W = 420;
  const H = 200;
  const P = 36;
  const series: [string, string, number[]][] = [
    ["train loss", "#d9480f", h.map((e) => e.loss)],
    ["val loss", "#1c7ed6", h.map((e) => e.valLoss ?? Number.NaN)],
  ];
  const all = series.flatMap(([, , v]) => v).filter(Number.isFinite);
  if (all.length === 0) return "";
  const max = Math.max(...all);
  const min = Math.min(0, ...all);
  const n = Math.max(h.length, 2);
  const x = (i: number) => P + (i * (W - 2 * P)) / (n - 1);
  const y = (v: number) => H - P - ((v - min) / (max - min || 1)) * (H - 2 * P);
  const lines = series
    .filter(([, , v]) => v.some(Number.isFinite))
    .map(([name, color, v], k) => {
      const pts = v.map((val, i) => (Number.isFinite(val) ? `${x(i).toFixed(1)},${y(val).toFixed(1)}` : "")).filter(Boolean);
      return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(" ")}"/><text x="${W - P - 90}" y="${P + 14 * k}" fill="${color}" font-size="12">${name}</text>`;
    })
    .join("");
  return `<svg width="${W}" height="${H}" role="img" aria-label="loss curves"><rect width="${W}" height="${H}" fill="#fff" stroke="#ddd"/>
<line x1="${P}" y1="${H - P}" x2="${W - P}" y2="${H - P}" stroke="#999"/><line x1="${P}" y1="${P}" x2="${P}" y2="${H - P}" stroke="#999"/>
<text x="${P - 4}" y="${y(max) + 4}" font-size="10" text-anchor="end">${max.toFixed(2)}</text><text x="${P - 4}" y="${H - P + 4}" font-size="10" text-anchor="end">${min.toFixed(2)}</text>
<text x="${W / 2}" y="${H - 8}" font-size="11" text-anchor="middle">epoch</text>${lines}</svg>`;
}

function confusion(c: NonNullable<DemoSection["confusion"]>): string {
  const max = Math.max(1, ...c.matrix.flat());
  const head = `<tr><th>true \\ predicted</th>${c.labels.map((l) => `<th class="rot">${escapeHtml(l)}</th>`).join("")}</tr>`;
  const rows = c.matrix
    .map((r, i) => {
      const cells = r
        .map((v, j) => {
          const a = v / max;
          const bg = i === j ? `rgba(47,158,68,${0.15 + 0.85 * a})` : `rgba(224,49,49,${Math.min(1, 4 * a)})`;
          return `<td style="background:${bg}">${v}</td>`;
        })
        .join("");
      return `<tr><th>${escapeHtml(c.labels[i] ?? String(i))}</th>${cells}</tr>`;
    })
    .join("");
  return `<table class="cm">${head}${rows}</table>`;
}

function samples(s: NonNullable<DemoSection["samples"]>): string {
  return `<div class="samples">${s
    .map(
      (x) =>
        `<figure class="${x.truth === x.predicted ? "ok" : "bad"}">${x.image ? `<img src="${x.image}" width="64" height="64" alt="${escapeHtml(x.truth)}">` : `<blockquote>${escapeHtml(x.input ?? "")}</blockquote>`}<figcaption>${escapeHtml(x.predicted)} (${(100 * x.probability).toFixed(0)}%)<br><small>true: ${escapeHtml(x.truth)}</small></figcaption></figure>`,
    )
    .join("")}</div>`;
}

export function renderReport(sections: DemoSection[], o: { full: boolean; seconds: number }): string {
  const metricNames = [...new Set(sections.flatMap((s) => Object.keys(s.metrics)))];
  const table = `<table><tr><th>task</th><th>data</th>${metricNames.map((m) => `<th>${escapeHtml(m)}</th>`).join("")}<th>time</th></tr>${sections
    .map(
      (s) =>
        `<tr><td>${escapeHtml(s.task)}</td><td>${escapeHtml(s.dataset)}</td>${metricNames.map((m) => `<td>${s.metrics[m] === undefined ? "" : s.metrics[m]!.toFixed(4)}</td>`).join("")}<td>${s.seconds.toFixed(0)} s</td></tr>`,
    )
    .join("")}</table>`;
  const body = sections
    .map(
      (s) => `<section><h2>${escapeHtml(s.task)} — ${escapeHtml(s.dataset)}</h2>
<p>Reproduce: ${s.commands.map((c) => `<code>${escapeHtml(c)}</code>`).join("<br>")}</p>
<div class="row">${lossChart(s.history)}${s.confusion ? confusion(s.confusion) : ""}</div>
${s.samples ? `<h3>Sample test predictions</h3>${samples(s.samples)}` : ""}${s.extraHtml ?? ""}</section>`,
    )
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Flambeau demo report</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 6px;text-align:right}
th{background:#f6f6f6}.cm td{width:2.6em;font-size:12px}.rot{font-size:11px}.row{display:flex;gap:2em;flex-wrap:wrap;align-items:flex-start}
.samples{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0;padding:4px;border:2px solid #2f9e44;width:96px;text-align:center;font-size:11px}figure.bad{border-color:#e03131}
img{image-rendering:pixelated}code{background:#f1f3f5;padding:1px 4px}</style></head><body>
<h1>Flambeau demo</h1><p>${o.full ? "Full budgets" : "Small demo budgets (run <code>flambeau demo --full</code> for the README's figures)"}; ${sections.length} task(s) in ${o.seconds.toFixed(0)} s on this machine. Every model below was trained from scratch here, on real data that ships with the project's packages.</p>
${table}${body}</body></html>`;
}
