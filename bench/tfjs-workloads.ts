// TensorFlow.js side of every workload, with the same shapes, models and step counts as
// Flambeau's. Each runs on the wasm backend when all its kernels exist there (tfjs has no
// per-kernel fallback: a missing kernel throws), else on the pure-JS cpu backend. tfjs is
// single-threaded here (no native tfjs-node binding installs offline).
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { median, quantile, type RunOptions, type RunResult, seqShape, timeRuns, withFastRows } from "./workload.js";

type Body = (o: RunOptions) => Promise<Record<string, number>>;

/** Runs `body` on wasm, falling back to cpu when a kernel is missing there. */
const BACKENDS = (process.env.BENCH_TFJS_BACKENDS ?? "wasm,cpu").split(",");

async function best(o: RunOptions, body: Body, backends: readonly string[] = BACKENDS): Promise<RunResult> {
  let lastError = "";
  for (const b of backends) {
    if (!(await tf.setBackend(b))) continue;
    try {
      return { metrics: await body(o), backend: b };
    } catch (e) {
      lastError = (e as Error).message.split("\n")[0] ?? "";
      tf.disposeVariables();
    }
  }
  return { metrics: {}, skipped: lastError };
}

/** Small ops are cheaper on cpu (no wasm call boundary), matmul on wasm (SIMD): best of both per figure. */
export async function engine(o: RunOptions): Promise<RunResult> {
  const out: Record<string, number> = {};
  const used: string[] = [];
  for (const b of BACKENDS) {
    const r = await best(o, (oo) => engineBody(oo, b), [b]);
    for (const [k, v] of Object.entries(r.metrics)) {
      const lowerIsBetter = k.endsWith("Us");
      if (out[k] === undefined || (lowerIsBetter ? v < out[k]! : v > out[k]!)) out[k] = v;
    }
    if (r.backend) used.push(r.backend);
  }
  return { metrics: out, backend: `best of ${used.join("/")} per figure` };
}

const engineBody = (o: RunOptions, backend: string): Promise<Record<string, number>> =>
  (async () => {
    const out: Record<string, number> = {};
    const x = tf.ones([10]);
    const N = o.smoke ? 100 : 20_000;
    const runs = await timeRuns(
      () => {
        for (let i = 0; i < N; i++) tf.add(x, x).dispose();
      },
      o.smoke ? 1 : 3,
    );
    out.addUs = (median(runs) / N) * 1e6;
    // The cpu backend's matmul is ~1 GFLOP/s: one 1024² product (2 s) tells enough.
    const cpu = backend === "cpu";
    for (const key of cpu ? [1024] : [1024, 2048]) {
      const n = o.smoke ? 128 : key;
      const m = tf.randomNormal([n, n]);
      const mm = await timeRuns(() => tf.matMul(m, m).dataSync(), o.smoke || cpu ? 1 : 2, o.smoke || cpu ? 0 : 1);
      out[`matmul${key}`] = (2 * n ** 3) / median(mm) / 1e9;
      m.dispose();
    }
    return out;
  })();

function mlpModel(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
  m.add(tf.layers.dense({ units: 256, activation: "relu" }));
  m.add(tf.layers.dense({ units: 256, activation: "relu" }));
  m.add(tf.layers.dense({ units: 10 }));
  return m;
}

function cnnModel(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: "same", activation: "relu" }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: "same", activation: "relu" }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 128, activation: "relu" }));
  m.add(tf.layers.dense({ units: 10 }));
  return m;
}

function trainImagesPerS(m: tf.Sequential, steps: number, batch = 64): number {
  const x = tf.randomNormal([batch, 28, 28, 1]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, "int32"), 10);
  const opt = tf.train.adam(1e-3);
  const step = (xb: tf.Tensor, yb: tf.Tensor) =>
    tf.tidy(() => {
      opt.minimize(() => tf.losses.softmaxCrossEntropy(yb, m.predict(xb) as tf.Tensor) as tf.Scalar);
    });
  // Warm up (creates the optimizer's slots) on 2 images: a full cpu-backend CNN step takes ~45 s.
  step(x.slice(0, 2), y.slice(0, 2));
  const t = performance.now();
  for (let i = 0; i < steps; i++) step(x, y);
  return (steps * batch) / ((performance.now() - t) / 1000);
}

export const trainMlp = (o: RunOptions): Promise<RunResult> =>
  best(o, async () => ({ imagesPerS: trainImagesPerS(mlpModel(), o.smoke ? 1 : 20, o.smoke ? 2 : 64) }));

export const trainCnn = (o: RunOptions): Promise<RunResult> =>
  // One timed step of 16 images, not 64: the cpu backend's naive convolutions take ~0.7 s per
  // image (a batch-64 step is ~45 s) and its cost is linear in the batch, so images/s is the same.
  best(o, async () => ({ imagesPerS: trainImagesPerS(cnnModel(), 1, o.smoke ? 2 : 16) }));

export const inference = (o: RunOptions): Promise<RunResult> =>
  best(o, async () => {
    const m = cnnModel();
    const one = tf.randomNormal([1, 28, 28, 1]);
    const batch = tf.randomNormal([256, 28, 28, 1]);
    const run = (x: tf.Tensor) => tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync());
    for (let i = 0; i < (o.smoke ? 1 : 2000); i++) run(one);
    const lat: number[] = [];
    for (let i = 0; i < (o.smoke ? 2 : 100); i++) {
      const t = performance.now();
      run(one);
      lat.push(performance.now() - t);
    }
    run(batch);
    const b = await timeRuns(() => run(batch), o.smoke ? 1 : 3, 0);
    return withFastRows({ p50Ms: quantile(lat, 0.5), p99Ms: quantile(lat, 0.99), batchedImagesPerS: 256 / median(b) });
  });

