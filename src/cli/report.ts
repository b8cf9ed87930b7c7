// The demo's HTML report: one self-contained page (inline SVG charts, no scripts, no
// network) with a summary card per task, loss curves, confusion matrices and sample predictions.

import { axesSvg, epochTicks, niceTicks, tickLabel } from "../tasks/chart-axes.js";
import { formatMetric } from "../tasks/format.js";
import { escapeHtml } from "../tasks/html.js";
import type { DemoSection } from "../tasks/task.js";

/** Train and validation loss per epoch, on axes with epoch ticks and nice loss ticks. */
export function lossChart(h: DemoSection["history"]): string {
  const W = 440;
  const H = 220;
  const f = { left: 52, top: 14, right: W - 14, bottom: H - 40 };
  const series: [string, string, number[]][] = [
    ["train loss", "#d9480f", h.map((e) => e.loss)],
    ["val loss", "#1c7ed6", h.map((e) => e.valLoss ?? Number.NaN)],
  ];
  const all = series.flatMap(([, , v]) => v).filter(Number.isFinite);
  if (all.length === 0) return "";
  const yt = niceTicks(Math.min(0, ...all), Math.max(...all));
  const [lo, hi] = [yt[0]!, yt[yt.length - 1]!];
  const n = h.length;
  // Epoch e (1-based) at its own x; one epoch sits in the middle.
  const x = (e: number) => (n === 1 ? (f.left + f.right) / 2 : f.left + ((e - 1) * (f.right - f.left)) / (n - 1));
  const y = (v: number) => f.bottom - ((v - lo) / (hi - lo || 1)) * (f.bottom - f.top);
  const step = yt.length > 1 ? yt[1]! - yt[0]! : 1;
  const axes = axesSvg(
    f,
    epochTicks(n).map((e) => ({ at: x(e), label: String(e) })),
    yt.map((v) => ({ at: y(v), label: tickLabel(v, step) })),
    "epoch",
    "loss",
  );
  const lines = series
    .filter(([, , v]) => v.some(Number.isFinite))
    .map(([name, color, v], k) => {
      const pts = v.flatMap((val, i) => (Number.isFinite(val) ? [[x(i + 1), y(val)] as const] : []));
      const dots = pts.map(([px, py]) => `<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="2.5" fill="${color}"/>`).join("");
      return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(" ")}"/>${dots}<text x="${f.right - 80}" y="${f.top + 12 + 14 * k}" fill="${color}" font-size="12">${name}</text>`;
    })
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="loss per epoch"><rect width="${W}" height="${H}" fill="#fff" stroke="#ddd"/>${axes}${lines}</svg>`;
}

/** One card per task: its own metrics only (tasks share few metric names). */
function summaryCards(sections: readonly DemoSection[]): string {
  return `<div class="cards">${sections
    .map(
      (s) =>
        `<div class="card"><h3><a href="#${anchor(s.task)}">${escapeHtml(s.task)}</a></h3><p class="data">${escapeHtml(s.dataset)}</p><dl>${Object.entries(
          s.metrics,
        )
          .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${formatMetric(v)}</dd>`)
          .join("")}<dt>time</dt><dd>${s.seconds.toFixed(0)} s</dd></dl></div>`,
    )
    .join("")}</div>`;
}

const anchor = (task: string) => `task-${task.replace(/[^\w-]/g, "-")}`;

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
  const table = summaryCards(sections);
  const body = sections
    .map(
      (s) => `<section id="${anchor(s.task)}"><h2>${escapeHtml(s.task)} — ${escapeHtml(s.dataset)}</h2>
<p>Reproduce: ${s.commands.map((c) => `<code>${escapeHtml(c)}</code>`).join("<br>")}</p>
<div class="row">${lossChart(s.history)}${s.confusion ? confusion(s.confusion) : ""}</div>
${s.samples ? `<h3>Sample test predictions</h3>${samples(s.samples)}` : ""}${s.extraHtml ?? ""}</section>`,
    )
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Flambeau demo report</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 6px;text-align:right}
th{background:#f6f6f6}.cm td{width:2.6em;font-size:12px}.rot{font-size:11px}.row{display:flex;gap:2em;flex-wrap:wrap;align-items:flex-start}
.samples{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0;padding:4px;border:2px solid #2f9e44;width:96px;text-align:center;font-size:11px}figure.bad{border-color:#e03131}
img{image-rendering:pixelated}.cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #ddd;border-radius:6px;padding:6px 10px;width:230px;box-sizing:border-box}
.card h3{margin:0;font-size:14px}.card .data{margin:2px 0 6px;color:#666;font-size:12px}.card dl{display:grid;grid-template-columns:auto auto;gap:1px 8px;margin:0}.card dd{margin:0;text-align:right;font-variant-numeric:tabular-nums}code{background:#f1f3f5;padding:1px 4px}</style></head><body>
<h1>Flambeau demo</h1><p>${o.full ? "Full budgets" : "Small demo budgets (run <code>flambeau demo --full</code> for the README's figures)"}; ${sections.length} task(s) in ${o.seconds.toFixed(0)} s on this machine. Every model below was trained from scratch here, on real data that ships with the project's packages.</p>
${table}${body}</body></html>`;
}
