// A study's report: the trials as a Markdown table, the optimisation history (each trial's
// value, pruned ones at their last reported value, and the best so far) and the learning
// curves the pruner saw, as inline SVG in one HTML page without scripts.

import { join } from "node:path";
import { writeTextAtomic } from "../../io/atomic.js";
import { axesSvg, epochTicks, niceTicks, tickLabel } from "../../tasks/chart-axes.js";
import { escapeHtml as esc } from "../../tasks/html.js";
import { paramImportances } from "./importance.js";
import type { Direction } from "./sampler.js";
import type { Params } from "./space.js";
import type { TrialRecord } from "./study-file.js";

export interface StudySummary {
  task: string;
  metric: string;
  direction: Direction;
  trials: readonly TrialRecord[];
  best?: TrialRecord;
  /** The command that ran the study. */
  command: string;
  seconds: number;
}

const fmtParam = (v: unknown): string => (typeof v === "number" && !Number.isInteger(v) ? v.toPrecision(3) : String(v));

/** One row per trial: number, state, value, epochs reached, seconds, then each param. */
export function trialsMarkdown(trials: readonly TrialRecord[], metric: string): string {
  const names = [...new Set(trials.flatMap((t) => Object.keys(t.params)))];
  const head = ["trial", "state", metric, "epochs", "seconds", ...names];
  const rows = trials.map((t) => [
    String(t.number),
    t.state ?? "interrupted",
    t.value !== undefined ? t.value.toFixed(4) : "",
    String(Object.keys(t.intermediate).length),
    t.seconds !== undefined ? t.seconds.toFixed(1) : "",
    // The default trial sets no searched option: each keeps the task's default.
    ...names.map((n) => (t.isDefault ? "default" : fmtParam(t.params[n]))),
  ]);
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

const W = 480;
const H = 270;
// The legend sits in a row above the frame, clear of the points.
const FRAME = { left: 56, top: 30, right: W - 18, bottom: H - 42 };

function yScale(values: number[]) {
  const yt = niceTicks(Math.min(...values), Math.max(...values));
  const [lo, hi] = [yt[0]!, yt[yt.length - 1]!];
  const step = yt.length > 1 ? yt[1]! - yt[0]! : 0.01;
  const y = (v: number) => FRAME.bottom - ((v - lo) / (hi - lo || 1)) * (FRAME.bottom - FRAME.top);
  return { y, ticks: yt.map((v) => ({ at: y(v), label: tickLabel(v, step) })) };
}

/** Each trial's value against its number, and the best so far as a step line. */
export function historySvg(trials: readonly TrialRecord[], metric: string, direction: Direction): string {
  const pts = trials.filter((t) => t.value !== undefined);
  if (!pts.length) return "";
  const n = Math.max(...trials.map((t) => t.number)) + 1;
  const x = (i: number) => FRAME.left + ((i + 0.5) / n) * (FRAME.right - FRAME.left);
  const { y, ticks } = yScale(pts.map((t) => t.value!));
  const axes = axesSvg(
    FRAME,
    epochTicks(n).map((k) => ({ at: x(k - 1), label: String(k - 1) })),
    ticks,
    "trial",
    esc(`validation ${metric}`),
  );
  let best: number | undefined;
  const line: string[] = [];
  for (const t of [...trials].sort((a, b) => a.number - b.number)) {
    if (t.state !== "complete" || t.value === undefined) continue;
    if (best === undefined || (direction === "maximize" ? t.value > best : t.value < best)) best = t.value;
    line.push(`${x(t.number).toFixed(1)},${y(best).toFixed(1)}`);
  }
  // The best so far holds until the last trial (a single complete trial still draws a line).
  if (best !== undefined) line.push(`${x(n - 1).toFixed(1)},${y(best).toFixed(1)}`);
  const dots = pts
    .map((t) =>
      t.state === "complete"
        ? `<circle cx="${x(t.number).toFixed(1)}" cy="${y(t.value!).toFixed(1)}" r="3.5" fill="#1c7ed6"><title>trial ${t.number}: ${t.value!.toFixed(4)}</title></circle>`
        : `<circle cx="${x(t.number).toFixed(1)}" cy="${y(t.value!).toFixed(1)}" r="3.5" fill="none" stroke="#868e96"><title>trial ${t.number} (pruned): ${t.value!.toFixed(4)}</title></circle>`,
    )
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="optimisation history"><rect width="${W}" height="${H}" fill="#fff" stroke="#ddd"/>${axes}
<polyline fill="none" stroke="#d9480f" stroke-width="2" stroke-linejoin="round" points="${line.join(" ")}"/>${dots}
<text x="${FRAME.left}" y="18" fill="#1c7ed6" font-size="12">● complete</text><text x="${FRAME.left + 90}" y="18" fill="#868e96" font-size="12">○ pruned (last value)</text><text x="${FRAME.left + 240}" y="18" fill="#d9480f" font-size="12">— best so far</text></svg>`;
}

/** Every trial's validation value by epoch: the curves the pruner compared at its rungs. */
export function curvesSvg(trials: readonly TrialRecord[], metric: string): string {
  const all = trials.flatMap((t) => Object.entries(t.intermediate).map(([s, v]) => [Number(s), v] as const));
  if (!all.length) return "";
  const epochs = Math.max(...all.map(([s]) => s));
  const x = (e: number) => FRAME.left + ((e - 1) / Math.max(1, epochs - 1)) * (FRAME.right - FRAME.left);
  const { y, ticks } = yScale(all.map(([, v]) => v));
  const axes = axesSvg(
    FRAME,
    epochTicks(epochs).map((e) => ({ at: x(e), label: String(e) })),
    ticks,
    "epoch",
    esc(`validation ${metric}`),
  );
  const lines = trials
    .map((t) => {
      const p = Object.entries(t.intermediate)
        .map(([s, v]) => [Number(s), v] as const)
        .sort((a, b) => a[0] - b[0]);
      const color = t.state === "complete" ? "#1c7ed6" : "#adb5bd";
      const pts = p.map(([s, v]) => `${x(s).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
      return p.length === 1
        ? `<circle cx="${x(p[0]![0]).toFixed(1)}" cy="${y(p[0]![1]).toFixed(1)}" r="2.5" fill="${color}"/>`
        : `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts}"><title>trial ${t.number}</title></polyline>`;
    })
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="learning curves"><rect width="${W}" height="${H}" fill="#fff" stroke="#ddd"/>${axes}${lines}
<text x="${FRAME.left}" y="18" fill="#1c7ed6" font-size="12">— complete</text><text x="${FRAME.left + 90}" y="18" fill="#adb5bd" font-size="12">— pruned</text></svg>`;
}

/** Horizontal bars of the parameters' importances (paramImportances), largest first. */
export function importanceSvg(importances: Readonly<Record<string, number>>): string {
  const entries = Object.entries(importances);
  if (entries.length === 0) return "";
  const W = 420;
  const row = 22;
  const H = 30 + row * entries.length;
  const bars = entries
    .map(([k, v], i) => {
      const y = 26 + i * row;
      return `<text x="120" y="${y + 13}" text-anchor="end" font-size="12">${esc(k)}</text><rect x="126" y="${y}" width="${(v * 250).toFixed(1)}" height="16" fill="#1c7ed6"/><text x="${(132 + v * 250).toFixed(1)}" y="${y + 13}" font-size="12">${v.toFixed(2)}</text>`;
    })
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="parameter importance"><rect width="${W}" height="${H}" fill="#fff" stroke="#ddd"/><text x="8" y="16" font-size="12">parameter importance (share of the value's variance each explains alone)</text>${bars}</svg>`;
}

