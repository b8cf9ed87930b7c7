// The inference path (issue 24): a model in eval mode, run without autograd, in oneDNN's
// blocked layout where that is faster. PyTorch's pieces are torch.utils.mkldnn.to_mkldnn (the
// layout) and torch.jit.optimize_for_inference (choosing it); here the choice is measured on an
// example instead of assumed, and checked to give the dense forward's numbers.
//
// Why the layout matters: libtorch's eager NCHW kernels call oneDNN one op at a time, each
// reordering its input into oneDNN's blocked format and back, and its NCHW max-pool is slow
// (13 ms for [256, 32, 28, 28] against 1.2 ms channels-last). Kept in the blocked layout from
// the first convolution to the classifier, the bench's CNN runs a batch of 256 4× faster and
// one image 3× faster (bench/, README "Speed"). Nothing is pre-packed or copied: each op reads
// the module's current weights, so a later optimizer step or loadStateDict is seen.

import { noGrad } from "../../core/autograd.js";
import { argError, FlambeauError } from "../../core/errors.js";
import { tidy } from "../../core/memory.js";
import { tensor } from "../../core/ops/creation.js";
import type { Tensor } from "../../core/tensor.js";
import { isTensor } from "../../core/tensor-class.js";
import type { Module } from "../module.js";

export type InferenceLayout = "mkldnn" | "dense";

export interface InferenceOptions {
  /**
   * "auto" (default): run the example in both layouts and keep oneDNN's when it gives the same
   * numbers and is faster, timed apart on one input and on a batch of copies of it (the
   * example's first input); "mkldnn" or "dense" takes that layout without measuring.
   */
  layout?: "auto" | InferenceLayout;
  /** Largest |Δ| allowed between the layouts' outputs, relative to the dense output's largest |value| (default 1e-4). */
  tolerance?: number;
  /** Timed runs of each layout on the example (default 5; the median decides). */
  runs?: number;
}

/** A module for inference: `forward` runs it without autograd and frees its intermediates. */
export interface InferenceModel<M extends Module = Module> {
  readonly module: M;
  /** The layout `forward` runs fewer than 8 inputs in (dim 0 is the batch). */
  readonly layout: InferenceLayout;
  /** The layout `forward` runs batches of 8 or more in. */
  readonly batchLayout: InferenceLayout;
  /** Why those layouts: the measured times ("1: … ms; 64: … ms"), or why oneDNN's was not kept. */
  readonly reason: string;
  /** `module.forward(x)` in inference: no autograd, intermediates freed, a dense output. */
  forward(x: Tensor): Tensor;
}

type TensorModule = Module & { forward(x: Tensor): unknown };

/**
 * A deterministic float32 input of `shape` that does not draw from the global generator (so a
 * predictor's load leaves a seeded program's random stream alone): the example to measure on.
 */
function exampleInput(shape: readonly number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(
    Float32Array.from({ length: n }, (_, i) => Math.sin(0.37 * i)),
    { shape: [...shape] },
  );
}

function runIn(module: TensorModule, layout: InferenceLayout, x: Tensor): Tensor {
  return noGrad(() =>
    tidy(() => {
      const y = module.forward(layout === "mkldnn" ? x.toMkldnn() : x);
      if (!isTensor(y))
        throw new FlambeauError(
          "E_ARG",
          `optimizeForInference: ${module.constructor.name}.forward must return a Tensor`,
          "optimizeForInference",
        );
      return y.isMkldnn ? y.toDense() : y;
    }),
  );
}

function medianMs(f: () => void, runs: number): number {
  f(); // V8 compiles the path and libtorch creates its kernels' primitives on the first call
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  return t.sort((a, b) => a - b)[runs >> 1]!;
}

/** Batches of at least this many inputs run in the layout measured on a batch; smaller ones in the one measured on one input. */
const BATCH_FROM = 8;

function timeBoth(module: TensorModule, x: Tensor, runs: number): { dense: number; mkldnn: number } {
  const dense = medianMs(() => runIn(module, "dense", x).dispose(), runs);
  const mkldnn = medianMs(() => runIn(module, "mkldnn", x).dispose(), runs);
  return { dense, mkldnn };
}

interface Choice {
  layout: InferenceLayout;
  batchLayout: InferenceLayout;
  reason: string;
}

