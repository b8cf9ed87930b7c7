// The benchmark suite: every workload in Flambeau, PyTorch (Python, the same Debian libtorch,
// the same thread count) and TensorFlow.js, each side in its own child process (so peak RSS
// is per workload and per side), Flambeau and PyTorch alternating. Writes
// bench/results/<machine>-<date>.json and returns the Markdown table.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { FlambeauError } from "../src/core/errors.js";
import { commit, fmt, markdownTable, PYTHON, ROOT, type Row } from "./harness.js";
import type { Metrics, RunResult } from "./workload.js";

export interface SuiteOptions {
  smoke?: boolean;
  /** libtorch intra-op threads for Flambeau and PyTorch (default FLAMBEAU_NUM_THREADS or all cores). */
  threads?: number;
  /** Only these workloads (names of WORKLOADS). */
  only?: readonly string[];
  pytorch?: boolean;
  tfjs?: boolean;
  /** onnxruntime-node on the workloads that have an ONNX twin (CNN inference). */
  ort?: boolean;
  /** Result file (default bench/results/<machine>-<date>.json). */
  out?: string;
  /** Alternating Flambeau/PyTorch runs per workload (default 2; smoke 1). */
  rounds?: number;
  log?: (line: string) => void;
}

interface RowSpec {
  key: string;
  label: string;
  unit: string;
  higherIsBetter: boolean;
}

interface Workload {
  name: string;
  rows: RowSpec[];
  /** Whether PyTorch / tfjs / onnxruntime twins exist. */
  pytorch: boolean;
  tfjs: boolean;
  ort?: boolean;
}

const lower = (key: string, label: string, unit: string): RowSpec => ({ key, label, unit, higherIsBetter: false });
const higher = (key: string, label: string, unit: string): RowSpec => ({ key, label, unit, higherIsBetter: true });

export const WORKLOADS: readonly Workload[] = [
  {
    name: "engine",
    pytorch: true,
    tfjs: true,
    rows: [
      lower("addUs", "small op add (10 elements)", "µs/op"),
      lower("addGradUs", "small op add, tensors that require grad", "µs/op"),
      higher("matmul1024", "matmul 1024²", "GFLOP/s"),
      higher("matmul2048", "matmul 2048²", "GFLOP/s"),
    ],
  },
  {
    name: "mlp",
    pytorch: true,
    tfjs: true,
    rows: [higher("imagesPerS", "MLP training step (784-256-256-10, Adam, batch 64)", "images/s")],
  },
  {
    name: "cnn",
    pytorch: true,
    tfjs: true,
    rows: [higher("imagesPerS", "CNN training step (conv 32-64 + fc 128, Adam, batch 64)", "images/s")],
  },
  {
    name: "lstm",
    pytorch: true,
    tfjs: true,
    rows: [lower("msPerStep", "LSTM 2×256, seq 64, batch 16, fwd+bwd", "ms/step")],
  },
  {
    name: "transformer",
    pytorch: true,
    tfjs: true,
    rows: [lower("msPerStep", "Transformer encoder block d 256, 4 heads, seq 128, batch 16, fwd+bwd", "ms/step")],
  },
  { name: "gcn", pytorch: true, tfjs: true, rows: [lower("sPerEpoch", "GCN full-graph epoch (2 layers, hidden 64, Adam)", "s/epoch")] },
  {
    name: "kg",
    pytorch: true,
    tfjs: false,
    rows: [lower("msPerStep", "RotatE step, 512 triples × 64 negatives, dim 200, 37,983 entities, Adam", "ms/step")],
  },
  {
    name: "data",
    pytorch: true,
    tfjs: true,
    rows: [
      higher("imagesPerS", "data loading + augmentation (pad+crop+flip, batch 64, 2 workers), epochs 2–3", "images/s"),
      higher("firstEpochImagesPerS", "data loading + augmentation, first epoch (fresh workers)", "images/s"),
    ],
  },
  {
    name: "inference",
    pytorch: true,
    tfjs: true,
    ort: true,
    rows: [
      lower("p50Ms", "CNN inference, 1 image, p50", "ms"),
      lower("p99Ms", "CNN inference, 1 image, p99", "ms"),
      higher("batchedImagesPerS", "CNN inference, batch 256", "images/s"),
      lower("fastP50Ms", "CNN inference in oneDNN's layout, 1 image, p50", "ms"),
      lower("fastP99Ms", "CNN inference in oneDNN's layout, 1 image, p99", "ms"),
      higher("fastBatchedImagesPerS", "CNN inference in oneDNN's layout, batch 256", "images/s"),
    ],
  },
  {
    name: "event-loop",
    pytorch: false,
    tfjs: false,
    rows: [
      lower("mainP50Ms", "event-loop lag p50, CNN training on the main thread", "ms"),
      lower("mainP99Ms", "event-loop lag p99, CNN training on the main thread", "ms"),
      lower("mainMaxMs", "event-loop lag max, CNN training on the main thread", "ms"),
      lower("workerP50Ms", "event-loop lag p50, CNN training in a worker thread", "ms"),
      lower("workerP99Ms", "event-loop lag p99, CNN training in a worker thread", "ms"),
      lower("workerMaxMs", "event-loop lag max, CNN training in a worker thread", "ms"),
      lower("serveP99Ms", "event-loop lag p99, `flambeau serve` answering predicts", "ms"),
      lower("serveMaxMs", "event-loop lag max, `flambeau serve` answering predicts", "ms"),
      lower("serveRequestP50Ms", "`flambeau serve` predict request, p50 (4 clients)", "ms"),
      higher("serveRequestsPerS", "`flambeau serve` predicts answered", "requests/s"),
    ],
  },
];

