// A configurable VGG-style CNN (Simonyan & Zisserman 2014): stacks of 3×3 conv (+BN) + ReLU
// separated by 2×2 max-pools, then an MLP head. With the defaults of a named config it has
// torchvision's layout (features.N, avgpool 7×7, classifier.0/3/6); `hidden` and `poolSize`
// shrink the head for small images.
import { argError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, Linear, MaxPool2d, Module, ReLU, Sequential } from "../../nn/index.js";
import { initConvNet } from "./init.js";

/** Output channels of each conv, "M" for a max-pool. */
export type VGGConfig = readonly (number | "M")[];

export const VGG_CONFIGS = {
  vgg11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
  vgg13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
  vgg16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
  /** A small VGG for 28–32 px images. */
  small: [32, 32, "M", 64, 64, "M", 128, 128, "M"],
} as const satisfies Record<string, VGGConfig>;

export interface VGGOptions {
  config?: VGGConfig | keyof typeof VGG_CONFIGS;
  numClasses?: number;
  inChannels?: number;
  batchNorm?: boolean;
  /** Side of the adaptive average pool before the head (torchvision: 7). */
  poolSize?: number;
  /** Width of the two hidden head layers (torchvision: 4096). */
  hidden?: number;
  dropout?: number;
}

export class VGG extends Module {
  readonly features: Sequential;
  readonly avgpool: AdaptiveAvgPool2d;
  readonly classifier: Sequential;
  constructor(o: VGGOptions = {}) {
    super();
    const cfg = typeof o.config === "string" ? VGG_CONFIGS[o.config] : (o.config ?? VGG_CONFIGS.vgg11);
    if (!cfg) argError("VGG", `unknown config ${JSON.stringify(o.config)}; configs: ${Object.keys(VGG_CONFIGS).join(", ")}`);
    if (!cfg.some((v) => typeof v === "number")) argError("VGG", "config needs at least one conv layer");
    const layers: Module[] = [];
    let c = o.inChannels ?? 3;
    for (const v of cfg) {
      if (v === "M") layers.push(new MaxPool2d(2, { stride: 2 }));
      else {
        if (!Number.isInteger(v) || v < 1) argError("VGG", `config entries must be positive channel counts or "M", got ${v}`);
        layers.push(new Conv2d(c, v, 3, { padding: 1 }));
        if (o.batchNorm) layers.push(new BatchNorm2d(v));
        layers.push(new ReLU());
        c = v;
      }
    }
    this.features = new Sequential(...layers);
    const p = o.poolSize ?? 7;
    const h = o.hidden ?? 4096;
    const d = o.dropout ?? 0.5;
    this.avgpool = new AdaptiveAvgPool2d(p);
    this.classifier = new Sequential(
      new Linear(c * p * p, h),
      new ReLU(),
      new Dropout(d),
      new Linear(h, h),
      new ReLU(),
      new Dropout(d),
      new Linear(h, o.numClasses ?? 1000),
    );
    initConvNet(this, { linearStd: 0.01 });
  }
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.avgpool.forward(this.features.forward(x)).flatten(1));
  }
}
