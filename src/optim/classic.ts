// Adadelta, ASGD and Rprop (PyTorch 1.13's optim/adadelta.py, asgd.py, rprop.py, default
// single-tensor implementations): each class validates its options, the update is a plain
// function over one parameter. ASGD's eta and mu live in float32 tensors in PyTorch; they are
// rounded to float32 here so the trajectories match.
import { argError } from "../core/errors.js";
import { fullLike, zerosLike } from "../core/ops/creation.js";
import * as E from "../core/ops/elementwise.js";
import type { Tensor } from "../core/tensor.js";
import { checkBoolean, checkNonNegative, Optimizer, type Params, stateTensor } from "./optimizer.js";

const f32 = Math.fround;

export interface AdadeltaOptions {
  /** Scales the delta (default 1). */
  lr?: number;
  /** Decay of the running averages (default 0.9). */
  rho?: number;
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}
export const ADADELTA_DEFAULTS: Required<AdadeltaOptions> = { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false };

/** One Adadelta step of one parameter (call under noGrad and tidy). */
export function adadelta(param: Tensor, grad: Tensor, squareAvg: Tensor, accDelta: Tensor, o: Required<AdadeltaOptions>): void {
  let g = o.maximize ? grad.neg() : grad;
  if (o.weightDecay !== 0) g = E.add(g, param, o.weightDecay);
  E.addcmul_(E.mul_(squareAvg, o.rho), g, g, 1 - o.rho);
  const std = E.sqrt_(E.add(squareAvg, o.eps));
  const delta = E.mul_(E.div_(E.sqrt_(E.add(accDelta, o.eps)), std), g);
  E.addcmul_(E.mul_(accDelta, o.rho), delta, delta, 1 - o.rho);
  E.add_(param, delta, -o.lr);
}

export class Adadelta extends Optimizer<AdadeltaOptions & { lr: number }> {
  constructor(params: Params<AdadeltaOptions & { lr: number }>, options: AdadeltaOptions = {}) {
    super("Adadelta", params, { ...ADADELTA_DEFAULTS, ...options });
  }
  protected validate(o: Required<AdadeltaOptions>): void {
    checkNonNegative("Adadelta", "lr", o.lr);
    if (typeof o.rho !== "number" || !(o.rho >= 0 && o.rho <= 1)) argError("Adadelta", `rho must be in [0, 1], got ${String(o.rho)}`);
    checkNonNegative("Adadelta", "eps", o.eps);
    checkNonNegative("Adadelta", "weightDecay", o.weightDecay);
    checkBoolean("Adadelta", "maximize", o.maximize);
  }
  step(): void {
    this.update(() => {
      for (const group of this.paramGroups) {
        const { params, grads } = this.withGrads(group);
        params.forEach((p, i) => {
          const s = this.stateOf(p);
          if (s.size === 0) {
            s.set("step", 0);
            s.set("square_avg", zerosLike(p).keep());
            s.set("acc_delta", zerosLike(p).keep());
          }
          s.set("step", (s.get("step") as number) + 1);
          adadelta(p, grads[i]!, stateTensor(s, "square_avg"), stateTensor(s, "acc_delta"), group);
        });
      }
    });
  }
}

export interface ASGDOptions {
  lr?: number;
  /** Decay term (default 1e-4). */
  lambd?: number;
  /** Power of the eta update (default 0.75). */
  alpha?: number;
  /** The step from which averaging starts (default 1e6). */
  t0?: number;
  weightDecay?: number;
  maximize?: boolean;
}
export const ASGD_DEFAULTS: Required<ASGDOptions> = { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, maximize: false };

/** One ASGD step of one parameter (call under noGrad and tidy); returns the new [eta, mu]. */
export function asgd(
  param: Tensor,
  grad: Tensor,
  ax: Tensor,
  eta: number,
  mu: number,
  step: number,
  o: Required<ASGDOptions>,
): [eta: number, mu: number] {
  let g = o.maximize ? grad.neg() : grad;
  if (o.weightDecay !== 0) g = E.add(g, param, o.weightDecay);
  E.mul_(param, 1 - o.lambd * eta);
  E.add_(param, g, -eta);
  if (mu !== 1) E.add_(ax, E.mul(E.sub(param, ax), mu));
  else ax.copy_(param);
  return [f32(o.lr / (1 + o.lambd * o.lr * step) ** o.alpha), f32(1 / Math.max(1, step - o.t0))];
}

