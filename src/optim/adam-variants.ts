// NAdam, RAdam and Adamax (PyTorch 1.13's optim/nadam.py, radam.py, adamax.py, default
// single-tensor implementations): each class validates its options, the update is a plain
// function over one parameter. Scalars PyTorch keeps in float32 tensors (NAdam's mu_product)
// are rounded to float32 here, so the trajectories match step for step.
import { argError } from "../core/errors.js";
import { zerosLike } from "../core/ops/creation.js";
import * as E from "../core/ops/elementwise.js";
import type { Tensor } from "../core/tensor.js";
import { checkBoolean, checkNonNegative, checkUnitInterval, Optimizer, type ParamState, type Params, stateTensor } from "./optimizer.js";

const f32 = Math.fround;

interface BetasOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
}
function checkBetas(op: string, o: Required<BetasOptions>): void {
  checkNonNegative(op, "lr", o.lr);
  checkNonNegative(op, "eps", o.eps);
  if (!Array.isArray(o.betas) || o.betas.length !== 2) argError(op, `betas must be a pair [beta1, beta2], got ${JSON.stringify(o.betas)}`);
  checkUnitInterval(op, "betas[0]", o.betas[0]);
  checkUnitInterval(op, "betas[1]", o.betas[1]);
  checkNonNegative(op, "weightDecay", o.weightDecay);
}
/** The state of `p`, with zero moments `keys` created on first use; `step` incremented. */
function moments(s: ParamState, p: Tensor, keys: readonly string[], extra: Record<string, number> = {}): number {
  if (s.size === 0) {
    s.set("step", 0);
    for (const [k, v] of Object.entries(extra)) s.set(k, v);
    for (const k of keys) s.set(k, zerosLike(p).keep());
  }
  const step = (s.get("step") as number) + 1;
  s.set("step", step);
  return step;
}

export interface NAdamOptions extends BetasOptions {
  /** Momentum decay ψ of the μ schedule (default 4e-3). */
  momentumDecay?: number;
}
export const NADAM_DEFAULTS: Required<NAdamOptions> = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3 };

/** One NAdam step of one parameter (call under noGrad and tidy); returns the new mu_product. */
export function nadam(
  param: Tensor,
  grad: Tensor,
  expAvg: Tensor,
  expAvgSq: Tensor,
  muProduct: number,
  step: number,
  o: Required<NAdamOptions>,
): number {
  const [beta1, beta2] = o.betas;
  const bc2 = 1 - beta2 ** step;
  const g = o.weightDecay !== 0 ? E.add(grad, param, o.weightDecay) : grad;
  const mu = beta1 * (1 - 0.5 * 0.96 ** (step * o.momentumDecay));
  const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * o.momentumDecay));
  // PyTorch 1.13 keeps mu_product in a float32 tensor, and multiplies mu in twice for the next one.
  const mp = f32(muProduct * f32(mu));
  const mpNext = f32(f32(mp * f32(mu)) * f32(muNext));
  E.add_(E.mul_(expAvg, beta1), g, 1 - beta1);
  E.addcmul_(E.mul_(expAvgSq, beta2), g, g, 1 - beta2);
  const denom = E.add_(E.div(expAvgSq, bc2).sqrt(), o.eps);
  E.addcdiv_(param, g, denom, (-o.lr * (1 - mu)) / (1 - mp));
  E.addcdiv_(param, expAvg, denom, (-o.lr * muNext) / (1 - mpNext));
  return mp;
}

/** Adam with Nesterov momentum (Dozat 2016). */
export class NAdam extends Optimizer<NAdamOptions & { lr: number }> {
  constructor(params: Params<NAdamOptions & { lr: number }>, options: NAdamOptions = {}) {
    super("NAdam", params, { ...NADAM_DEFAULTS, ...options });
  }
  protected validate(o: Required<NAdamOptions>): void {
    checkBetas("NAdam", o);
    checkNonNegative("NAdam", "momentumDecay", o.momentumDecay);
  }
  step(): void {
    this.update(() => {
      for (const group of this.paramGroups) {
        const { params, grads } = this.withGrads(group);
        params.forEach((p, i) => {
          const s = this.stateOf(p);
          const step = moments(s, p, ["exp_avg", "exp_avg_sq"], { mu_product: 1 });
          const mp = nadam(
            p,
            grads[i]!,
            stateTensor(s, "exp_avg"),
            stateTensor(s, "exp_avg_sq"),
            s.get("mu_product") as number,
            step,
            group,
          );
          s.set("mu_product", mp);
        });
      }
    });
  }
}

