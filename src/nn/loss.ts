// Losses as modules, each the twin of its function in core/ops/loss.
import type { Tensor } from "../core/index.js";
import * as L from "../core/ops/loss.js";
import { Module } from "./module.js";

export class CrossEntropyLoss extends Module {
  readonly o: L.CrossEntropyOptions;
  constructor(o: L.CrossEntropyOptions = {}) {
    super();
    this.o = { ...o };
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.crossEntropy(input, target, this.o);
  }
}
export class NLLLoss extends Module {
  readonly o: Omit<L.CrossEntropyOptions, "labelSmoothing">;
  constructor(o: Omit<L.CrossEntropyOptions, "labelSmoothing"> = {}) {
    super();
    this.o = { ...o };
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.nllLoss(input, target, this.o);
  }
}
/** Losses whose only options are a reduction and simple scalars. */
abstract class PointwiseLoss extends Module {
  readonly o: L.LossOptions;
  protected abstract readonly fn: (a: Tensor, b: Tensor, o: L.LossOptions) => Tensor;
  constructor(o: L.LossOptions = {}) {
    super();
    this.o = { ...o };
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return this.fn(input, target, this.o);
  }
}
export class MSELoss extends PointwiseLoss {
  protected readonly fn = L.mseLoss;
}
export class L1Loss extends PointwiseLoss {
  protected readonly fn = L.l1Loss;
}
export class SmoothL1Loss extends PointwiseLoss {
  protected readonly fn = L.smoothL1Loss;
}
export class HuberLoss extends PointwiseLoss {
  protected readonly fn = L.huberLoss;
}
export class BCELoss extends PointwiseLoss {
  protected readonly fn = L.binaryCrossEntropy;
}
export class BCEWithLogitsLoss extends PointwiseLoss {
  protected readonly fn = L.binaryCrossEntropyWithLogits;
}