function choose(module: TensorModule, example: Tensor, tolerance: number, runs: number): Choice {
  const dense = (reason: string): Choice => ({ layout: "dense", batchLayout: "dense", reason });
  if (example.dtype !== "float32") return dense(`the example is ${example.dtype}; oneDNN's layout takes float32`);
  if (example.ndim === 0 || example.shape[0] === 0) return dense("the example has no batch dimension to measure along");
  const ref = runIn(module, "dense", example);
  let got: Tensor;
  try {
    got = runIn(module, "mkldnn", example);
  } catch (e) {
    ref.dispose();
    return dense(`the oneDNN forward failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  const [diff, scale] = noGrad(() =>
    tidy(() => {
      if (got.shape.join() !== ref.shape.join()) return [Number.POSITIVE_INFINITY, 1];
      return [got.sub(ref).abs().max().item() as number, Math.max(1e-12, ref.abs().max().item() as number)];
    }),
  );
  got.dispose();
  ref.dispose();
  if (!(diff <= tolerance * scale))
    return dense(`the oneDNN forward differs from the dense one by ${diff.toPrecision(3)} (largest |value| ${scale.toPrecision(3)})`);
  // Which layout wins depends on the batch (the bench's CNN: a tie on one image, oneDNN 1.9×
  // ahead on 64), so both regimes are timed: one input, and a batch of copies sized to take
  // about 40 ms densely (8 to 64 inputs).
  const one = example.narrow(0, 0, 1);
  const single = timeBoth(module, one, runs);
  const size = Math.max(BATCH_FROM, Math.min(64, Math.floor(40 / Math.max(single.dense, 1e-3))));
  const many = tidy(() => one.expand([size, ...one.shape.slice(1)]).contiguous()); // the expanded view goes here
  const batch = timeBoth(module, many, Math.min(runs, 3));
  one.dispose();
  many.dispose();
  const pick = (t: { dense: number; mkldnn: number }): InferenceLayout => (t.mkldnn < t.dense ? "mkldnn" : "dense");
  const say = (n: number, t: { dense: number; mkldnn: number }) => `${n}: oneDNN ${t.mkldnn.toFixed(3)} ms, dense ${t.dense.toFixed(3)} ms`;
  return { layout: pick(single), batchLayout: pick(batch), reason: `${say(1, single)}; ${say(size, batch)}` };
}

/**
 * Puts `module` in eval mode and returns its inference forward, in oneDNN's blocked layout when
 * that gives the dense forward's numbers on `example` and is faster (see InferenceOptions).
 * `example` is an input batch, or the shape of one (a predictor's [1, C, H, W]): a
 * deterministic input of that shape is made for the measurement and freed after it.
 */
export function optimizeForInference<M extends TensorModule>(
  module: M,
  example: Tensor | readonly number[],
  o: InferenceOptions = {},
): InferenceModel<M> {
  const op = "optimizeForInference";
  const want = o.layout ?? "auto";
  if (want !== "auto" && want !== "mkldnn" && want !== "dense")
    argError(op, `layout must be "auto", "mkldnn" or "dense", got ${JSON.stringify(want)}`);
  const tolerance = o.tolerance ?? 1e-4;
  if (!(tolerance >= 0)) argError(op, `tolerance must be ≥ 0, got ${tolerance}`);
  const runs = o.runs ?? 5;
  if (!Number.isSafeInteger(runs) || runs < 1) argError(op, `runs must be a positive integer, got ${runs}`);
  const shape = Array.isArray(example) ? example : null;
  if (shape && !shape.every((d) => Number.isSafeInteger(d) && d >= 1 && d <= 2 ** 24))
    argError(op, `an example shape must be positive integers, got [${shape.join(", ")}]`);
  if (!shape && !isTensor(example)) argError(op, "example must be a Tensor or a shape");
  module.eval();
  let chosen: Choice = { layout: want as InferenceLayout, batchLayout: want as InferenceLayout, reason: "asked for" };
  if (want === "auto") {
    const x = shape ? exampleInput(shape) : (example as Tensor);
    try {
      chosen = choose(module, x, tolerance, runs);
    } finally {
      if (shape) x.dispose();
    }
  }
  const { layout, batchLayout, reason } = chosen;
  return {
    module,
    layout,
    batchLayout,
    reason,
    forward: (x: Tensor) => runIn(module, x.ndim > 0 && x.shape[0]! >= BATCH_FROM ? batchLayout : layout, x),
  };
}
