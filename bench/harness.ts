// Shared benchmark plumbing: timing, medians, running the PyTorch twin of a workload in
// Python (same libtorch), and writing the Markdown table + JSON with ratios.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const PYTHON = process.env.FLAMBEAU_PYTHON ?? "/usr/bin/python3";

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs fn `reps` times after `warmup` runs; returns each run's seconds. */
export async function time(fn: () => unknown, reps: number, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    out.push((performance.now() - t) / 1000);
  }
  return out;
}

/** Runs bench/python/<script> with args; it prints one JSON object. Null when torch is missing. */
export function runPython(script: string, args: string[] = []): Record<string, number> | null {
  const r = spawnSync(PYTHON, [join(ROOT, "bench", "python", script), ...args], { encoding: "utf8", timeout: 600_000 });
  if (r.status !== 0) {
    process.stderr.write(
      `[bench] PyTorch side unavailable (${script}): ${(r.stderr || r.error?.message || "").split("\n").slice(-3).join(" ")}\n`,
    );
    return null;
  }
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, number>;
}

export interface Row {
  workload: string;
  unit: string;
  /** Whether a larger value is better (throughput) or smaller (latency). */
  higherIsBetter: boolean;
  flambeau: number;
  pytorch?: number | null;
  tfjs?: number | null;
}

function ratio(r: Row, other: number | null | undefined): string {
  if (other == null || !Number.isFinite(other)) return "—";
  const x = r.higherIsBetter ? r.flambeau / other : other / r.flambeau;
  return `${x.toFixed(2)}×`;
}
const fmt = (v: number | null | undefined): string =>
  v == null ? "—" : v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toPrecision(3);

/** Prints the table (ratios > 1 mean Flambeau is faster) and writes bench/results/<name>-<date>.json. */
export function report(name: string, rows: Row[], extra: Record<string, unknown> = {}): void {
  const lines = [
    "| workload | unit | Flambeau | PyTorch | tfjs | Flambeau vs PyTorch | Flambeau vs tfjs |",
    "|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.workload} | ${r.unit} | ${fmt(r.flambeau)} | ${fmt(r.pytorch)} | ${fmt(r.tfjs)} | ${ratio(r, r.pytorch)} | ${ratio(r, r.tfjs)} |`,
    ),
  ];
  process.stdout.write(`${lines.join("\n")}\n(ratios: how many times faster Flambeau is; > 1 is better)\n`);
  const git = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout.trim();
  const file = join(ROOT, "bench", "results", `${name}-${new Date().toISOString().slice(0, 10)}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ name, date: new Date().toISOString(), commit: git, cpu: cpus()[0]?.model, cores: cpus().length, rows, ...extra }, null, 2)}\n`,
  );
  process.stdout.write(`wrote ${file}\n`);
}
