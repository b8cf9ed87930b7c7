// Table and JSON output shared by the stand-alone benchmarks (bench/kv-cache.ts) and the
// suite (bench/suite.ts): ratios are "how many times faster Flambeau is".
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export { median, timeRuns as time } from "./workload.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const PYTHON = process.env.FLAMBEAU_PYTHON ?? "/usr/bin/python3";

export interface Row {
  workload: string;
  unit: string;
  /** Whether a larger value is better (throughput) or smaller (latency). */
  higherIsBetter: boolean;
  flambeau: number | null;
  pytorch?: number | null;
  tfjs?: number | null;
  /** Peak RSS (MB) of the process that ran each side. */
  rssMB?: { flambeau?: number | null; pytorch?: number | null; tfjs?: number | null };
  /** tfjs backend used, or why tfjs has no figure. */
  tfjsNote?: string;
  /** onnxruntime-node, on the rows that have an ONNX twin. */
  ort?: number | null;
  ortNote?: string;
}

/** Flambeau's speed-up over `other` for this row ("—" when either is missing). */
export function ratio(r: Row, other: number | null | undefined): string {
  if (other == null || r.flambeau == null || !Number.isFinite(other) || !Number.isFinite(r.flambeau) || r.flambeau === 0) return "—";
  const x = r.higherIsBetter ? r.flambeau / other : other / r.flambeau;
  return x >= 100 ? `${x.toFixed(0)}×` : `${x.toFixed(2)}×`;
}

export const fmt = (v: number | null | undefined): string =>
  v == null || !Number.isFinite(v) ? "—" : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);

export function commit(): string {
  const r = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : "unknown";
}

export function markdownTable(rows: readonly Row[]): string {
  const rss = (r: Row) => (r.rssMB ? `${fmt(r.rssMB.flambeau)} / ${fmt(r.rssMB.pytorch)} / ${fmt(r.rssMB.tfjs)}` : "—");
  const ort = rows.filter((r) => r.ort !== undefined);
  const ortTable = ort.length
    ? [
        "",
        "| workload | unit | Flambeau | onnxruntime-node | vs onnxruntime | onnxruntime |",
        "|---|---|---|---|---|---|",
        ...ort.map((r) => `| ${r.workload} | ${r.unit} | ${fmt(r.flambeau)} | ${fmt(r.ort)} | ${ratio(r, r.ort)} | ${r.ortNote ?? "—"} |`),
      ]
    : [];
  return [
    "| workload | unit | Flambeau | PyTorch | tfjs | vs PyTorch | vs tfjs | peak RSS MB (Fl / PT / tfjs) | tfjs backend |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.workload} | ${r.unit} | ${fmt(r.flambeau)} | ${fmt(r.pytorch)} | ${fmt(r.tfjs)} | ${ratio(r, r.pytorch)} | ${ratio(r, r.tfjs)} | ${rss(r)} | ${r.tfjsNote ?? "—"} |`,
    ),
    ...ortTable,
  ].join("\n");
}

/** Prints the table (ratios > 1 mean Flambeau is faster) and writes bench/results/<name>-<date>.json. */
export function report(name: string, rows: Row[], extra: Record<string, unknown> = {}): string {
  process.stdout.write(`${markdownTable(rows)}\n(ratios: how many times faster Flambeau is; > 1 is better)\n`);
  const file = join(ROOT, "bench", "results", `${name}-${new Date().toISOString().slice(0, 10)}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ name, date: new Date().toISOString(), commit: commit(), cpu: cpus()[0]?.model, cores: cpus().length, rows, ...extra }, null, 2)}\n`,
  );
  process.stdout.write(`wrote ${file}\n`);
  return file;
}
