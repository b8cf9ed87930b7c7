// Flambeau side of the engine workload: small-op dispatch (µs per op, plain and recorded by
// autograd) and square matmul throughput (GFLOP/s) on the same libtorch as PyTorch.
import * as fl from "flambeau";
import { median, type RunOptions, type RunResult, timeRuns } from "./workload.js";

export async function engine(o: RunOptions): Promise<RunResult> {
  const metrics: Record<string, number> = {};
  const N = o.smoke ? 100 : 100_000;
  for (const [name, x] of [
    ["addUs", fl.ones([10])],
    ["addGradUs", fl.ones([10], { requiresGrad: true })],
  ] as const) {
    const runs = await timeRuns(
      () => {
        for (let i = 0; i < N; i++) fl.add(x, x);
      },
      o.smoke ? 1 : 5,
    );
    metrics[name] = (median(runs) / N) * 1e6;
  }
  for (const [key, size] of [
    ["matmul1024", 1024],
    ["matmul2048", 2048],
  ] as const) {
    const n = o.smoke ? 128 : size;
    const x = fl.randn([n, n]);
    const reps = o.smoke ? 1 : n === 1024 ? 10 : 3;
    const runs = await timeRuns(
      () => {
        for (let i = 0; i < reps; i++) x.matmul(x).dispose();
      },
      o.smoke ? 1 : 5,
    );
    metrics[key] = (2 * n ** 3 * reps) / median(runs) / 1e9;
    x.dispose();
  }
  return { metrics };
}
