// Adagrad (PyTorch's optim/adagrad.py): per-coordinate steps scaled by the root of the sum
// of all past squared gradients, with an optional decaying learning rate.

import { noGrad } from "../core/autograd.js";
import { fullLike } from "../core/ops/creation.js";
import type { Tensor } from "../core/tensor.js";
import * as F from "./foreach.js";
import { checkBoolean, checkNonNegative, Optimizer, type ParamGroup, type ParamGroupInit, type Params, stateTensor } from "./optimizer.js";

export interface AdagradOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** The learning rate at step t is lr / (1 + (t − 1) · lrDecay) (default 0). */
  lrDecay?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue?: number;
  /** Added to the denominator for numerical stability (default 1e-10). */
  eps?: number;
  /** Ascend the objective instead of descending (default false). */
  maximize?: boolean;
}

type AdagradConfig = AdagradOptions & { lr: number };

const DEFAULTS: Required<AdagradOptions> = {
  lr: 1e-2,
  lrDecay: 0,
  weightDecay: 0,
  initialAccumulatorValue: 0,
  eps: 1e-10,
  maximize: false,
};

export type AdagradUpdate = Required<AdagradOptions>;

/** One Adagrad step over lists (call under noGrad and tidy); `steps[i]` counts this step. */
export function adagrad(params: Tensor[], grads: Tensor[], stateSums: Tensor[], steps: readonly number[], o: AdagradUpdate): void {
  if (params.length === 0) return;
  let g = o.maximize ? F.neg(grads) : grads;
  if (o.weightDecay !== 0) g = F.add(g, params, o.weightDecay);
  F.addcmul_(stateSums, g, g, 1);
  const std = F.sqrt(stateSums);
  F.addScalar_(std, o.eps);
  for (const [step, at] of F.byValue(steps)) {
    F.addcdiv_(F.pick(params, at), F.pick(g, at), F.pick(std, at), -(o.lr / (1 + (step - 1) * o.lrDecay)));
  }
}

export class Adagrad extends Optimizer<AdagradConfig> {
  constructor(params: Params<AdagradConfig>, options: AdagradOptions = {}) {
    super("Adagrad", params, { ...DEFAULTS, ...options });
  }

  protected validate(o: Required<AdagradOptions>): void {
    for (const k of ["lr", "lrDecay", "weightDecay", "initialAccumulatorValue", "eps"] as const) checkNonNegative("Adagrad", k, o[k]);
    checkBoolean("Adagrad", "maximize", o.maximize);
  }

  /** As in PyTorch, the state (step 0, the accumulator) exists from the start, not from the first step. */
  override addParamGroup(group: ParamGroupInit<AdagradConfig>): void {
    super.addParamGroup(group);
    const added = this.paramGroups[this.paramGroups.length - 1]!;
    noGrad(() => {
      for (const p of added.params) this.initState(p, added);
    });
  }

  private initState(p: Tensor, group: ParamGroup<AdagradConfig>): void {
    const s = this.stateOf(p);
    if (s.size > 0) return;
    s.set("step", 0);
    s.set("sum", fullLike(p, group.initialAccumulatorValue).keep());
  }

  step(): void {
    this.update(() => {
      for (const group of this.paramGroups) {
        const { params, grads } = this.withGrads(group);
        const sums: Tensor[] = [];
        const steps: number[] = [];
        for (const p of params) {
          this.initState(p, group);
          const s = this.stateOf(p);
          const step = (s.get("step") as number) + 1;
          s.set("step", step);
          steps.push(step);
          sums.push(stateTensor(s, "sum"));
        }
        F.forChunks(params, (at) => adagrad(F.pick(params, at), F.pick(grads, at), F.pick(sums, at), F.pick(steps, at), group));
      }
    });
  }
}
