// Batch normalisation: one private base (PyTorch's _BatchNorm) with running statistics.

import { argError } from "../core/errors.js";
import { noGrad, ones, type Tensor, tensor, zeros } from "../core/index.js";
import { batchNorm } from "../core/ops/nn.js";
import { checkInt } from "../core/validate.js";
import { Module, pyBool, pyFloat } from "./module.js";
import { Parameter } from "./parameter.js";

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the new batch in the running averages; null for a cumulative average. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  protected abstract readonly ranks: readonly number[];
  constructor(numFeatures: number, o: BatchNormOptions = {}) {
    super();
    this.numFeatures = checkInt(this.constructor.name, "numFeatures", numFeatures, 1);
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum === undefined ? 0.1 : o.momentum;
    if (!(this.eps > 0)) argError(this.constructor.name, `eps must be > 0, got ${this.eps}`);
    if (this.momentum !== null && !(this.momentum >= 0 && this.momentum <= 1))
      argError(this.constructor.name, `momentum must be in [0, 1] or null, got ${this.momentum}`);
    this.affine = o.affine ?? true;
    this.trackRunningStats = o.trackRunningStats ?? true;
    this.weight = this.affine ? new Parameter(ones([numFeatures])) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures])) : null;
    if (this.trackRunningStats) {
      this.registerBuffer("running_mean", zeros([numFeatures]));
      this.registerBuffer("running_var", ones([numFeatures]));
      this.registerBuffer("num_batches_tracked", tensor([0n]).view([]));
    }
  }
  get runningMean(): Tensor | null {
    return this.getBuffer("running_mean");
  }
  get runningVar(): Tensor | null {
    return this.getBuffer("running_var");
  }
  forward(x: Tensor): Tensor {
    if (!this.ranks.includes(x.ndim))
      argError(this.constructor.name, `expected input of rank ${this.ranks.join(" or ")}, got [${x.shape.join(", ")}]`);
    if (x.shape[1] !== this.numFeatures)
      argError(this.constructor.name, `input [${x.shape.join(", ")}] has ${x.shape[1]} channels, expected ${this.numFeatures}`);
    // As torch.nn.functional.batch_norm: one value per channel has no variance to normalise by.
    if (this.training && x.numel / this.numFeatures === 1)
      argError(this.constructor.name, `expected more than 1 value per channel when training, got input [${x.shape.join(", ")}]`);
    const useBatchStats = this.training || !this.trackRunningStats;
    let momentum = this.momentum ?? 0;
    if (this.training && this.trackRunningStats) {
      const n = this.getBuffer("num_batches_tracked")!;
      noGrad(() => n.add_(1));
      if (this.momentum === null) momentum = 1 / n.item();
    }
    return batchNorm(x, this.trackRunningStats ? this.runningMean : null, this.trackRunningStats ? this.runningVar : null, {
      weight: this.weight,
      bias: this.bias,
      training: useBatchStats,
      momentum,
      eps: this.eps,
    });
  }
  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? "None" : pyFloat(this.momentum)}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

export class BatchNorm1d extends BatchNormBase {
  protected readonly ranks = [2, 3];
}
export class BatchNorm2d extends BatchNormBase {
  protected readonly ranks = [4];
}
export class BatchNorm3d extends BatchNormBase {
  protected readonly ranks = [5];
}
