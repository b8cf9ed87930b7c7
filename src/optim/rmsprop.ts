// RMSprop (PyTorch's optim/rmsprop.py): divide by a running root-mean-square of the
// gradient, optionally centred (subtract the squared running mean) and with momentum.

import { zerosLike } from "../core/ops/creation.js";
import type { Tensor } from "../core/tensor.js";
import * as F from "./foreach.js";
import { checkBoolean, checkNonNegative, Optimizer, type ParamGroup, type Params, stateTensor } from "./optimizer.js";

export interface RMSpropOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Smoothing constant of the running averages (default 0.99). */
  alpha?: number;
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Normalise by the estimated variance of the gradient instead of its second moment (default false). */
  centered?: boolean;
  /** Ascend the objective instead of descending (default false). */
  maximize?: boolean;
}

const DEFAULTS: Required<RMSpropOptions> = {
  lr: 1e-2,
  alpha: 0.99,
  eps: 1e-8,
  weightDecay: 0,
  momentum: 0,
  centered: false,
  maximize: false,
};

export type RMSpropUpdate = Required<RMSpropOptions>;

/** One RMSprop step over lists (call under noGrad and tidy); gradAvgs used when centered, momentumBuffers when momentum > 0. */
export function rmsprop(
  params: Tensor[],
  grads: Tensor[],
  squareAvgs: Tensor[],
  gradAvgs: Tensor[],
  momentumBuffers: Tensor[],
  o: RMSpropUpdate,
): void {
  if (params.length === 0) return;
  let g = o.maximize ? F.neg(grads) : grads;
  if (o.weightDecay !== 0) g = F.add(g, params, o.weightDecay);
  F.mulScalar_(squareAvgs, o.alpha);
  F.addcmul_(squareAvgs, g, g, 1 - o.alpha);
  let avg: Tensor[];
  if (o.centered) {
    F.mulScalar_(gradAvgs, o.alpha);
    F.add_(gradAvgs, g, 1 - o.alpha);
    avg = F.addcmul(squareAvgs, gradAvgs, gradAvgs, -1);
    F.sqrt_(avg);
  } else avg = F.sqrt(squareAvgs);
  F.addScalar_(avg, o.eps);
  if (o.momentum > 0) {
    F.mulScalar_(momentumBuffers, o.momentum);
    F.addcdiv_(momentumBuffers, g, avg);
    F.add_(params, momentumBuffers, -o.lr);
  } else F.addcdiv_(params, g, avg, -o.lr);
}

export class RMSprop extends Optimizer<RMSpropOptions & { lr: number }> {
  constructor(params: Params<RMSpropOptions & { lr: number }>, options: RMSpropOptions = {}) {
    super("RMSprop", params, { ...DEFAULTS, ...options });
  }

  protected validate(o: Required<RMSpropOptions>): void {
    for (const k of ["lr", "eps", "momentum", "weightDecay", "alpha"] as const) checkNonNegative("RMSprop", k, o[k]);
    checkBoolean("RMSprop", "centered", o.centered);
    checkBoolean("RMSprop", "maximize", o.maximize);
  }

  step(): void {
    this.update(() => {
      for (const group of this.paramGroups) this.stepGroup(group);
    });
  }

  private stepGroup(group: ParamGroup<RMSpropOptions & { lr: number }>): void {
    const { params, grads } = this.withGrads(group);
    const squareAvgs: Tensor[] = [];
    const gradAvgs: Tensor[] = [];
    const bufs: Tensor[] = [];
    for (const p of params) {
      const s = this.stateOf(p);
      if (s.size === 0) {
        s.set("step", 0);
        s.set("square_avg", zerosLike(p).keep());
      }
      // Created on demand: momentum or centering may be switched on between steps (schedulers, loaded groups).
      if (group.momentum > 0 && !s.has("momentum_buffer")) s.set("momentum_buffer", zerosLike(p).keep());
      if (group.centered && !s.has("grad_avg")) s.set("grad_avg", zerosLike(p).keep());
      s.set("step", (s.get("step") as number) + 1);
      squareAvgs.push(stateTensor(s, "square_avg"));
      if (group.momentum > 0) bufs.push(stateTensor(s, "momentum_buffer"));
      if (group.centered) gradAvgs.push(stateTensor(s, "grad_avg"));
    }
    F.forChunks(params, (at) =>
      rmsprop(
        F.pick(params, at),
        F.pick(grads, at),
        F.pick(squareAvgs, at),
        group.centered ? F.pick(gradAvgs, at) : [],
        group.momentum > 0 ? F.pick(bufs, at) : [],
        group,
      ),
    );
  }
}
