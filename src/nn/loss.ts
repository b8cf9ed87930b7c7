// Losses as modules, each the twin of its function in core/ops/loss: the constructor
// stores the options, forward calls the function with them.
import { Tensor } from "../core/index.js";
import * as L from "../core/ops/loss.js";
import type { Reduction } from "../core/validate.js";
import * as FL from "./functional-loss.js";
import { Module, snakeCase } from "./module.js";

export type SmoothL1LossOptions = L.LossOptions & { beta?: number };
export type HuberLossOptions = L.LossOptions & { delta?: number };
export type BCELossOptions = L.LossOptions & { weight?: Tensor | null };
export type BCEWithLogitsLossOptions = L.LossOptions & { weight?: Tensor | null; posWeight?: Tensor | null };
export type KLDivLossOptions = { reduction?: Reduction | "batchmean"; logTarget?: boolean };
export type MarginLossOptions = L.LossOptions & { margin?: number };
export type TripletMarginLossOptions = FL.TripletMarginLossOptions;
export type CTCLossOptions = L.LossOptions & { blank?: number; zeroInfinity?: boolean };

/** Losses of (input, target) whose options go to the function unchanged. */
abstract class PairLoss<O extends object> extends Module {
  readonly options: Readonly<O>;
  protected abstract readonly fn: (input: Tensor, target: Tensor, o: O) => Tensor;
  constructor(o: O = {} as O) {
    super();
    this.options = { ...o };
    // PyTorch registers class weights as buffers, so they appear in the state dict.
    for (const k of ["weight", "posWeight"]) {
      const t = (o as Record<string, unknown>)[k];
      if (t instanceof Tensor) this.registerBuffer(snakeCase(k), t);
    }
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return this.fn(input, target, this.options);
  }
}
export class CrossEntropyLoss extends PairLoss<L.CrossEntropyOptions> {
  protected readonly fn = L.crossEntropy;
}
export class NLLLoss extends PairLoss<Omit<L.CrossEntropyOptions, "labelSmoothing">> {
  protected readonly fn = L.nllLoss;
}
/** PyTorch's deprecated name for NLLLoss on [N, C, H, W] inputs, which NLLLoss handles itself. */
export class NLLLoss2d extends NLLLoss {}
export class MSELoss extends PairLoss<L.LossOptions> {
  protected readonly fn = L.mseLoss;
}
export class L1Loss extends PairLoss<L.LossOptions> {
  protected readonly fn = L.l1Loss;
}
export class SmoothL1Loss extends PairLoss<SmoothL1LossOptions> {
  protected readonly fn = L.smoothL1Loss;
}
export class HuberLoss extends PairLoss<HuberLossOptions> {
  protected readonly fn = L.huberLoss;
}
export class BCELoss extends PairLoss<BCELossOptions> {
  protected readonly fn = L.binaryCrossEntropy;
}
export class BCEWithLogitsLoss extends PairLoss<BCEWithLogitsLossOptions> {
  protected readonly fn = L.binaryCrossEntropyWithLogits;
}
export class KLDivLoss extends PairLoss<KLDivLossOptions> {
  protected readonly fn = L.klDiv;
}

/** Losses of two inputs and a ±1 target: (x1, x2, y). */
export class CosineEmbeddingLoss extends Module {
  readonly options: Readonly<MarginLossOptions>;
  constructor(o: MarginLossOptions = {}) {
    super();
    this.options = { ...o };
  }
  forward(x1: Tensor, x2: Tensor, target: Tensor): Tensor {
    return L.cosineEmbeddingLoss(x1, x2, target, this.options);
  }
}
export class MarginRankingLoss extends Module {
  readonly options: Readonly<MarginLossOptions>;
  constructor(o: MarginLossOptions = {}) {
    super();
    this.options = { ...o };
  }
  forward(x1: Tensor, x2: Tensor, target: Tensor): Tensor {
    return L.marginRankingLoss(x1, x2, target, this.options);
  }
}
export class TripletMarginLoss extends Module {
  readonly options: Readonly<TripletMarginLossOptions>;
  constructor(o: TripletMarginLossOptions = {}) {
    super();
    this.options = { ...o };
  }
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return FL.tripletMarginLoss(anchor, positive, negative, this.options);
  }
}
export class CTCLoss extends Module {
  readonly options: Readonly<CTCLossOptions>;
  constructor(o: CTCLossOptions = {}) {
    super();
    this.options = { ...o };
  }
  forward(logProbs: Tensor, targets: Tensor, inputLengths: readonly number[] | Tensor, targetLengths: readonly number[] | Tensor): Tensor {
    return L.ctcLoss(logProbs, targets, inputLengths, targetLengths, this.options);
  }
}

export class HingeEmbeddingLoss extends PairLoss<MarginLossOptions> {
  protected readonly fn = FL.hingeEmbeddingLoss;
}
export class SoftMarginLoss extends PairLoss<L.LossOptions> {
  protected readonly fn = FL.softMarginLoss;
}
export class MultiMarginLoss extends PairLoss<FL.MultiMarginLossOptions> {
  protected readonly fn = FL.multiMarginLoss;
}
export class MultiLabelMarginLoss extends PairLoss<L.LossOptions> {
  protected readonly fn = FL.multilabelMarginLoss;
}
export class MultiLabelSoftMarginLoss extends PairLoss<L.LossOptions & { weight?: Tensor | null }> {
  protected readonly fn = FL.multilabelSoftMarginLoss;
}
export class PoissonNLLLoss extends PairLoss<FL.PoissonNLLLossOptions> {
  protected readonly fn = FL.poissonNllLoss;
}
/** Negative log-likelihood of targets under Gaussians: forward(input, target, var). */
export class GaussianNLLLoss extends Module {
  readonly options: Readonly<FL.GaussianNLLLossOptions>;
  constructor(o: FL.GaussianNLLLossOptions = {}) {
    super();
    this.options = { ...o };
  }
  forward(input: Tensor, target: Tensor, variance: Tensor): Tensor {
    return FL.gaussianNllLoss(input, target, variance, this.options);
  }
}
export class TripletMarginWithDistanceLoss extends Module {
  readonly options: Readonly<FL.TripletMarginWithDistanceLossOptions>;
  constructor(o: FL.TripletMarginWithDistanceLossOptions = {}) {
    super();
    this.options = { ...o };
  }
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return FL.tripletMarginWithDistanceLoss(anchor, positive, negative, this.options);
  }
}
