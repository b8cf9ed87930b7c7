// SRResNet-lite (after Ledig et al. 2017, without batch norm as in EDSR): a head conv,
// residual blocks at low resolution, a global skip, then ×2 conv + pixel-shuffle stages
// (two of them for ×4, one conv + shuffle by 3 for ×3) and a tail conv. With `residual`
// it learns only the detail a bicubic upscale misses.
import type { Tensor } from "../../core/index.js";
import { Conv2d, functional as F, Module, ModuleList, ReLU, Sequential } from "../../nn/index.js";
import { upsampleBicubic } from "../transforms/resize.js";
import { checkScale, type SuperResolutionOptions } from "./espcn.js";
import { zeroConv } from "./init.js";

export interface SRResNetOptions extends SuperResolutionOptions {
  /** Feature channels (the paper: 64). */
  width?: number;
  /** Residual blocks (the paper: 16). */
  blocks?: number;
  /** Input channels when they differ from the output's (video: K frames stacked, 3K); forward then takes the residual's base. */
  inChannels?: number;
}

export class ResidualBlockNoBN extends Module {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly relu = new ReLU();
  constructor(w: number) {
    super();
    this.conv1 = new Conv2d(w, w, 3, { padding: 1 });
    this.conv2 = new Conv2d(w, w, 3, { padding: 1 });
  }
  forward(x: Tensor): Tensor {
    // EDSR's residual scaling keeps deep stacks stable without BN.
    return x.add(this.conv2.forward(this.relu.forward(this.conv1.forward(x))).mul(0.2));
  }
}

/** conv → pixel shuffle by `factor` (EDSR's upsampler: no activation, so it cannot die off). */
class UpsampleStage extends Module {
  readonly conv: Conv2d;
  readonly factor: number;
  constructor(w: number, factor: number) {
    super();
    this.factor = factor;
    this.conv = new Conv2d(w, w * factor * factor, 3, { padding: 1 });
  }
  forward(x: Tensor): Tensor {
    return F.pixelShuffle(this.conv.forward(x), this.factor);
  }
}

export class SRResNet extends Module {
  readonly head: Conv2d;
  readonly body: Sequential;
  readonly bodyConv: Conv2d;
  readonly upsample: ModuleList;
  readonly tail: Conv2d;
  readonly scale: number;
  readonly residual: boolean;
  constructor(o: SRResNetOptions) {
    super();
    this.scale = checkScale("SRResNet", o.scale);
    const c = o.channels ?? 3;
    const w = o.width ?? 32;
    this.residual = o.residual ?? true;
    this.head = new Conv2d(o.inChannels ?? c, w, 3, { padding: 1 });
    this.body = new Sequential(...Array.from({ length: o.blocks ?? 4 }, () => new ResidualBlockNoBN(w)));
    this.bodyConv = new Conv2d(w, w, 3, { padding: 1 });
    const stages: Module[] = [];
    let s = this.scale;
    while (s % 2 === 0) {
      stages.push(new UpsampleStage(w, 2));
      s /= 2;
    }
    if (s > 1) stages.push(new UpsampleStage(w, s));
    this.upsample = new ModuleList(stages);
    this.tail = new Conv2d(w, c, 3, { padding: 1 });
    // A zero tail makes the untrained network exactly bicubic: training only adds detail
    // instead of first unlearning random output noise (matters on short budgets).
    if (this.residual) zeroConv(this.tail);
  }
  /** `base`: the low-resolution image whose bicubic upscale the residual adds (default: x itself). */
  forward(x: Tensor, base: Tensor = x): Tensor {
    const f = this.head.forward(x);
    let y = this.bodyConv.forward(this.body.forward(f)).add(f);
    for (const u of this.upsample) y = (u as UpsampleStage).forward(y);
    y = this.tail.forward(y);
    return this.residual ? y.add(upsampleBicubic(base, this.scale)) : y;
  }
}
