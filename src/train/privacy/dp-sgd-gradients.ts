// DP-SGD (Abadi et al. 2016) for single-process training: each example's gradient is
// computed on its own (microbatches of one), clipped to L2 norm ≤ C over all parameters,
// summed, noised with N(0, (σC)²) per coordinate and divided by the batch size; the
// parameters' .grad then hold the private gradient for any optimizer's step(). With batches
// drawn at rate q = B/N, `epsilonFor(q, σ, steps, δ)` (rdp.ts) gives the privacy spent.
// One backward per example: slow, but exact and model-agnostic (no per-sample-grad hooks).

import { FlambeauError } from "../../core/errors.js";
import { noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import type { Parameter } from "../../nn/parameter.js";
import { addGaussianNoise, type DpOptions } from "./gaussian.js";

/**
 * Sets each parameter's .grad to the DP-SGD gradient of a batch of `n` examples;
 * `lossOf(i)` is example i's loss. Returns the mean loss. `seed` seeds the noise (tests).
 */
export function dpSgdGradients(
  params: readonly Parameter[],
  n: number,
  lossOf: (i: number) => Tensor,
  o: DpOptions,
  seed?: number,
): number {
  if (!(Number.isInteger(n) && n >= 1)) throw new FlambeauError("E_ARG", `dpSgd: batch size must be ≥ 1, got ${n}`, "dpSgd");
  const sizes = params.map((p) => p.numel);
  const total = sizes.reduce((a, b) => a + b, 0);
  const sum = new Float64Array(total);
  let lossSum = 0;
  for (let i = 0; i < n; i++) {
    for (const p of params) p.grad = null;
    lossSum += tidy(() => {
      const l = lossOf(i);
      l.backward();
      return l.item();
    });
    const grads = params.map((p) => (p.grad ? (p.grad.contiguous().data() as Float32Array) : new Float32Array(p.numel)));
    let sq = 0;
    for (const g of grads) for (let k = 0; k < g.length; k++) sq += g[k]! * g[k]!;
    const scale = Math.min(1, o.clip / Math.sqrt(sq || 1e-30));
    let at = 0;
    for (const g of grads) {
      for (let k = 0; k < g.length; k++) sum[at + k]! += scale * g[k]!;
      at += g.length;
    }
  }
  addGaussianNoise(sum, o, seed);
  let at = 0;
  noGrad(() => {
    params.forEach((p, j) => {
      p.grad = tensor(
        Float32Array.from(sum.subarray(at, at + sizes[j]!), (x) => x / n),
        { shape: p.shape },
      );
      at += sizes[j]!;
    });
  });
  return lossSum / n;
}
