// Resident memory of code that never disposes (issue 24): 100,000 iterations of
// `fl.randn([8, 64]).matmul(w).relu().sum().item()` and 3,000 training steps, each in a fresh
// process, five runs in a row; prints each run's RSS growth after warm-up (2,000 iterations,
// 1,000 steps) and writes
// bench/results/memory-flat-DATE.json. `--off` runs with FLAMBEAU_PROMPT_GC=0 (V8 alone). Run it with
// FLAMBEAU_NUM_THREADS=1 on a shared machine: the figure is memory, and idle OpenMP threads
// spin on a loaded one.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as fl from "../src/index.js";
import { type Row, report } from "./harness.js";

const MiB = 2 ** 20;

function smallOps(iterations: number): { growthMiB: number; seconds: number } {
  const w = fl.randn([64, 64]);
  let s = 0;
  const step = () => {
    s += fl.randn([8, 64]).matmul(w).relu().sum().item();
  };
  for (let i = 0; i < 2000; i++) step();
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) step();
  const seconds = (performance.now() - t0) / 1000;
  if (!Number.isFinite(s)) throw new Error("unreachable: keeps `s` alive");
  return { growthMiB: (process.memoryUsage().rss - rss0) / MiB, seconds };
}

function training(steps: number): { growthMiB: number; seconds: number } {
  const nn = fl.nn;
  const model = new nn.Sequential(new nn.Conv2d(1, 8, 3, { padding: 1 }), new nn.ReLU(), new nn.Flatten(), new nn.Linear(8 * 64, 10));
  const opt = new fl.optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = fl.randn([32, 1, 8, 8]);
  const y = fl.randint(0, 10, [32]);
  // The loop a user writes without tidy or dispose.
  const step = () => {
    opt.zeroGrad();
    const loss = nn.functional.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
  };
  // Warm-up: RSS climbs ~12 MiB over the first ~1,000 steps with or without prompt scavenges
  // (V8's optimized code and heap, glibc's arenas for autograd's nodes), then stays.
  for (let i = 0; i < 1000; i++) step();
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  return { growthMiB: (process.memoryUsage().rss - rss0) / MiB, seconds: (performance.now() - t0) / 1000 };
}

const child = process.argv[2];
if (child === "small-ops") process.stdout.write(JSON.stringify(smallOps(100_000)));
else if (child === "training") process.stdout.write(JSON.stringify(training(3000)));
else {
  const off = process.argv.includes("--off");
  const runs = 5;
  const env = { ...process.env, ...(off ? { FLAMBEAU_PROMPT_GC: "0" } : {}) };
  const rows: Row[] = [];
  for (const kind of ["small-ops", "training"]) {
    const growth: number[] = [];
    const seconds: number[] = [];
    for (let r = 0; r < runs; r++) {
      const out = spawnSync(process.execPath, [fileURLToPath(import.meta.url), kind], { env, encoding: "utf8" });
      if (out.status !== 0) throw new Error(`${kind} run ${r + 1} failed: ${out.stderr.slice(-2000)}`);
      const m = JSON.parse(out.stdout) as { growthMiB: number; seconds: number };
      growth.push(m.growthMiB);
      seconds.push(m.seconds);
      process.stdout.write(`${kind} run ${r + 1}: RSS +${m.growthMiB.toFixed(1)} MiB in ${m.seconds.toFixed(1)} s\n`);
    }
    const label = kind === "small-ops" ? "100,000 un-disposed small-op iterations" : "3,000 training steps, no tidy or dispose";
    rows.push({
      workload: `${label}: RSS growth, worst of ${runs} runs${off ? " (V8 alone)" : ""}`,
      unit: "MiB",
      higherIsBetter: false,
      flambeau: Math.max(...growth),
    });
    rows.push({
      workload: `${label}: time, median of ${runs}${off ? " (V8 alone)" : ""}`,
      unit: "s",
      higherIsBetter: false,
      flambeau: seconds.sort((a, b) => a - b)[Math.floor(runs / 2)]!,
    });
  }
  report(off ? "memory-flat-off" : "memory-flat", rows);
}