/** Forward + backward of mean(out²) w.r.t. every trainable weight; ms per step. */
async function gradStepMs(o: RunOptions, loss: () => tf.Scalar, steps: number): Promise<number> {
  const step = () => tf.tidy(() => void tf.variableGrads(loss));
  const runs = await timeRuns(step, o.smoke ? 1 : steps, o.smoke ? 0 : 1);
  return median(runs) * 1000;
}

export const lstm = (o: RunOptions): Promise<RunResult> =>
  best(o, async () => {
    const m = tf.sequential();
    const [B, T] = seqShape(o, 16, 64);
    // PyTorch initialises uniformly; tfjs's default orthogonal recurrent init is slow and irrelevant to speed.
    const init = { kernelInitializer: "glorotUniform", recurrentInitializer: "glorotUniform" } as const;
    m.add(tf.layers.lstm({ units: 256, returnSequences: true, inputShape: [T, 256], ...init }));
    m.add(tf.layers.lstm({ units: 256, returnSequences: true, ...init }));
    const x = tf.randomNormal([B, T, 256]);
    return { msPerStep: await gradStepMs(o, () => (m.predict(x) as tf.Tensor).square().mean() as tf.Scalar, 2) };
  });

/** A post-norm Transformer encoder block (PyTorch's TransformerEncoderLayer, ReLU, no dropout) from tfjs ops. */
export const transformer = (o: RunOptions): Promise<RunResult> =>
  best(o, async () => {
    const d = 256;
    const h = 4;
    const ff = 1024;
    const [B, T] = seqShape(o, 16, 128);
    const w = (r: number, c: number) => tf.variable(tf.randomNormal([r, c], 0, 1 / Math.sqrt(r)));
    const b = (n: number) => tf.variable(tf.zeros([n]));
    const P = { wqkv: w(d, 3 * d), bqkv: b(3 * d), wo: w(d, d), bo: b(d), w1: w(d, ff), b1: b(ff), w2: w(ff, d), b2: b(d) };
    const ln = { g1: tf.variable(tf.ones([d])), b1: b(d), g2: tf.variable(tf.ones([d])), b2: b(d) };
    const layerNorm = (x: tf.Tensor, g: tf.Tensor, beta: tf.Tensor) => {
      const { mean, variance } = tf.moments(x, -1, true);
      return x.sub(mean).div(variance.add(1e-5).sqrt()).mul(g).add(beta);
    };
    const x = tf.randomNormal([B * T, d]);
    const forward = () => {
      const qkv = x.matMul(P.wqkv).add(P.bqkv);
      const heads = (k: number) =>
        qkv
          .slice([0, k * d], [B * T, d])
          .reshape([B, T, h, d / h])
          .transpose([0, 2, 1, 3]);
      const [q, k, v] = [heads(0), heads(1), heads(2)];
      const att = tf.softmax(tf.matMul(q, k, false, true).div(Math.sqrt(d / h)));
      const ctx = tf
        .matMul(att, v)
        .transpose([0, 2, 1, 3])
        .reshape([B * T, d]);
      const x1 = layerNorm(x.add(ctx.matMul(P.wo).add(P.bo)), ln.g1, ln.b1);
      const f = tf.relu(x1.matMul(P.w1).add(P.b1)).matMul(P.w2).add(P.b2);
      return layerNorm(x1.add(f), ln.g2, ln.b2);
    };
    return { msPerStep: await gradStepMs(o, () => forward().square().mean() as tf.Scalar, o.smoke ? 1 : 3) };
  });

/**
 * No tfjs GCN: the aggregation needs a scatter-add. wasm has no UnsortedSegmentSum kernel, and
 * cpu's is O(nodes × edges × features) (a masked sum per segment): on a 500-node smoke graph one
 * epoch already takes minutes, on the 64k-node graph it would take days. tfjs has no sparse matmul.
 */
export const gcn = async (_o: RunOptions & { dir: string }): Promise<RunResult> => ({
  metrics: {},
  skipped: "no usable scatter-add: wasm lacks UnsortedSegmentSum, cpu's is O(nodes×edges)",
});

/** Fashion-MNIST-sized uint8 images augmented per image (pad 2 + random crop 28, random flip), batches of 64. */
export const dataLoading = (o: RunOptions): Promise<RunResult> =>
  best(o, async () => {
    const n = o.smoke ? 128 : 1280;
    // tfjs has no IDX reader and no worker-backed loader: random uint8 images of the same shape.
    const images = tf.randomUniform([n, 28, 28, 1], 0, 256, "int32").cast("float32");
    const t = performance.now();
    for (let b = 0; b < n; b += 64) {
      const batch = tf.tidy(() => {
        const imgs: tf.Tensor3D[] = [];
        for (let i = b; i < Math.min(n, b + 64); i++) {
          const img = images
            .slice([i, 0, 0, 0], [1, 28, 28, 1])
            .reshape([28, 28, 1])
            .div(255)
            .pad([
              [2, 2],
              [2, 2],
              [0, 0],
            ]) as tf.Tensor3D;
          const [top, left] = [Math.floor(Math.random() * 5), Math.floor(Math.random() * 5)];
          const c = img.slice([top, left, 0], [28, 28, 1]) as tf.Tensor3D;
          imgs.push(Math.random() < 0.5 ? (c.reverse(1) as tf.Tensor3D) : c);
        }
        return tf.stack(imgs);
      });
      batch.dataSync();
      batch.dispose();
    }
    return { imagesPerS: n / ((performance.now() - t) / 1000) };
  });
