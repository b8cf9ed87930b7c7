// The Conv-4 embedding of the few-shot literature (Vinyals et al. 2016; Snell et al. 2017;
// Finn et al. 2017): four blocks of 3×3 conv (64 channels), batch norm, ReLU and 2×2 max
// pooling; a 28×28 image becomes a 64-vector. `forward(x, weights)` runs it on explicit
// weight tensors (MAML's adapted "fast weights") instead of the module's parameters.
import type { Tensor } from "../../core/index.js";
import { relu } from "../../core/ops/elementwise.js";
import { batchNorm, conv2d, maxPool2d } from "../../core/ops/nn.js";
import { BatchNorm2d, Conv2d, Module } from "../../nn/index.js";

export interface Conv4Options {
  inChannels?: number;
  width?: number;
  /** Batch norm always on the batch's own statistics (MAML's transductive setting). */
  transductive?: boolean;
}

export class Conv4 extends Module {
  readonly convs: Conv2d[];
  readonly norms: BatchNorm2d[];
  readonly transductive: boolean;
  constructor(o: Conv4Options = {}) {
    super();
    const w = o.width ?? 64;
    this.transductive = o.transductive ?? false;
    this.convs = [];
    this.norms = [];
    for (let i = 0; i < 4; i++) {
      const conv = new Conv2d(i === 0 ? (o.inChannels ?? 1) : w, w, 3, { padding: 1 });
      const bn = new BatchNorm2d(w, this.transductive ? { trackRunningStats: false } : {});
      this.registerModule(`conv${i}`, conv);
      this.registerModule(`bn${i}`, bn);
      this.convs.push(conv);
      this.norms.push(bn);
    }
  }

  /** The weights in forward's order: per block conv weight, conv bias, norm weight, norm bias. */
  weights(): Tensor[] {
    return this.convs.flatMap((c, i) => [c.weight, c.bias!, this.norms[i]!.weight!, this.norms[i]!.bias!]);
  }

  /** [B, C, H, W] → [B, width·h·w] (h = w = 1 at 28 px). */
  override forward(x: Tensor, weights: readonly Tensor[] = this.weights()): Tensor {
    let h = x;
    for (let i = 0; i < 4; i++) {
      const bn = this.norms[i]!;
      h = conv2d(h, weights[4 * i]!, weights[4 * i + 1]!, { padding: 1 });
      h = batchNorm(h, this.transductive ? null : bn.runningMean, this.transductive ? null : bn.runningVar, {
        weight: weights[4 * i + 2]!,
        bias: weights[4 * i + 3]!,
        training: this.transductive || this.training,
        momentum: 0.1,
        eps: bn.eps,
      });
      h = maxPool2d(relu(h), 2);
    }
    return h.flatten(1);
  }
}
