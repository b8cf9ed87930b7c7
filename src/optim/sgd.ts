// Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay
// (PyTorch's optim/sgd.py, same update order and numbers).

import { argError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import * as F from "./foreach.js";
import { checkBoolean, checkNonNegative, Optimizer, type ParamGroup, type Params } from "./optimizer.js";

export interface SGDOptions {
  /** Learning rate (required, as in PyTorch). */
  lr: number;
  /** Momentum factor (default 0: plain SGD). */
  momentum?: number;
  /** Dampening for momentum (default 0). */
  dampening?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** Ascend the objective instead of descending (default false). */
  maximize?: boolean;
}

const DEFAULTS: Required<Omit<SGDOptions, "lr">> = { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };

export type SGDUpdate = Required<SGDOptions>;

/**
 * One SGD step over lists of parameters and their gradients (call under noGrad and tidy).
 * `momentumBuffers[i]` null means "no buffer yet": it is filled with a new, kept buffer.
 */
export function sgd(params: Tensor[], grads: Tensor[], momentumBuffers: (Tensor | null)[], o: SGDUpdate): void {
  if (params.length === 0) return;
  let d = o.maximize ? F.neg(grads) : grads;
  if (o.weightDecay !== 0) d = F.add(d, params, o.weightDecay);
  if (o.momentum !== 0) {
    let bufs: Tensor[];
    if (momentumBuffers.every((b) => b !== null)) {
      bufs = momentumBuffers as Tensor[];
      F.mulScalar_(bufs, o.momentum);
      F.add_(bufs, d, 1 - o.dampening);
    } else {
      bufs = momentumBuffers.map((b, i) => {
        const di = d[i]!;
        if (b === null) {
          const nb = di.clone().keep();
          momentumBuffers[i] = nb;
          return nb;
        }
        b.mul_(o.momentum).add_(di, 1 - o.dampening);
        return b;
      });
    }
    d = o.nesterov ? F.add(d, bufs, o.momentum) : bufs;
  }
  F.add_(params, d, -o.lr);
}

export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Params<SGDOptions>, options: SGDOptions) {
    super("SGD", params, { ...DEFAULTS, ...options });
  }

  protected validate(o: Required<SGDOptions>): void {
    checkNonNegative("SGD", "lr", o.lr);
    checkNonNegative("SGD", "momentum", o.momentum);
    checkNonNegative("SGD", "weightDecay", o.weightDecay);
    if (typeof o.dampening !== "number" || !Number.isFinite(o.dampening))
      argError("SGD", `dampening must be a finite number, got ${String(o.dampening)}`);
    checkBoolean("SGD", "nesterov", o.nesterov);
    checkBoolean("SGD", "maximize", o.maximize);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0))
      argError("SGD", `nesterov needs momentum > 0 and dampening 0, got momentum ${o.momentum} and dampening ${o.dampening}`);
  }

  step(): void {
    this.update(() => {
      for (const group of this.paramGroups) this.stepGroup(group);
    });
  }

  private stepGroup(group: ParamGroup<SGDOptions>): void {
    const { params, grads } = this.withGrads(group);
    const bufs = params.map((p) => (this.state.get(p)?.get("momentum_buffer") as Tensor | undefined) ?? null);
    F.forChunks(params, (at) => {
      const chunkBufs = F.pick(bufs, at);
      sgd(F.pick(params, at), F.pick(grads, at), chunkBufs, group);
      // sgd fills in new buffers in the list it is given, which may be a copy.
      at.forEach((i, j) => (bufs[i] = chunkBufs[j]!));
    });
    if (group.momentum !== 0) bufs.forEach((b, i) => this.stateOf(params[i]!).set("momentum_buffer", b!));
  }
}
