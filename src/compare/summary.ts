// Tables and a chart of a compare report: mean ± sample standard deviation across seeds
// for each training-set size.

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

/** Accuracy against training-set size (log scale), both sides with ±1 std bars, as inline SVG. */
export function accuracyChart(report: CompareReport): string {
  const rows = ladder(report);
  const W = 480;
  const H = 260;
  const P = 44;
  const xs = rows.map((r) => Math.log10(r.trainExamples));
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const accs = rows.flatMap((r) => [r.shallow.accuracy, ...(r.deep ? [r.deep.accuracy] : [])]);
  const yMin = Math.max(0, Math.min(...accs.map((a) => a.mean - a.std)) - 0.02);
  const yMax = Math.min(1, Math.max(...accs.map((a) => a.mean + a.std)) + 0.02);
  const x = (v: number) => P + ((v - lo) / (hi - lo || 1)) * (W - 2 * P);
  const y = (v: number) => H - P - ((v - yMin) / (yMax - yMin || 1)) * (H - 2 * P);
  const series = (name: string, color: string, pick: (r: LadderRow) => Spread | undefined, k: number) => {
    const pts = rows.flatMap((r, i) => {
      const s = pick(r);
      return s ? [{ px: x(xs[i]!), s }] : [];
    });
    if (!pts.length) return "";
    const line = `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${p.px.toFixed(1)},${y(p.s.mean).toFixed(1)}`).join(" ")}"/>`;
    const bars = pts
      .map(
        (p) =>
          `<line x1="${p.px.toFixed(1)}" x2="${p.px.toFixed(1)}" y1="${y(p.s.mean - p.s.std).toFixed(1)}" y2="${y(p.s.mean + p.s.std).toFixed(1)}" stroke="${color}"/>`,
      )
      .join("");
    return `${line}${bars}<text x="${P + 8}" y="${P + 14 * k}" fill="${color}" font-size="12">${name}</text>`;
  };
  const ticks = rows
    .map((r, i) => `<text x="${x(xs[i]!).toFixed(1)}" y="${H - P + 14}" font-size="10" text-anchor="middle">${r.trainExamples}</text>`)
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="accuracy against training examples"><rect width="${W}" height="${H}" fill="#fff" stroke="#ddd"/>
<line x1="${P}" y1="${H - P}" x2="${W - P}" y2="${H - P}" stroke="#999"/><line x1="${P}" y1="${P}" x2="${P}" y2="${H - P}" stroke="#999"/>${ticks}
<text x="${P - 4}" y="${y(yMax) + 4}" font-size="10" text-anchor="end">${(100 * yMax).toFixed(0)}%</text><text x="${P - 4}" y="${y(yMin) + 4}" font-size="10" text-anchor="end">${(100 * yMin).toFixed(0)}%</text>
<text x="${W / 2}" y="${H - 8}" font-size="11" text-anchor="middle">training examples (log scale)</text>
${series("shallow (hand-made features)", "#868e96", (r) => r.shallow.accuracy, 0)}${series("deep (learned features)", "#d9480f", (r) => r.deep?.accuracy, 1)}</svg>`;
}
