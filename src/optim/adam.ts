// Adam (PyTorch's optim/adam.py) and the update it shares with AdamW: moments, bias
// correction, optional AMSGrad; weight decay as an L2 term (Adam) or decoupled (AdamW).

import { argError } from "../core/errors.js";
import { zerosLike } from "../core/ops/creation.js";
import type { Tensor } from "../core/tensor.js";
import * as F from "./foreach.js";
import {
  checkBoolean,
  checkNonNegative,
  checkUnitInterval,
  Optimizer,
  type OptimizerOptions,
  type ParamGroup,
  type Params,
  stateTensor,
} from "./optimizer.js";

export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates of the first and second moment averages (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** L2 penalty (Adam: added to the gradient, default 0; AdamW: decoupled, default 1e-2). */
  weightDecay?: number;
  /** Use the maximum of past second moments (AMSGrad, default false). */
  amsgrad?: boolean;
  /** Ascend the objective instead of descending (default false). */
  maximize?: boolean;
}

export const ADAM_DEFAULTS: Required<AdamOptions> = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  amsgrad: false,
  maximize: false,
};

export interface AdamUpdate extends Required<AdamOptions> {
  /** Decay the weights directly (AdamW) instead of adding weightDecay · param to the gradient. */
  decoupled: boolean;
}

/**
 * One Adam/AdamW step over lists (call under noGrad and tidy). `steps[i]` is parameter i's
 * step count including this step; `maxExpAvgSqs` is used only with amsgrad.
 */
export function adam(
  params: Tensor[],
  grads: Tensor[],
  expAvgs: Tensor[],
  expAvgSqs: Tensor[],
  maxExpAvgSqs: Tensor[],
  steps: readonly number[],
  o: AdamUpdate,
): void {
  if (params.length === 0) return;
  const [beta1, beta2] = o.betas;
  let g = o.maximize ? F.neg(grads) : grads;
  if (o.weightDecay !== 0) {
    if (o.decoupled) F.mulScalar_(params, 1 - o.lr * o.weightDecay);
    else g = F.add(g, params, o.weightDecay);
  }
  F.mulScalar_(expAvgs, beta1);
  F.add_(expAvgs, g, 1 - beta1);
  F.mulScalar_(expAvgSqs, beta2);
  F.addcmul_(expAvgSqs, g, g, 1 - beta2);
  if (o.amsgrad) F.maximum_(maxExpAvgSqs, expAvgSqs);
  const denom = F.sqrt(o.amsgrad ? maxExpAvgSqs : expAvgSqs);
  for (const [step, at] of F.byValue(steps)) {
    const d = F.pick(denom, at);
    F.divScalar_(d, Math.sqrt(1 - beta2 ** step));
    F.addScalar_(d, o.eps);
    F.addcdiv_(F.pick(params, at), F.pick(expAvgs, at), d, -o.lr / (1 - beta1 ** step));
  }
}

/** Validation shared by Adam and AdamW. */
export function checkAdamOptions(op: string, o: Required<AdamOptions>): void {
  checkNonNegative(op, "lr", o.lr);
  checkNonNegative(op, "eps", o.eps);
  if (!Array.isArray(o.betas) || o.betas.length !== 2) argError(op, `betas must be a pair [beta1, beta2], got ${JSON.stringify(o.betas)}`);
  checkUnitInterval(op, "betas[0]", o.betas[0]);
  checkUnitInterval(op, "betas[1]", o.betas[1]);
  checkNonNegative(op, "weightDecay", o.weightDecay);
  checkBoolean(op, "amsgrad", o.amsgrad);
  checkBoolean(op, "maximize", o.maximize);
}

/** Gathers a group's Adam state (created on first use) and runs the update. */
export function stepAdamGroup<O extends OptimizerOptions & Required<AdamOptions>>(
  params: Tensor[],
  grads: Tensor[],
  stateOf: (p: Tensor) => Map<string, Tensor | number>,
  group: ParamGroup<O>,
  decoupled: boolean,
): void {
  const expAvgs: Tensor[] = [];
  const expAvgSqs: Tensor[] = [];
  const maxSqs: Tensor[] = [];
  const steps: number[] = [];
  for (const p of params) {
    const s = stateOf(p);
    if (s.size === 0) {
      s.set("step", 0);
      s.set("exp_avg", zerosLike(p).keep());
      s.set("exp_avg_sq", zerosLike(p).keep());
      if (group.amsgrad) s.set("max_exp_avg_sq", zerosLike(p).keep());
    }
    // amsgrad may be switched on after the first steps (or come from a loaded group).
    if (group.amsgrad && !s.has("max_exp_avg_sq")) s.set("max_exp_avg_sq", zerosLike(p).keep());
    const step = (s.get("step") as number) + 1;
    s.set("step", step);
    steps.push(step);
    expAvgs.push(stateTensor(s, "exp_avg"));
    expAvgSqs.push(stateTensor(s, "exp_avg_sq"));
    if (group.amsgrad) maxSqs.push(stateTensor(s, "max_exp_avg_sq"));
  }
  const o = { ...group, decoupled };
  F.forChunks(params, (at) =>
    adam(
      F.pick(params, at),
      F.pick(grads, at),
      F.pick(expAvgs, at),
      F.pick(expAvgSqs, at),
      group.amsgrad ? F.pick(maxSqs, at) : [],
      F.pick(steps, at),
      o,
    ),
  );
}

export class Adam extends Optimizer<AdamOptions & OptimizerOptions> {
  constructor(params: Params<AdamOptions & OptimizerOptions>, options: AdamOptions = {}) {
    super("Adam", params, { ...ADAM_DEFAULTS, ...options });
  }

  protected validate(o: Required<AdamOptions>): void {
    checkAdamOptions("Adam", o);
  }

  step(): void {
    this.update(() => {
      for (const group of this.paramGroups) {
        const { params, grads } = this.withGrads(group);
        stepAdamGroup(params, grads, (p) => this.stateOf(p), group, false);
      }
    });
  }
}
