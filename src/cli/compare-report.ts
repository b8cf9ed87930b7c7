// Writes a compare report as JSON, Markdown and a self-contained HTML page.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { accuracyChart, type CompareReport, htmlTable, type Inspection, markdownTable } from "../compare/index.js";
import { writeTextAtomic } from "../io/index.js";

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** Writes compare.json, compare.md, compare.html and compare.svg under `dir` (with the inspection of the kept deep model, if any); returns the Markdown table. */
export async function writeCompareReport(report: CompareReport, dir: string, inspection?: Inspection): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const knn = inspection
    ? `\n\n5-NN accuracy on ${inspection.metrics.samples} test examples: learned embedding ${(100 * inspection.metrics.knnLearned!).toFixed(1)}%, hand-made features ${(100 * inspection.metrics.knnHandMade!).toFixed(1)}%`
    : "";
  const table = markdownTable(report) + knn;
  await writeTextAtomic(
    "compare",
    join(dir, "compare.json"),
    `${JSON.stringify({ ...report, inspection: inspection?.metrics }, null, 2)}\n`,
  );
  await writeTextAtomic("compare", join(dir, "compare.md"), `${table}\n`);
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Flambeau: shallow vs deep, ${esc(report.task)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right;font-variant-numeric:tabular-nums}th{background:#f6f6f6}</style></head><body>
<h1>Shallow vs deep: ${esc(report.task)} on ${esc(report.data)}</h1>${accuracyChart(report)}${htmlTable(report)}${knn ? `<p>${esc(knn.trim())}</p>` : ""}${inspection?.html ?? ""}</body></html>\n`;
  await writeTextAtomic("compare", join(dir, "compare.html"), html);
  // The chart alone, for READMEs (docs/figures/compare-<task>.svg).
  await writeTextAtomic("compare", join(dir, "compare.svg"), `${accuracyChart(report)}\n`);
  return `${table}\n\nwritten: ${resolve(dir, "compare.html")}`;
}
