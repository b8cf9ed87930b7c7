// The scaling sweep (issue 24): how matmul, CNN inference, a Transformer block and a GCN epoch
// grow with their size, on 1 and 2 libtorch threads, Flambeau and PyTorch each in its own
// process (bench/fl-scaling.ts, bench/python/suite.py `scaling`). Writes
// bench/results/scaling-<machine>-<date>.json, one log-log SVG chart per workload in
// docs/figures/ (both libraries on one chart) and prints the ratios.
//   node dist/bench/scaling.js [--smoke] [--threads 1,2]
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { axesSvg } from "../src/tasks/chart-axes.js";
import { commit, PYTHON, ROOT } from "./harness.js";
import { machineName } from "./suite.js";
import type { Metrics } from "./workload.js";

interface Family {
  key: string;
  title: string;
  x: string;
  unit: string;
  higherIsBetter: boolean;
}

const FAMILIES: readonly Family[] = [
  { key: "matmul", title: "matmul n × n", x: "n", unit: "GFLOP/s", higherIsBetter: true },
  { key: "cnn", title: "CNN inference (conv 32-64 + fc 128)", x: "batch", unit: "images/s", higherIsBetter: true },
  { key: "transformer", title: "Transformer block d 256 fwd+bwd, batch 4", x: "sequence length", unit: "ms/step", higherIsBetter: false },
  { key: "gcn", title: "GCN epoch (2 layers, hidden 64, Adam), 8 edges a node", x: "nodes", unit: "s/epoch", higherIsBetter: false },
];

type Side = "flambeau" | "pytorch";

function runSide(side: Side, threads: number, smoke: boolean, dir: string): Metrics {
  const env = { ...process.env, FLAMBEAU_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  const opts = { cwd: ROOT, env, encoding: "utf8" as const, maxBuffer: 1 << 24, timeout: 1_200_000 };
  const r =
    side === "pytorch"
      ? spawnSync(PYTHON, [join(ROOT, "bench", "python", "suite.py"), "scaling", String(threads), smoke ? "1" : "0", dir], opts)
      : spawnSync(process.execPath, [join(ROOT, "dist", "bench", "child.js"), "scaling", "flambeau", smoke ? "1" : "0", dir], opts);
  const line = (r.stdout ?? "").trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !line.startsWith("{"))
    throw new Error(`scaling: the ${side} side failed (${threads} threads): ${r.stderr?.slice(-800)}`);
  return (JSON.parse(line) as { metrics: Metrics }).metrics;
}

interface Series {
  label: string;
  color: string;
  dash: boolean;
  points: [number, number][];
}

/** Ticks at 1, 2 and 5 × 10^k inside [lo, hi] (values, not logs); every m × 10^k when that gives fewer than 3. */
function logTicks(lo: number, hi: number): number[] {
  const at = (ms: readonly number[]) => {
    const out: number[] = [];
    for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++)
      for (const m of ms) {
        const v = m * 10 ** k;
        if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
      }
    return out;
  };
  const coarse = at([1, 2, 5]);
  return coarse.length >= 3 ? coarse : at([1, 2, 3, 4, 5, 6, 7, 8, 9]);
}

const tick = (v: number): string => (v >= 10_000 ? `${+(v / 1000).toPrecision(3)}k` : `${+v.toPrecision(3)}`);

function chart(f: Family, series: readonly Series[]): string {
  const W = 520;
  const H = 300;
  const fr = { left: 60, top: 28, right: W - 150, bottom: H - 44 };
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => v > 0);
  const [xlo, xhi] = [Math.min(...xs), Math.max(...xs)];
  const [ylo, yhi] = [Math.min(...ys) / 1.2, Math.max(...ys) * 1.2];
  const x = (v: number) => fr.left + ((Math.log(v) - Math.log(xlo)) / (Math.log(xhi / xlo) || 1)) * (fr.right - fr.left);
  const y = (v: number) => fr.bottom - ((Math.log(v) - Math.log(ylo)) / (Math.log(yhi / ylo) || 1)) * (fr.bottom - fr.top);
  const axes = axesSvg(
    fr,
    [...new Set(xs)].map((v) => ({ at: x(v), label: v >= 10_000 ? tick(v) : String(v) })),
    logTicks(ylo, yhi).map((v) => ({ at: y(v), label: tick(v) })),
    `${f.x} (log scale)`,
    `${f.unit} (log)`,
  );
  const lines = series
    .map((s, i) => {
      const pts = s.points.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`).join(" ");
      const dash = s.dash ? ' stroke-dasharray="5 3"' : "";
      const ly = fr.top + 8 + 16 * i;
      return (
        `<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>` +
        s.points.map(([a, b]) => `<circle cx="${x(a).toFixed(1)}" cy="${y(b).toFixed(1)}" r="2.5" fill="${s.color}"/>`).join("") +
        `<line x1="${fr.right + 12}" y1="${ly}" x2="${fr.right + 32}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>` +
        `<text x="${fr.right + 36}" y="${ly + 4}" font-size="11">${s.label}</text>`
      );
    })
    .join("\n");
  const better = f.higherIsBetter ? "higher is better" : "lower is better";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" role="img" aria-label="${f.title}"><rect width="${W}" height="${H}" fill="#fff"/>
