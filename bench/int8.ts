// Float vs int8 (and channel-removed) image classifiers, same script, same process, interleaved: single-image and
// batch-256 forward latency (median of repeated runs) and accuracy on a test split, for each
// model directory given (a trained one and its `flambeau compress --quantize int8` variants).
//   node dist/bench/int8.js <data> <limit> <dir>...
// Loading a directory applies its int8 plan (and the plan's engine), so each model is
// measured right after it is loaded.
import { loadavg } from "node:os";
import { getNumThreads, noGrad, rand, tidy } from "../src/core/index.js";
import type { Module } from "../src/nn/index.js";
import { quantizedEngine } from "../src/quant/engine.js";
import { getTask } from "../src/tasks/registry.js";
import { readModelConfig } from "../src/train/model-dir.js";

const [data = "fashion-mnist", limitArg = "2000", ...dirs] = process.argv.slice(2);
const limit = Number(limitArg);
const reps = Number(process.env.FLAMBEAU_BENCH_REPS ?? 30);

function medianMs(fn: () => void, n: number): number {
  for (let i = 0; i < 3; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

process.stdout.write(
  `threads ${getNumThreads()}, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}\n`,
);
for (const dir of dirs) {
  const config = readModelConfig(dir) as { task: string; preprocessing?: { channels?: number; size?: number } };
  const task = getTask(config.task);
  const model = (await task.loadModule!(dir)) as Module & { forward(x: unknown): unknown };
  const c = config.preprocessing?.channels ?? 1;
  const s = config.preprocessing?.size ?? 28;
  const one = rand([1, c, s, s]);
  const batch = rand([256, c, s, s]);
  const run = (x: typeof one) => () => noGrad(() => tidy(() => void model.forward(x)));
  const single = medianMs(run(one), reps * 10);
  const batched = medianMs(run(batch), reps);
  const engine = quantizedEngine();
  // A shrunken (channel-removed) net has fewer; masks and int8 plans keep the count.
  const parameters = model.parameters().reduce((n, p) => n + p.numel, 0);
  // FLAMBEAU_BENCH_LATENCY_ONLY=1 skips the accuracy pass (it does not change with the thread count).
  const m = process.env.FLAMBEAU_BENCH_LATENCY_ONLY === "1" ? {} : await task.evaluate(dir, data, { limit });
  process.stdout.write(
    `${JSON.stringify({ dir, engine, parameters, accuracy: m.accuracy, examples: m.examples, singleMs: single, batch256Ms: batched, load: loadavg()[0] })}\n`,
  );
  model.dispose();
}
