// onnxruntime-node side of the CNN inference workload: what a Node user deploying a model picks
// today. The network is the suite's CNN built in Flambeau with the same seed, exported by
// Flambeau's own ONNX writer (src/io/onnx), and run by onnxruntime with the suite's libtorch
// thread count as its intra-op thread count, so both sides run the same weights on the same
// cores.
import { createRequire } from "node:module";
import * as fl from "flambeau";
import { cnn } from "./fl-models.js";
import { median, quantile, type RunOptions, type RunResult, withFastRows } from "./workload.js";

type Ort = typeof import("onnxruntime-node");

function loadOrt(): Ort | undefined {
  try {
    return createRequire(import.meta.url)("onnxruntime-node") as Ort;
  } catch {
    return undefined;
  }
}

export async function inference(o: RunOptions): Promise<RunResult> {
  const ort = loadOrt();
  if (!ort) return { metrics: {}, skipped: "onnxruntime-node is not installed" };
  fl.manualSeed(0);
  const model = cnn().eval();
  const bytes = fl.io.exportOnnx(model, [fl.randn([2, 1, 28, 28])]);
  model.dispose();
  const envThreads = Number(process.env.FLAMBEAU_NUM_THREADS);
  const threads = Number.isInteger(envThreads) && envThreads > 0 ? envThreads : 1;
  const session = await ort.InferenceSession.create(bytes, {
    logSeverityLevel: 3,
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
  });
  const input = session.inputNames[0]!;
  const feed = (n: number) => ({
    [input]: new ort.Tensor(
      "float32",
      Float32Array.from({ length: n * 784 }, (_, i) => Math.sin(i)),
      [n, 1, 28, 28],
    ),
  });
  const one = feed(1);
  const batch = feed(256);
  const n = o.smoke ? 2 : 500;
  for (let i = 0; i < (o.smoke ? 1 : 2000); i++) await session.run(one);
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await session.run(one);
    lat.push(performance.now() - t);
  }
  await session.run(batch);
  const runs: number[] = [];
  for (let i = 0; i < (o.smoke ? 1 : 10); i++) {
    const t = performance.now();
    await session.run(batch);
    runs.push(256 / ((performance.now() - t) / 1000));
  }
  await session.release();
  return {
    metrics: withFastRows({ p50Ms: quantile(lat, 0.5), p99Ms: quantile(lat, 0.99), batchedImagesPerS: median(runs) }),
    backend: `cpu, ${threads} intra-op thread${threads === 1 ? "" : "s"}`,
  };
}
