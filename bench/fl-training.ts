// Flambeau side of the training-step workloads (MLP and CNN, Adam, batch 64, 28×28 inputs)
// and of CNN inference (single-image latency p50/p99, batched throughput).
import * as fl from "flambeau";
import { cnn, mlp } from "./fl-models.js";
import { median, quantile, type RunOptions, type RunResult } from "./workload.js";

function imagesPerSecond(model: fl.nn.Sequential, steps: number, reps: number): number {
  const opt = new fl.optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = fl.randn([64, 1, 28, 28]);
  const y = fl.randint(0, 10, [64]);
  const step = () =>
    fl.tidy(() => {
      opt.zeroGrad();
      fl.nn.functional.crossEntropy(model.forward(x), y).backward();
      opt.step();
    });
  for (let i = 0; i < Math.min(5, steps); i++) step();
  const runs: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    for (let i = 0; i < steps; i++) step();
    runs.push((steps * 64) / ((performance.now() - t) / 1000));
  }
  return median(runs);
}

export async function trainMlp(o: RunOptions): Promise<RunResult> {
  fl.manualSeed(0);
  return { metrics: { imagesPerS: imagesPerSecond(mlp(), o.smoke ? 1 : 200, o.smoke ? 1 : 3) } };
}

export async function trainCnn(o: RunOptions): Promise<RunResult> {
  fl.manualSeed(0);
  return { metrics: { imagesPerS: imagesPerSecond(cnn(), o.smoke ? 1 : 40, o.smoke ? 1 : 3) } };
}

// Single-image latency (p50, p99) and batch-256 throughput of one way of running the CNN.
function inferenceFigures(infer: (x: fl.Tensor) => void, one: fl.Tensor, batch: fl.Tensor, smoke: boolean) {
  // 2,000 warm-up calls on every side: V8 needs a few hundred to finish tiering up the call
  // path, and its compiler threads preempt an OpenMP worker meanwhile (a 4 ms p99 after 50).
  for (let i = 0; i < (smoke ? 1 : 2000); i++) infer(one);
  const lat: number[] = [];
  for (let i = 0; i < (smoke ? 2 : 500); i++) {
    const t = performance.now();
    infer(one);
    lat.push(performance.now() - t);
  }
  infer(batch);
  const runs: number[] = [];
  for (let i = 0; i < (smoke ? 1 : 10); i++) {
    const t = performance.now();
    infer(batch);
    runs.push(256 / ((performance.now() - t) / 1000));
  }
  return { p50Ms: quantile(lat, 0.5), p99Ms: quantile(lat, 0.99), batchedImagesPerS: median(runs) };
}

export async function inference(o: RunOptions): Promise<RunResult> {
  fl.manualSeed(0);
  const m = cnn().eval();
  const one = fl.randn([1, 1, 28, 28]);
  const batch = fl.randn([256, 1, 28, 28]);
  // Eager, in NCHW: each forward in tidy, as Flambeau code should run it (without it the
  // intermediates wait for V8's GC, whose major collections become the p99).
  const eager = fl.noGrad(() => inferenceFigures((x) => fl.tidy(() => void m.forward(x)), one, batch, !!o.smoke));
  // The inference path predict and serve use: oneDNN's layout where it measures faster.
  const fast = fl.nn.utils.optimizeForInference(m, one);
  const best = inferenceFigures((x) => fast.forward(x).dispose(), one, batch, !!o.smoke);
  return {
    metrics: {
      ...eager,
      fastP50Ms: best.p50Ms,
      fastP99Ms: best.p99Ms,
      fastBatchedImagesPerS: best.batchedImagesPerS,
      fastIsMkldnn: fast.layout === "mkldnn" ? 1 : 0,
    },
  };
}