export type RAdamOptions = BetasOptions;
export const RADAM_DEFAULTS: Required<RAdamOptions> = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 };

/** One RAdam step of one parameter (call under noGrad and tidy). */
export function radam(param: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, step: number, o: Required<RAdamOptions>): void {
  const [beta1, beta2] = o.betas;
  const bc1 = 1 - beta1 ** step;
  const bc2 = 1 - beta2 ** step;
  const g = o.weightDecay !== 0 ? E.add(grad, param, o.weightDecay) : grad;
  E.add_(E.mul_(expAvg, beta1), g, 1 - beta1);
  E.addcmul_(E.mul_(expAvgSq, beta2), g, g, 1 - beta2);
  const corrected = E.div(expAvg, bc1);
  const rhoInf = 2 / (1 - beta2) - 1;
  const rhoT = rhoInf - (2 * step * beta2 ** step) / bc2;
  if (rhoT > 5) {
    const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
    // sqrt(bc2) / t is Python's t.reciprocal() * sqrt(bc2).
    const adaptiveLr = E.mul(E.add_(expAvgSq.sqrt(), o.eps).reciprocal(), Math.sqrt(bc2));
    E.add_(param, E.mul(E.mul(E.mul(corrected, o.lr), adaptiveLr), rect), -1);
  } else E.add_(param, E.mul(corrected, o.lr), -1);
}

/** Adam with the variance of the adaptive learning rate rectified (Liu et al. 2019). */
export class RAdam extends Optimizer<RAdamOptions & { lr: number }> {
  constructor(params: Params<RAdamOptions & { lr: number }>, options: RAdamOptions = {}) {
    super("RAdam", params, { ...RADAM_DEFAULTS, ...options });
  }
  protected validate(o: Required<RAdamOptions>): void {
    checkBetas("RAdam", o);
  }
  step(): void {
    this.update(() => {
      for (const group of this.paramGroups) {
        const { params, grads } = this.withGrads(group);
        params.forEach((p, i) => {
          const s = this.stateOf(p);
          const step = moments(s, p, ["exp_avg", "exp_avg_sq"]);
          radam(p, grads[i]!, stateTensor(s, "exp_avg"), stateTensor(s, "exp_avg_sq"), step, group);
        });
      }
    });
  }
}

export interface AdamaxOptions extends BetasOptions {
  maximize?: boolean;
}
export const ADAMAX_DEFAULTS: Required<AdamaxOptions> = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false };

/** One Adamax step of one parameter (call under noGrad and tidy). */
export function adamax(param: Tensor, grad: Tensor, expAvg: Tensor, expInf: Tensor, step: number, o: Required<AdamaxOptions>): void {
  const [beta1, beta2] = o.betas;
  let g = o.maximize ? grad.neg() : grad;
  if (o.weightDecay !== 0) g = E.add(g, param, o.weightDecay);
  E.add_(E.mul_(expAvg, beta1), g, 1 - beta1);
  E.mul_(expInf, beta2);
  expInf.copy_(E.maximum(expInf, E.add_(g.abs(), o.eps)));
  E.addcdiv_(param, expAvg, expInf, -o.lr / (1 - beta1 ** step));
}

/** Adam with the infinity norm in place of the second moment. */
export class Adamax extends Optimizer<AdamaxOptions & { lr: number }> {
  constructor(params: Params<AdamaxOptions & { lr: number }>, options: AdamaxOptions = {}) {
    super("Adamax", params, { ...ADAMAX_DEFAULTS, ...options });
  }
  protected validate(o: Required<AdamaxOptions>): void {
    checkBetas("Adamax", o);
    checkBoolean("Adamax", "maximize", o.maximize);
  }
  step(): void {
    this.update(() => {
      for (const group of this.paramGroups) {
        const { params, grads } = this.withGrads(group);
        params.forEach((p, i) => {
          const s = this.stateOf(p);
          const step = moments(s, p, ["exp_avg", "exp_inf"]);
          adamax(p, grads[i]!, stateTensor(s, "exp_avg"), stateTensor(s, "exp_inf"), step, group);
        });
      }
    });
  }
}