type Side = "flambeau" | "pytorch" | "tfjs" | "ort";
type SideResult = (RunResult & { rssMB: number }) | { error: string };

/** Runs `names` (one process for all of them) on one side; one result per workload. */
function runChild(
  side: Side,
  names: readonly string[],
  smoke: boolean,
  threads: number,
  dir: string,
  timeoutS: number,
): Map<string, SideResult> {
  const env = { ...process.env, FLAMBEAU_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  const list = names.join(",");
  const opts = { encoding: "utf8" as const, env, timeout: timeoutS * 1000, maxBuffer: 16 << 20 };
  const r =
    side === "pytorch"
      ? spawnSync(PYTHON, [join(ROOT, "bench", "python", "suite.py"), list, String(threads), smoke ? "1" : "0", dir], opts)
      : spawnSync(process.execPath, [join(ROOT, "dist", "bench", "child.js"), list, side, smoke ? "1" : "0", dir], opts);
  const out = new Map<string, SideResult>();
  for (const line of (r.stdout ?? "").split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const v = JSON.parse(line) as RunResult & { rssMB: number; workload?: string };
      if (v.workload) out.set(v.workload, v);
    } catch {
      // not a result line (a library's banner)
    }
  }
  const why = r.error?.message ?? (r.stderr || "").trim().split("\n").slice(-2).join(" ");
  for (const n of names) if (!out.has(n)) out.set(n, { error: `${side} ${n} failed (exit ${r.status ?? r.signal}): ${why.slice(0, 300)}` });
  return out;
}

/** Per key, the best of the runs (each run's figure is already a median over repetitions). */
function combine(results: SideResult[], specs: readonly RowSpec[]): { metrics: Metrics; rssMB: number | null; note?: string } {
  const ok = results.filter((r): r is RunResult & { rssMB: number } => !("error" in r));
  const metrics: Metrics = {};
  for (const s of specs) {
    const vs = ok.map((r) => r.metrics[s.key]).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
    if (vs.length) metrics[s.key] = s.higherIsBetter ? Math.max(...vs) : Math.min(...vs);
  }
  for (const r of ok) for (const [k, v] of Object.entries(r.metrics)) if (!(k in metrics)) metrics[k] = v;
  const first = ok[0];
  const err = results.find((r): r is { error: string } => "error" in r);
  const note = first?.skipped ? `— (${first.skipped})` : (first?.backend ?? (err ? `failed: ${err.error}` : undefined));
  return { metrics, rssMB: ok.length ? Math.max(...ok.map((r) => r.rssMB)) : null, note };
}

export function machineName(): string {
  const cpu = (cpus()[0]?.model ?? "cpu").toLowerCase().replace(/\(r\)|\(tm\)|cpu|processor|@.*$/g, "");
  return `${availableParallelism()}core-${cpu
    .trim()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")}`;
}

export interface SuiteResult {
  rows: Row[];
  table: string;
  file: string;
  errors: string[];
}