<text x="${fr.left}" y="16" font-size="13">${f.title} — ${better}</text>
${axes}
${lines}</svg>\n`;
}

export function scalingCharts(results: Record<string, Record<Side, Metrics>>): Record<string, string> {
  const out: Record<string, string> = {};
  const threadCounts = Object.keys(results).map(Number);
  for (const f of FAMILIES) {
    const series: Series[] = [];
    const points = (m: Metrics, key: string): [number, number][] =>
      Object.entries(m)
        .filter(([k]) => k.startsWith(`${key}@`))
        .map(([k, v]) => [Number(k.slice(key.length + 1)), v] as [number, number])
        .sort((a, b) => a[0] - b[0]);
    for (const t of threadCounts) {
      const dark = t > 1;
      series.push({
        label: `Flambeau, ${t} thread${t > 1 ? "s" : ""}`,
        color: dark ? "#1c3f8c" : "#4c7fe0",
        dash: false,
        points: points(results[t]!.flambeau, f.key),
      });
      if (f.key === "cnn")
        series.push({
          label: `Flambeau oneDNN, ${t}`,
          color: dark ? "#1b6b2f" : "#4cb868",
          dash: false,
          points: points(results[t]!.flambeau, "cnnOnednn"),
        });
      series.push({
        label: `PyTorch, ${t} thread${t > 1 ? "s" : ""}`,
        color: dark ? "#a34700" : "#f08c3c",
        dash: true,
        points: points(results[t]!.pytorch, f.key),
      });
    }
    out[f.key] = chart(
      f,
      series.filter((s) => s.points.length > 0),
    );
  }
  return out;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const smoke = argv.includes("--smoke");
  const ti = argv.indexOf("--threads");
  const threads = ti >= 0 ? (argv[ti + 1] ?? "").split(",").map(Number) : [1, 2];
  if (threads.length === 0 || !threads.every((t) => Number.isSafeInteger(t) && t >= 1 && t <= 1024))
    throw new Error(`scaling: --threads takes a comma-separated list of thread counts (1–1024), got ${JSON.stringify(argv[ti + 1] ?? "")}`);
  const unknown = argv.filter((a, i) => a.startsWith("--") && a !== "--smoke" && a !== "--threads" && (ti < 0 || i !== ti + 1));
  if (unknown.length) throw new Error(`scaling: unknown option ${unknown[0]}; options: --smoke, --threads 1,2`);
  const dir = mkdtempSync(join(tmpdir(), "fl-scaling-"));
  const results: Record<string, Record<Side, Metrics>> = {};
  try {
    for (const t of threads) {
      process.stdout.write(`[scaling] ${t} thread(s): Flambeau…\n`);
      const flambeau = runSide("flambeau", t, smoke, dir);
      process.stdout.write(`[scaling] ${t} thread(s): PyTorch…\n`);
      results[t] = { flambeau, pytorch: runSide("pytorch", t, smoke, dir) };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const lines = ["| workload | size | threads | Flambeau | PyTorch | vs PyTorch |", "|---|---:|---:|---:|---:|---:|"];
  for (const f of FAMILIES)
    for (const t of threads)
      for (const [k, v] of Object.entries(results[t]!.flambeau).filter(([k]) => k.startsWith(`${f.key}@`))) {
        const pt = results[t]!.pytorch[k];
        const r = pt === undefined ? "—" : `${(f.higherIsBetter ? v / pt : pt / v).toFixed(2)}×`;
        lines.push(`| ${f.title} | ${k.split("@")[1]} | ${t} | ${v.toPrecision(4)} ${f.unit} | ${pt?.toPrecision(4) ?? "—"} | ${r} |`);
      }
  process.stdout.write(`${lines.join("\n")}\n`);
  const date = new Date().toISOString().slice(0, 10);
  const file = join(ROOT, "bench", "results", `scaling-${smoke ? "smoke-" : ""}${machineName()}-${date}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), commit: commit(), smoke, threads, results }, null, 2)}\n`);
  const figures = join(ROOT, smoke ? join("bench", "results", "scaling-smoke") : join("docs", "figures"));
  mkdirSync(figures, { recursive: true });
  for (const [key, svg] of Object.entries(scalingCharts(results))) writeFileSync(join(figures, `bench-scaling-${key}.svg`), svg);
  process.stdout.write(`wrote ${file} and ${figures}/bench-scaling-*.svg\n`);
}

if (basename(process.argv[1] ?? "") === "scaling.js") await main();
