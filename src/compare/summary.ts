// Tables and a chart of a compare report: mean ± sample standard deviation across seeds
// for each training-set size.

import { axesSvg, niceTicks, tickLabel } from "../tasks/chart-axes.js";
import type { CompareReport, CompareRun, SideResult } from "./compare.js";

export interface Spread {
  mean: number;
  std: number;
}

export interface LadderRow {
  fraction: number;
  trainExamples: number;
  seeds: number;
  shallow: Record<keyof SideResult, Spread>;
  deep?: Record<keyof SideResult, Spread>;
}

function spread(v: number[]): Spread {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, std };
}

function side(runs: SideResult[]): Record<keyof SideResult, Spread> {
  return {
    accuracy: spread(runs.map((r) => r.accuracy)),
    trainSeconds: spread(runs.map((r) => r.trainSeconds)),
    inferMs: spread(runs.map((r) => r.inferMs)),
  };
}

export function ladder(report: CompareReport): LadderRow[] {
  const byFraction = new Map<number, CompareRun[]>();
  for (const r of report.runs) byFraction.set(r.fraction, [...(byFraction.get(r.fraction) ?? []), r]);
  return [...byFraction.entries()].map(([fraction, runs]) => {
    const deep = runs.flatMap((r) => (r.deep ? [r.deep] : []));
    return {
      fraction,
      trainExamples: runs[0]!.trainExamples,
      seeds: runs.length,
      shallow: side(runs.map((r) => r.shallow)),
      deep: deep.length ? side(deep) : undefined,
    };
  });
}

const pct = (s: Spread) => `${(100 * s.mean).toFixed(2)} ± ${(100 * s.std).toFixed(2)}`;
const sec = (s: Spread) => s.mean.toFixed(1);
const ms = (s: Spread) => s.mean.toFixed(3);

/**
 * The smallest training-set size from which the deep model's mean accuracy is above the shallow
 * one's at that size and every larger one; undefined when deep does not stay ahead (or was not run).
 */
export function crossover(report: CompareReport): LadderRow | undefined {
  const rows = ladder(report).sort((a, b) => a.trainExamples - b.trainExamples);
  let from: LadderRow | undefined;
  for (const r of rows) {
    if (r.deep && r.deep.accuracy.mean > r.shallow.accuracy.mean) from ??= r;
    else from = undefined;
  }
  return from;
}

/** One sentence: where deep overtakes shallow, or that it did not on this ladder. */
export function crossoverSentence(report: CompareReport): string {
  const rows = ladder(report);
  if (!rows.some((r) => r.deep)) return "deep side not run";
  const c = crossover(report);
  return c
    ? `deep ahead at every size from ${c.trainExamples} training examples (${+(100 * c.fraction).toPrecision(2)}%) up`
    : "deep never stays ahead of shallow on this ladder";
}

export function markdownTable(report: CompareReport): string {
  const head = `| train examples | shallow acc. % | deep acc. % | shallow train s | deep train s | shallow ms/example | deep ms/example |\n|---:|---:|---:|---:|---:|---:|---:|`;
  const rows = ladder(report).map(
    (r) =>
      `| ${r.trainExamples} (${+(100 * r.fraction).toPrecision(2)}%) | ${pct(r.shallow.accuracy)} | ${r.deep ? pct(r.deep.accuracy) : "—"} | ${sec(r.shallow.trainSeconds)} | ${r.deep ? sec(r.deep.trainSeconds) : "—"} | ${ms(r.shallow.inferMs)} | ${r.deep ? ms(r.deep.inferMs) : "—"} |`,
  );
  return `${report.task} on ${report.data}: shallow = ${report.shallowModel}; deep = ${report.deepModel}; ${report.testExamples} test examples; mean ± std over seeds\n\n${head}\n${rows.join("\n")}\n\n${crossoverSentence(report)}`;
}

