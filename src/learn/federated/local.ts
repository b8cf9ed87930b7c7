// A client's local update: start from the global model, run `epochs` of minibatch SGD on
// the local examples (plus FedProx's proximal term μ/2‖w − w_g‖², which keeps local models
// near the global one on skewed data), and hand back the new weights and the number of
// examples. The same function serves the in-process simulation and the HTTP client.

import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { mulberry32, shuffleInPlace } from "../../data/random.js";
import type { Module } from "../../nn/module.js";
import type { Parameter } from "../../nn/parameter.js";
import { SGD } from "../../optim/sgd.js";
import { assign, flatten, type Layout } from "./weights.js";

export type Classifier = Module & { forward(x: Tensor): Tensor };

export interface LocalData {
  /** float32 [N, ...features]. */
  x: Tensor;
  /** int64 [N]. */
  y: Tensor;
}

export interface LocalOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  /** FedProx μ (0: none). */
  mu?: number;
  seed?: number;
}

export interface LocalResult {
  weights: Float32Array;
  examples: number;
  /** Mean training loss over the last epoch. */
  loss: number;
}

/** μ/2 Σ‖p − g‖² over the parameters and their global values. */
export function proximalTerm(params: readonly Parameter[], globals: readonly Tensor[], mu: number): Tensor {
  let s: Tensor | undefined;
  params.forEach((p, i) => {
    const d = p.sub(globals[i]!).square().sum();
    s = s ? s.add(d) : d;
  });
  if (!s) throw new FlambeauError("E_ARG", "proximalTerm: no parameters", "proximalTerm");
  return s.mul(mu / 2);
}

export function localUpdate(model: Classifier, layout: Layout, global: Float32Array, data: LocalData, o: LocalOptions): LocalResult {
  const n = data.y.shape[0]!;
  if (n === 0) throw new FlambeauError("E_ARG", "localUpdate: the client has no examples", "localUpdate");
  if (!(Number.isInteger(o.epochs) && o.epochs >= 1 && Number.isInteger(o.batchSize) && o.batchSize >= 1 && o.lr > 0))
    throw new FlambeauError("E_ARG", `localUpdate: epochs ${o.epochs}, batchSize ${o.batchSize}, lr ${o.lr} must be positive`);
  assign(model, layout, global);
  model.train();
  const mu = o.mu ?? 0;
  const params = model.parameters();
  const globals = mu > 0 ? params.map((p) => noGrad(() => p.detach().clone())) : [];
  const opt = new SGD(params, { lr: o.lr });
  const rand = mulberry32(o.seed ?? 0);
  manualSeed(o.seed ?? 0);
  let loss = 0;
  for (let e = 0; e < o.epochs; e++) {
    const order = shuffleInPlace(
      Array.from({ length: n }, (_, i) => i),
      rand,
    );
    let sum = 0;
    let batches = 0;
    for (let b = 0; b < n; b += o.batchSize) {
      sum += tidy(() => {
        opt.zeroGrad();
        const idx = tensor(order.slice(b, b + o.batchSize), { dtype: "int64" });
        const out = model.forward(data.x.indexSelect(0, idx)) as Tensor;
        let l = crossEntropy(out, data.y.indexSelect(0, idx));
        const value = l.item();
        if (mu > 0) l = l.add(proximalTerm(params, globals, mu));
        l.backward();
        opt.step();
        return value;
      });
      batches++;
    }
    loss = sum / batches;
  }
  for (const g of globals) g.dispose();
  return { weights: flatten(model, layout), examples: n, loss };
}

/** Accuracy of the model with weights `w` on a labelled set. */
export function evaluate(model: Classifier, layout: Layout, w: Float32Array, data: LocalData): number {
  assign(model, layout, w);
  model.eval();
  const n = data.y.shape[0]!;
  let correct = 0;
  for (let b = 0; b < n; b += 2000)
    correct += noGrad(() =>
      tidy(() => {
        const m = Math.min(2000, n - b);
        const pred = (model.forward(data.x.narrow(0, b, m)) as Tensor).argmax({ dim: 1 });
        return Number(
          pred
            .eq(data.y.narrow(0, b, m))
            .sum()
            .item(),
        );
      }),
    );
  return correct / n;
}
