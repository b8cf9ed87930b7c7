// A small R(2+1)D-style video classifier (Tran et al. 2018): every 3-D convolution is split
// into a spatial 3×3 convolution and a temporal 3-tap one, with BN and ReLU between, in three
// stages that each halve the frame side and double the channels; average pooling over time and
// space, then a linear layer. With `temporal: false` each temporal convolution becomes a
// second spatial 3×3 one: the same depth and more weights, but every frame is seen alone and
// the pooled features average the frames — the single-frame baseline.
// Both factors run as 2-D convolutions (frames folded into the batch, or pixels into the
// width): libtorch's CPU Conv3d is several times slower than its oneDNN Conv2d here.
import { FlambeauError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import { BatchNorm2d, Conv2d, Dropout, Linear, Module, ReLU, Sequential } from "../../nn/index.js";

export interface FactorisedCNNOptions {
  numClasses: number;
  /** Channels of the first stage (default 16); each stage doubles them. */
  width?: number;
  /** Temporal convolutions (true: R(2+1)D; false: the frame-by-frame baseline). */
  temporal: boolean;
  dropout?: number;
}

/** 3×3 conv + BN + ReLU on every frame of [B, T, C, H, W]. */
export class SpatialConv extends Module {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;
  readonly relu = new ReLU();
  constructor(cin: number, cout: number, stride: number) {
    super();
    this.conv = new Conv2d(cin, cout, 3, { stride, padding: 1, bias: false });
    this.bn = new BatchNorm2d(cout);
  }
  forward(x: Tensor): Tensor {
    const [b, t, c, h, w] = x.shape as [number, number, number, number, number];
    const y = this.relu.forward(this.bn.forward(this.conv.forward(x.reshape([b * t, c, h, w]))));
    return y.reshape([b, t, ...y.shape.slice(1)]);
  }
}

/** 3-tap conv over time + BN + ReLU at every pixel of [B, T, C, H, W] (zero-padded in time). */
class TemporalConv extends Module {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;
  readonly relu = new ReLU();
  constructor(channels: number) {
    super();
    this.conv = new Conv2d(channels, channels, [3, 1], { padding: [1, 0], bias: false });
    this.bn = new BatchNorm2d(channels);
  }
  forward(x: Tensor): Tensor {
    const [b, t, c, h, w] = x.shape as [number, number, number, number, number];
    const y = this.relu.forward(this.bn.forward(this.conv.forward(x.permute([0, 2, 1, 3, 4]).reshape([b, c, t, h * w]))));
    return y.reshape([b, c, t, h, w]).permute([0, 2, 1, 3, 4]);
  }
}

export class FactorisedVideoCNN extends Module {
  readonly numClasses: number;
  readonly temporal: boolean;
  readonly blocks: Sequential;
  readonly dropout: Dropout;
  readonly head: Linear;
  constructor(o: FactorisedCNNOptions) {
    super();
    const w = o.width ?? 16;
    if (!Number.isSafeInteger(w) || w < 1 || w > 512)
      throw new FlambeauError("E_ARG", `FactorisedVideoCNN: width must be an integer in [1, 512], got ${w}`);
    if (!Number.isSafeInteger(o.numClasses) || o.numClasses < 2)
      throw new FlambeauError("E_ARG", `FactorisedVideoCNN: numClasses must be an integer ≥ 2, got ${o.numClasses}`);
    this.numClasses = o.numClasses;
    this.temporal = o.temporal;
    const stages: [number, number, number][] = [
      [3, w, 2],
      [w, 2 * w, 2],
      [2 * w, 4 * w, 2],
    ];
    this.blocks = new Sequential(
      ...stages.flatMap(([cin, cout, stride]) => [
        new SpatialConv(cin, cout, stride),
        o.temporal ? new TemporalConv(cout) : new SpatialConv(cout, cout, 1),
      ]),
    );
    this.dropout = new Dropout(o.dropout ?? 0.2);
    this.head = new Linear(4 * w, o.numClasses);
  }
  /** [B, T, 3, H, W] normalised frames → [B, classes] logits. */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 5 || x.shape[2] !== 3)
      throw new FlambeauError("E_SHAPE", `FactorisedVideoCNN: input must be [B, T, 3, H, W], got ${JSON.stringify(x.shape)}`, "forward");
    const y = this.blocks.forward(x);
    // Average over time and space: [B, T, C, H, W] → [B, C].
    return this.head.forward(this.dropout.forward(y.mean({ dim: [1, 3, 4] })));
  }
}
