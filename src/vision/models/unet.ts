// U-Net (Ronneberger et al. 2015): an encoder of double-conv blocks and 2×2 max-pools, a
// decoder of 2×2 transposed convs whose outputs are concatenated with the encoder's skip
// features. Depth and width are options; inputs of any size work (the upsampled map is
// padded to its skip's size), so segmentation and image-to-image tasks share it.
import { argError } from "../../core/errors.js";
import { cat, type Tensor } from "../../core/index.js";
import { BatchNorm2d, Conv2d, ConvTranspose2d, functional as F, MaxPool2d, Module, ModuleList, ReLU, Sequential } from "../../nn/index.js";
import { initConvNet } from "./init.js";

export interface UNetOptions {
  inChannels?: number;
  /** Output channels (classes for segmentation, colour channels for image-to-image). */
  outChannels?: number;
  /** Number of down-sampling steps (the original: 4). */
  depth?: number;
  /** Channels of the first block, doubled at each step down (the original: 64). */
  width?: number;
  batchNorm?: boolean;
  /**
   * Stride of the first conv (default 1). With 2 the network runs at half resolution and its
   * logits are upsampled bilinearly to the input's size: a quarter of the cost, for borders
   * about a pixel softer.
   */
  stemStride?: number;
}

/** (3×3 conv → BN → ReLU) × 2; the first conv may stride. */
export class DoubleConv extends Sequential {
  constructor(inC: number, outC: number, batchNorm = true, stride = 1) {
    const block = (i: number, s = 1): Module[] => [
      new Conv2d(i, outC, 3, { padding: 1, stride: s, bias: !batchNorm }),
      ...(batchNorm ? [new BatchNorm2d(outC)] : []),
      new ReLU(),
    ];
    super(...block(inC, stride), ...block(outC));
  }
}

export class UNet extends Module {
  readonly inc: DoubleConv;
  readonly down: ModuleList;
  readonly up: ModuleList;
  readonly upConv: ModuleList;
  readonly outc: Conv2d;
  readonly pool = new MaxPool2d(2);
  readonly depth: number;
  readonly stemStride: number;
  constructor(o: UNetOptions = {}) {
    super();
    const depth = o.depth ?? 4;
    const w = o.width ?? 64;
    if (!Number.isInteger(depth) || depth < 1 || depth > 6) argError("UNet", `depth must be an integer in [1, 6], got ${depth}`);
    if (!Number.isInteger(w) || w < 1) argError("UNet", `width must be a positive integer, got ${w}`);
    const bn = o.batchNorm ?? true;
    const stem = o.stemStride ?? 1;
    if (stem !== 1 && stem !== 2) argError("UNet", `stemStride must be 1 or 2, got ${stem}`);
    this.depth = depth;
    this.stemStride = stem;
    this.inc = new DoubleConv(o.inChannels ?? 3, w, bn, stem);
    this.down = new ModuleList(Array.from({ length: depth }, (_, i) => new DoubleConv(w * 2 ** i, w * 2 ** (i + 1), bn)));
    const ups: Module[] = [];
    const convs: Module[] = [];
    for (let i = depth; i > 0; i--) {
      ups.push(new ConvTranspose2d(w * 2 ** i, w * 2 ** (i - 1), 2, { stride: 2 }));
      convs.push(new DoubleConv(w * 2 ** i, w * 2 ** (i - 1), bn));
    }
    this.up = new ModuleList(ups);
    this.upConv = new ModuleList(convs);
    this.outc = new Conv2d(w, o.outChannels ?? 1, 1);
    initConvNet(this);
  }
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4) argError("UNet", `expects [N, C, H, W], got [${x.shape.join(", ")}]`);
    const skips: Tensor[] = [this.inc.forward(x)];
    for (const d of this.down) skips.push((d as DoubleConv).forward(this.pool.forward(skips[skips.length - 1]!)));
    let y = skips.pop()!;
    for (let i = 0; i < this.depth; i++) {
      const skip = skips.pop()!;
      let u = (this.up.at(i) as ConvTranspose2d).forward(y);
      const dh = skip.shape[2]! - u.shape[2]!;
      const dw = skip.shape[3]! - u.shape[3]!;
      // Odd sizes lose a row/column when pooled; pad the upsampled map back to the skip's size.
      if (dh || dw) u = F.pad(u, [dw >> 1, dw - (dw >> 1), dh >> 1, dh - (dh >> 1)]);
      y = (this.upConv.at(i) as DoubleConv).forward(cat([skip, u], 1));
    }
    const out = this.outc.forward(y);
    if (this.stemStride === 1) return out;
    return F.interpolate(out, { size: [x.shape[2]!, x.shape[3]!], mode: "bilinear", alignCorners: false });
  }
}