/** Averaged stochastic gradient descent; the average of the iterates is state "ax". */
export class ASGD extends Optimizer<ASGDOptions & { lr: number }> {
  constructor(params: Params<ASGDOptions & { lr: number }>, options: ASGDOptions = {}) {
    super("ASGD", params, { ...ASGD_DEFAULTS, ...options });
  }
  protected validate(o: Required<ASGDOptions>): void {
    checkNonNegative("ASGD", "lr", o.lr);
    checkNonNegative("ASGD", "weightDecay", o.weightDecay);
    for (const k of ["lambd", "alpha", "t0"] as const)
      if (typeof o[k] !== "number" || !Number.isFinite(o[k])) argError("ASGD", `${k} must be a finite number, got ${String(o[k])}`);
    checkBoolean("ASGD", "maximize", o.maximize);
  }
  step(): void {
    this.update(() => {
      for (const group of this.paramGroups) {
        const { params, grads } = this.withGrads(group);
        params.forEach((p, i) => {
          const s = this.stateOf(p);
          if (s.size === 0) {
            s.set("step", 0);
            s.set("eta", f32(group.lr));
            s.set("mu", 1);
            s.set("ax", zerosLike(p).keep());
          }
          const step = (s.get("step") as number) + 1;
          s.set("step", step);
          const [eta, mu] = asgd(p, grads[i]!, stateTensor(s, "ax"), s.get("eta") as number, s.get("mu") as number, step, group);
          s.set("eta", eta);
          s.set("mu", mu);
        });
      }
    });
  }
}

export interface RpropOptions {
  /** The initial step size (default 1e-2). */
  lr?: number;
  /** Step-size factors [decrease, increase] when the gradient's sign flips or holds (default [0.5, 1.2]). */
  etas?: readonly [number, number];
  /** Bounds of the step size (default [1e-6, 50]). */
  stepSizes?: readonly [number, number];
  maximize?: boolean;
}
export const RPROP_DEFAULTS: Required<RpropOptions> = { lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50], maximize: false };

/** One Rprop step of one parameter (call under noGrad and tidy). */
export function rprop(param: Tensor, grad: Tensor, prev: Tensor, stepSize: Tensor, o: Required<RpropOptions>): void {
  const [etaminus, etaplus] = o.etas;
  const g = o.maximize ? grad.neg() : grad;
  const sign = E.mul(g, prev).sign();
  const flipped = sign.lt(0);
  const factor = E.maskedFill_(E.maskedFill_(E.maskedFill_(sign.clone(), sign.gt(0), etaplus), flipped, etaminus), sign.eq(0), 1);
  E.clamp_(E.mul_(stepSize, factor), o.stepSizes[0], o.stepSizes[1]);
  const kept = E.maskedFill_(g.clone(), flipped, 0);
  E.addcmul_(param, kept.sign(), stepSize, -1);
  prev.copy_(kept);
}

/** Resilient backpropagation: per-element step sizes adapted to the sign of the gradient. */
export class Rprop extends Optimizer<RpropOptions & { lr: number }> {
  constructor(params: Params<RpropOptions & { lr: number }>, options: RpropOptions = {}) {
    super("Rprop", params, { ...RPROP_DEFAULTS, ...options });
  }
  protected validate(o: Required<RpropOptions>): void {
    checkNonNegative("Rprop", "lr", o.lr);
    const e = o.etas;
    if (!Array.isArray(e) || e.length !== 2 || !(0 < e[0] && e[0] < 1 && 1 < e[1]))
      argError("Rprop", `etas must be [decrease, increase] with 0 < decrease < 1 < increase, got ${JSON.stringify(e)}`);
    const s = o.stepSizes;
    if (!Array.isArray(s) || s.length !== 2 || !(s[0] >= 0 && s[0] <= s[1]))
      argError("Rprop", `stepSizes must be [min, max] with 0 ≤ min ≤ max, got ${JSON.stringify(s)}`);
    checkBoolean("Rprop", "maximize", o.maximize);
  }
  step(): void {
    this.update(() => {
      for (const group of this.paramGroups) {
        const { params, grads } = this.withGrads(group);
        params.forEach((p, i) => {
          const s = this.stateOf(p);
          if (s.size === 0) {
            s.set("step", 0);
            s.set("prev", zerosLike(p).keep());
            s.set("step_size", fullLike(p, group.lr).keep());
          }
          s.set("step", (s.get("step") as number) + 1);
          rprop(p, grads[i]!, stateTensor(s, "prev"), stateTensor(s, "step_size"), group);
        });
      }
    });
  }
}