/** best.json, trials.md and report.html under `dir`. */
export async function writeStudyReport(dir: string, s: StudySummary, extra: { bestModel?: string } = {}): Promise<void> {
  const best = s.best
    ? {
        trial: s.best.number,
        value: s.best.value,
        params: s.best.params as Params,
        ...(s.best.isDefault ? { isDefault: true } : {}),
        metrics: s.best.metrics,
        ...extra,
      }
    : undefined;
  const counts = Object.fromEntries(["complete", "pruned", "failed"].map((k) => [k, s.trials.filter((t) => t.state === k).length]));
  const importance = paramImportances(s.trials);
  await writeTextAtomic(
    "tune",
    join(dir, "best.json"),
    `${JSON.stringify({ task: s.task, metric: s.metric, direction: s.direction, trials: counts, seconds: s.seconds, command: s.command, best, importance }, null, 2)}\n`,
  );
  const table = trialsMarkdown(s.trials, s.metric);
  await writeTextAtomic("tune", join(dir, "trials.md"), `${table}\n`);
  const with_ = best?.isDefault
    ? "the task's default recipe"
    : Object.entries(best?.params ?? {})
        .map(([k, v]) => `${k} = ${fmtParam(v)}`)
        .join(", ");
  const bestLine = best ? `best: trial ${best.trial}, ${s.metric} ${best.value!.toFixed(4)} with ${with_}` : "no trial completed";
  const rows = table
    .split("\n")
    .filter((_, i) => i !== 1)
    .map((r, i) => {
      const cells = r.slice(2, -2).split(" | ");
      const tag = i === 0 ? "th" : "td";
      return `<tr>${cells.map((c) => `<${tag}>${esc(c)}</${tag}>`).join("")}</tr>`;
    });
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Flambeau: tune ${esc(s.task)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}svg{margin:0 1em 1em 0}</style></head><body>
<h1>tune ${esc(s.task)}</h1><p><code>${esc(s.command)}</code></p>
<p>${esc(`${s.trials.length} trials (${counts.complete} complete, ${counts.pruned} pruned, ${counts.failed} failed) in ${s.seconds.toFixed(0)} s; ${bestLine}`)}</p>
${historySvg(s.trials, s.metric, s.direction)}${curvesSvg(s.trials, s.metric)}${importanceSvg(importance)}
<table>${rows.join("")}</table></body></html>
`;
  await writeTextAtomic("tune", join(dir, "report.html"), html);
}
