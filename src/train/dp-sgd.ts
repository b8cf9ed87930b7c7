// DP-SGD as a Trainer option (`flambeau train … --dp-clip C --dp-noise σ`, or
// `--dp-epsilon ε --dp-delta δ` to have the RDP accountant pick σ for the planned run):
// each training batch's gradient is the clipped per-example sum plus Gaussian noise
// (dpSgdGradients, one backward per example), and the privacy spent so far is logged after
// every epoch as `dpEpsilon`. The accountant's sampling rate is one batch's share of an
// epoch (1 / batches), which is exact for Poisson sampling and the usual stand-in for a
// shuffled pass (Abadi et al. 2016 make the same approximation).
//
// Needs supervised [x, y] batches and a model whose output for one example does not depend
// on the others in its batch: batch norm mixes examples, so it breaks both the per-example
// clipping and the guarantee.

import { FlambeauError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import type { Parameter } from "../nn/parameter.js";
import { dpSgdGradients } from "./privacy/dp-sgd-gradients.js";
import { epsilonFor, noiseForEpsilon } from "./privacy/rdp.js";

export interface DpSgdOptions {
  /** Per-example gradient L2 bound C. */
  clip: number;
  /** σ: noise std is σ·C. Give this or `epsilon`. */
  noiseMultiplier?: number;
  /** Target ε for the planned epochs: σ is the smallest that meets it. */
  epsilon?: number;
  /** δ (default 1e-5). */
  delta?: number;
  /** Seeds the noise (tests); without it the noise is from node:crypto. */
  seed?: number;
}

export class DpSgd {
  readonly delta: number;
  noiseMultiplier = 0;
  #q = 0;
  #steps = 0;

  constructor(readonly o: DpSgdOptions) {
    if (!(o.clip > 0 && Number.isFinite(o.clip))) throw new FlambeauError("E_ARG", `DP-SGD: clip must be > 0, got ${o.clip}`, "dpSgd");
    if ((o.noiseMultiplier === undefined) === (o.epsilon === undefined))
      throw new FlambeauError("E_ARG", "DP-SGD: give either a noise multiplier (--dp-noise) or a target ε (--dp-epsilon)", "dpSgd");
    if (o.noiseMultiplier !== undefined && !(o.noiseMultiplier > 0))
      throw new FlambeauError("E_ARG", `DP-SGD: noise multiplier must be > 0, got ${o.noiseMultiplier}`, "dpSgd");
    if (o.epsilon !== undefined && !(o.epsilon > 0)) throw new FlambeauError("E_ARG", `DP-SGD: ε must be > 0, got ${o.epsilon}`, "dpSgd");
    this.delta = o.delta ?? 1e-5;
    if (!(this.delta > 0 && this.delta < 1)) throw new FlambeauError("E_ARG", `DP-SGD: δ must be in (0, 1), got ${this.delta}`, "dpSgd");
  }

  /** Fixes the sampling rate and σ for a run of `totalSteps` steps of `batchesPerEpoch` a pass. */
  plan(batchesPerEpoch: number, totalSteps: number): void {
    if (!(batchesPerEpoch >= 1))
      throw new FlambeauError("E_ARG", "DP-SGD: the training data must say how many batches an epoch has (a length)", "dpSgd");
    this.#q = Math.min(1, 1 / batchesPerEpoch);
    this.noiseMultiplier = this.o.noiseMultiplier ?? noiseForEpsilon(this.o.epsilon!, this.#q, totalSteps, this.delta);
  }

  /** Sets the parameters' .grad to the private gradient of the batch [x, y]; returns the mean loss. */
  backward(params: readonly Tensor[], x: Tensor, y: Tensor, lossOf: (x: Tensor, y: Tensor) => Tensor): number {
    const n = x.shape[0]!;
    const value = dpSgdGradients(
      params.filter((p) => p.requiresGrad) as Parameter[],
      n,
      (i) => lossOf(x.narrow(0, i, 1), y.narrow(0, i, 1)),
      { clip: this.o.clip, noiseMultiplier: this.noiseMultiplier },
      this.o.seed === undefined ? undefined : this.o.seed * 1_000_003 + this.#steps,
    );
    this.#steps++;
    return value;
  }

  /** ε spent so far at δ. */
  epsilon(): number {
    return this.#steps === 0 ? 0 : epsilonFor(this.#q, this.noiseMultiplier, this.#steps, this.delta).epsilon;
  }
}