/** The ladder as an HTML table (the Markdown table's rows), with the crossover sentence under it. */
export function htmlTable(report: CompareReport): string {
  const esc = (t: string) => t.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
  const head = [
    "train examples",
    "shallow acc. %",
    "deep acc. %",
    "shallow train s",
    "deep train s",
    "shallow ms/example",
    "deep ms/example",
  ];
  const rows = ladder(report).map((r) =>
    [
      `${r.trainExamples} (${+(100 * r.fraction).toPrecision(2)}%)`,
      pct(r.shallow.accuracy),
      r.deep ? pct(r.deep.accuracy) : "—",
      sec(r.shallow.trainSeconds),
      r.deep ? sec(r.deep.trainSeconds) : "—",
      ms(r.shallow.inferMs),
      r.deep ? ms(r.deep.inferMs) : "—",
    ]
      .map((c) => `<td>${esc(c)}</td>`)
      .join(""),
  );
  return `<p>${esc(`${report.task} on ${report.data}: shallow = ${report.shallowModel}; deep = ${report.deepModel}; ${report.testExamples} test examples; mean ± std over seeds`)}</p>
<table class="ladder"><thead><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r}</tr>`).join("")}</tbody></table>
<p>${esc(crossoverSentence(report))}</p>`;
}

/** Accuracy against training-set size (log scale), both sides as points with ±1 std bars, as inline SVG. */
export function accuracyChart(report: CompareReport): string {
  const rows = ladder(report);
  const W = 480;
  const H = 270;
  const f = { left: 52, top: 14, right: W - 18, bottom: H - 42 };
  const xs = rows.map((r) => Math.log10(r.trainExamples));
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const accs = rows.flatMap((r) => [r.shallow.accuracy, ...(r.deep ? [r.deep.accuracy] : [])]);
  const yt = niceTicks(
    Math.max(0, Math.min(...accs.map((a) => a.mean - a.std))),
    Math.min(1, Math.max(...accs.map((a) => a.mean + a.std))),
  );
  const [yMin, yMax] = [yt[0]!, yt[yt.length - 1]!];
  // One size alone sits in the middle.
  const x = (v: number) => (hi === lo ? (f.left + f.right) / 2 : f.left + ((v - lo) / (hi - lo)) * (f.right - f.left));
  const y = (v: number) => f.bottom - ((v - yMin) / (yMax - yMin || 1)) * (f.bottom - f.top);
  const step = yt.length > 1 ? yt[1]! - yt[0]! : 0.01;
  const axes = axesSvg(
    f,
    rows.map((r, i) => ({ at: x(xs[i]!), label: String(r.trainExamples) })),
    yt.map((v) => ({ at: y(v), label: `${tickLabel(100 * v, 100 * step)}%` })),
    "training examples (log scale)",
    "test accuracy",
  );
  const series = (name: string, color: string, pick: (r: LadderRow) => Spread | undefined, k: number) => {
    const pts = rows.flatMap((r, i) => {
      const s = pick(r);
      return s ? [{ px: x(xs[i]!), s }] : [];
    });
    if (!pts.length) return "";
    const line = `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${p.px.toFixed(1)},${y(p.s.mean).toFixed(1)}`).join(" ")}"/>`;
    // Bars with caps, and a circle at each mean: a point stays visible when its spread is 0.
    const bars = pts
      .map((p) => {
        const [y0, y1] = [y(p.s.mean - p.s.std).toFixed(1), y(p.s.mean + p.s.std).toFixed(1)];
        const [xa, xb] = [(p.px - 4).toFixed(1), (p.px + 4).toFixed(1)];
        return `<line x1="${p.px.toFixed(1)}" x2="${p.px.toFixed(1)}" y1="${y0}" y2="${y1}" stroke="${color}"/><line x1="${xa}" x2="${xb}" y1="${y0}" y2="${y0}" stroke="${color}"/><line x1="${xa}" x2="${xb}" y1="${y1}" y2="${y1}" stroke="${color}"/><circle cx="${p.px.toFixed(1)}" cy="${y(p.s.mean).toFixed(1)}" r="3.5" fill="${color}"/>`;
      })
      .join("");
    return `${line}${bars}<text x="${f.left + 8}" y="${f.top + 12 + 14 * k}" fill="${color}" font-size="12">${name}</text>`;
  };
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="accuracy against training examples"><rect width="${W}" height="${H}" fill="#fff" stroke="#ddd"/>${axes}
${series("shallow (hand-made features)", "#868e96", (r) => r.shallow.accuracy, 0)}${series("deep (learned features)", "#d9480f", (r) => r.deep?.accuracy, 1)}</svg>`;
}
