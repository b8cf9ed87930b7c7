// Instance normalisation (PyTorch's _InstanceNorm: no affine and no running statistics by
// default) and local response normalisation, each over its functional twin.
import { argError } from "../core/errors.js";
import { ones, type Tensor, tensor, tidy, zeros } from "../core/index.js";
import { checkInt } from "../core/validate.js";
import { instanceNorm, localResponseNorm } from "./functional-norm.js";
import { Module, pyBool, pyFloat } from "./module.js";
import { Parameter } from "./parameter.js";

export interface InstanceNormModuleOptions {
  eps?: number;
  momentum?: number;
  /** Learn a per-channel scale and shift (default false). */
  affine?: boolean;
  /** Keep running statistics, used in evaluation (default false). */
  trackRunningStats?: boolean;
}

abstract class InstanceNormNd extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  /** The rank of an unbatched input ([C, L] for 1d …). */
  protected abstract readonly noBatchRank: number;
  constructor(numFeatures: number, o: InstanceNormModuleOptions = {}) {
    super();
    const op = this.constructor.name;
    this.numFeatures = checkInt(op, "numFeatures", numFeatures, 1);
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum ?? 0.1;
    if (!(this.eps > 0)) argError(op, `eps must be > 0, got ${this.eps}`);
    if (!(this.momentum >= 0 && this.momentum <= 1)) argError(op, `momentum must be in [0, 1], got ${this.momentum}`);
    this.affine = o.affine ?? false;
    this.trackRunningStats = o.trackRunningStats ?? false;
    this.weight = this.affine ? new Parameter(ones([numFeatures])) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures])) : null;
    if (this.trackRunningStats) {
      this.registerBuffer("running_mean", zeros([numFeatures]));
      this.registerBuffer("running_var", ones([numFeatures]));
      this.registerBuffer("num_batches_tracked", tensor([0n]).view([]));
    }
  }
  private apply_(x: Tensor): Tensor {
    return instanceNorm(x, {
      runningMean: this.getBuffer("running_mean"),
      runningVar: this.getBuffer("running_var"),
      weight: this.weight,
      bias: this.bias,
      useInputStats: this.training || !this.trackRunningStats,
      momentum: this.momentum,
      eps: this.eps,
    });
  }
  forward(x: Tensor): Tensor {
    const op = this.constructor.name;
    const r = this.noBatchRank;
    if (x.ndim !== r && x.ndim !== r + 1) argError(op, `expected ${r}-D or ${r + 1}-D input, got [${x.shape.join(", ")}]`);
    const c = x.shape[x.ndim - r]!;
    if (c !== this.numFeatures && this.affine)
      argError(op, `expected input's channel dim (${x.ndim - r}) to have ${this.numFeatures} features, got [${x.shape.join(", ")}]`);
    if (x.ndim === r) return tidy(() => this.apply_(x.unsqueeze(0)).squeeze(0));
    return this.apply_(x);
  }
  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}
/** Instance norm of [N, C, L] or [C, L]. */
export class InstanceNorm1d extends InstanceNormNd {
  protected readonly noBatchRank = 2;
}
/** Instance norm of [N, C, H, W] or [C, H, W]. */
export class InstanceNorm2d extends InstanceNormNd {
  protected readonly noBatchRank = 3;
}
/** Instance norm of [N, C, D, H, W] or [C, D, H, W]. */
export class InstanceNorm3d extends InstanceNormNd {
  protected readonly noBatchRank = 4;
}

export class LocalResponseNorm extends Module {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
  constructor(size: number, o: { alpha?: number; beta?: number; k?: number } = {}) {
    super();
    this.size = checkInt("LocalResponseNorm", "size", size, 1);
    this.alpha = o.alpha ?? 1e-4;
    this.beta = o.beta ?? 0.75;
    this.k = o.k ?? 1;
  }
  forward(x: Tensor): Tensor {
    return localResponseNorm(x, this.size, { alpha: this.alpha, beta: this.beta, k: this.k });
  }
  override extraRepr(): string {
    return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`;
  }
}