export async function runSuite(o: SuiteOptions = {}): Promise<SuiteResult> {
  const smoke = Boolean(o.smoke);
  const envThreads = Number(process.env.FLAMBEAU_NUM_THREADS);
  const threads = o.threads ?? (Number.isInteger(envThreads) && envThreads > 0 ? envThreads : availableParallelism());
  const rounds = o.rounds ?? (smoke ? 1 : 2);
  const log = o.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const timeoutS = smoke ? 120 : 300;
  const unknown = (o.only ?? []).filter((n) => !WORKLOADS.some((w) => w.name === n));
  if (unknown.length)
    throw new FlambeauError(
      "E_ARG",
      `bench: unknown workload(s) ${unknown.join(", ")}; workloads: ${WORKLOADS.map((w) => w.name).join(", ")}`,
      "bench",
    );
  const selected = WORKLOADS.filter((w) => !o.only?.length || o.only.includes(w.name));
  const dir = mkdtempSync(join(tmpdir(), "fl-bench-"));
  const rows: Row[] = [];
  // Every run's figures, so the table's "best of the rounds" can be checked.
  const raw: Record<string, Record<Side, SideResult[]>> = {};
  const errors: string[] = [];
  const t0 = performance.now();
  try {
    // Smoke: one process per side for every workload (the figures mean nothing, start-up dominates).
    const batched = new Map<Side, Map<string, SideResult>>();
    if (smoke) {
      const names = (pred: (w: Workload) => boolean) => selected.filter(pred).map((w) => w.name);
      batched.set(
        "flambeau",
        runChild(
          "flambeau",
          names(() => true),
          true,
          threads,
          dir,
          timeoutS,
        ),
      );
      if (o.pytorch !== false)
        batched.set(
          "pytorch",
          runChild(
            "pytorch",
            names((w) => w.pytorch),
            true,
            threads,
            dir,
            timeoutS,
          ),
        );
      if (o.tfjs !== false)
        batched.set(
          "tfjs",
          runChild(
            "tfjs",
            names((w) => w.tfjs),
            true,
            threads,
            dir,
            timeoutS,
          ),
        );
    }
    const one = (side: Side, w: Workload): SideResult =>
      batched.get(side)?.get(w.name) ?? runChild(side, [w.name], smoke, threads, dir, timeoutS).get(w.name)!;
    for (const w of selected) {
      const res: Record<Side, SideResult[]> = { flambeau: [], pytorch: [], tfjs: [], ort: [] };
      for (let k = 0; k < rounds; k++) {
        res.flambeau.push(one("flambeau", w));
        if (w.pytorch && o.pytorch !== false) res.pytorch.push(one("pytorch", w));
      }
      if (w.tfjs && o.tfjs !== false) res.tfjs.push(one("tfjs", w));
      if (w.ort && o.ort !== false) res.ort.push(one("ort", w));
      for (const r of [...res.flambeau, ...res.pytorch, ...res.tfjs, ...res.ort]) if ("error" in r) errors.push(r.error);
      raw[w.name] = res;
      const fl = combine(res.flambeau, w.rows);
      const py = combine(res.pytorch, w.rows);
      const tf = combine(res.tfjs, w.rows);
      const ox = combine(res.ort, w.rows);
      for (const s of w.rows) {
        const extra = w.name === "gcn" && fl.metrics.nodes ? `, ${fl.metrics.nodes} nodes / ${fl.metrics.edges} edges` : "";
        rows.push({
          workload: `${s.label}${extra}`,
          unit: s.unit,
          higherIsBetter: s.higherIsBetter,
          flambeau: fl.metrics[s.key] ?? null,
          pytorch: w.pytorch ? (py.metrics[s.key] ?? null) : null,
          tfjs: w.tfjs ? (tf.metrics[s.key] ?? null) : null,
          ...(w.ort ? { ort: ox.metrics[s.key] ?? null, ortNote: ox.note } : {}),
          rssMB: { flambeau: fl.rssMB, pytorch: w.pytorch ? py.rssMB : null, tfjs: w.tfjs ? tf.rssMB : null },
          tfjsNote: w.tfjs ? tf.note : "n/a",
        });
      }
      log(
        `[bench] ${w.name}: ${((performance.now() - t0) / 1000).toFixed(0)} s elapsed; Flambeau ${w.rows.map((s) => `${s.key}=${fmt(fl.metrics[s.key])}`).join(" ")}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - t0) / 1000;
  const date = new Date().toISOString();
  const file = o.out ?? join(ROOT, "bench", "results", `${machineName()}-${date.slice(0, 10)}.json`);
  const machine = {
    name: machineName(),
    cpu: cpus()[0]?.model,
    cores: availableParallelism(),
    memoryGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  const result = {
    date,
    commit: commit(),
    machine,
    threads: { flambeau: threads, pytorch: threads, tfjs: 1, ort: threads, dataLoaderWorkers: 2 },
    smoke,
    rounds,
    seconds,
    rssMethod:
      "peak RSS of the child process that ran the side (Node: process.resourceUsage().maxRSS; Python: getrusage(RUSAGE_SELF).ru_maxrss)",
    rows,
    errors,
    raw,
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  const header = `${smoke ? "SMOKE RUN (figures mean nothing) — " : ""}${machine.cpu}, ${machine.cores} cores, threads ${threads}, ${date.slice(0, 10)}, commit ${result.commit}, ${seconds.toFixed(0)} s`;
  const table = `${header}\n\n${markdownTable(rows)}\n\n(ratios: how many times faster Flambeau is; > 1 is better)\nwrote ${file}`;
  return { rows, table, file, errors };
}
