// Flambeau side of the scaling sweep (bench/scaling.ts): how each workload's time grows with
// its size — matmul n × n, CNN inference batch, Transformer block sequence length, GCN nodes.
// bench/python/suite.py's `scaling` is the PyTorch twin (the same shapes, graph and models).
import * as fl from "flambeau";
import { gcnEpoch } from "./fl-graph.js";
import { cnn } from "./fl-models.js";
import { type Metrics, median, type RunOptions, type RunResult } from "./workload.js";

/** The sizes swept, shared with the Python side through the result's keys ("matmul@256"). */
export const SCALING_SIZES = {
  matmul: [256, 512, 1024, 2048, 4096],
  batch: [1, 8, 64, 512],
  seq: [32, 128, 512, 1024],
  nodes: [1000, 4000, 16000, 64000],
} as const;
const SMOKE_SIZES = { matmul: [32, 64], batch: [1, 2], seq: [8, 16], nodes: [100, 200] };

/**
 * Median seconds of `fn` over 3 timed rounds of `reps` calls, per call, after a warm-up of 300
 * calls or 1 s: V8 needs a few hundred calls to finish tiering a call path up, and meanwhile its
 * compiler thread takes a core from libtorch's workers (the suite's inference row warms 2,000).
 */
function perCall(fn: () => void, reps: number, smoke: boolean): number {
  const rounds = smoke ? 1 : 3;
  const start = performance.now();
  for (let i = 0; i < (smoke ? 1 : 300) && performance.now() - start < 1000; i++) fn();
  const t: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const s = performance.now();
    for (let i = 0; i < reps; i++) fn();
    t.push((performance.now() - s) / 1000 / reps);
  }
  return median(t);
}

/** Calls per round so that a round takes about 0.3 s, from one timed call. */
function repsFor(fn: () => void): number {
  const s = performance.now();
  fn();
  return Math.max(1, Math.min(200, Math.round(300 / Math.max(0.01, performance.now() - s))));
}

/**
 * A graph both sides build alike: node i links to (i·p + q) mod n for 8 fixed (p, q) pairs,
 * so every node has out-degree 8 and the edges reach across the whole graph.
 */
export function scalingGraph(n: number): fl.Tensor {
  return fl.tidy(() => {
    const i = fl.arange(n);
    const pairs: [number, number][] = [
      [1, 1],
      [3, 5],
      [7, 11],
      [13, 17],
      [31, 23],
      [61, 29],
      [127, 37],
      [251, 41],
    ];
    const src = fl.cat(pairs.map(() => i));
    const dst = fl.cat(pairs.map(([p, q]) => i.mul(p).add(q).remainder(n)));
    return fl.stack([src, dst]);
  });
}

export async function scaling(o: RunOptions): Promise<RunResult> {
  const smoke = !!o.smoke;
  const sizes = smoke ? SMOKE_SIZES : SCALING_SIZES;
  const m: Metrics = {};
  fl.manualSeed(0);
  for (const n of sizes.matmul) {
    const x = fl.randn([n, n]);
    const mm = () => fl.tidy(() => void x.matmul(x));
    m[`matmul@${n}`] = (2 * n ** 3) / perCall(mm, repsFor(mm), smoke) / 1e9;
    x.dispose();
  }
  const net = cnn().eval();
  const fast = fl.nn.utils.optimizeForInference(net, fl.randn([1, 1, 28, 28]), { layout: "mkldnn" });
  for (const b of sizes.batch) {
    const x = fl.randn([b, 1, 28, 28]);
    const eager = () => fl.noGrad(() => fl.tidy(() => void net.forward(x)));
    m[`cnn@${b}`] = b / perCall(eager, repsFor(eager), smoke);
    const onednn = () => fast.forward(x).dispose();
    m[`cnnOnednn@${b}`] = b / perCall(onednn, repsFor(onednn), smoke);
    x.dispose();
  }
  const block = new fl.nn.TransformerEncoderLayer(256, 4, { dimFeedforward: 1024, dropout: 0, batchFirst: true });
  for (const len of sizes.seq) {
    const x = fl.randn([4, len, 256]);
    const step = () =>
      fl.tidy(() => {
        block.zeroGrad();
        block.forward(x).pow(2).mean().backward();
      });
    m[`transformer@${len}`] = perCall(step, repsFor(step), smoke) * 1000;
    x.dispose();
  }
  for (const n of sizes.nodes) {
    const edgeIndex = scalingGraph(n);
    const x = fl.randn([n, 64]);
    const y = fl.arange(n).remainder(8);
    const epoch = gcnEpoch(x, edgeIndex, y, 8);
    m[`gcn@${n}`] = perCall(epoch, repsFor(epoch), smoke);
    for (const t of [edgeIndex, x, y]) t.dispose();
  }
  return { metrics: m };
}
