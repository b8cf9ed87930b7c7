// Classification + localization in one network (the "C class scores plus a box"):
// a VGG-style conv trunk (CPU-sized: a stride-2 stem pays for two convs per stage) ends on a coarse 4 × 4 grid. The
// class head pools the grid (average and max), so what the object is does not depend on
// where it is; the box head reads the whole grid, because there the position is the answer.
// Box outputs are cx, cy, w, h as logits of image fractions.
import { argError } from "../../core/errors.js";
import { cat, type Tensor } from "../../core/index.js";
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential } from "../../nn/index.js";
import { initConvNet } from "./init.js";

export interface BoxRegressorOptions {
  inChannels?: number;
  numClasses: number;
  /** Channels of the first stage, doubled per stage up to 8× (default 32). */
  width?: number;
  /** Conv stages, each halving the side (default 4). */
  stages?: number;
  /** Convs per stage (default 1). */
  convsPerStage?: number;
  /** Stride of the first conv (default 1); 2 halves the side once more before the stages' pools. */
  stemStride?: number;
  dropout?: number;
}

const convBn = (i: number, o: number, stride = 1): Module[] => [
  new Conv2d(i, o, 3, { padding: 1, stride, bias: false }),
  new BatchNorm2d(o),
  new ReLU(),
];

export class BoxRegressor extends Module {
  readonly features: Sequential;
  readonly classifier: Linear;
  readonly box: Sequential;
  readonly numClasses: number;
  constructor(o: BoxRegressorOptions) {
    super();
    const w = o.width ?? 32;
    const stages = o.stages ?? 4;
    if (!Number.isInteger(o.numClasses) || o.numClasses < 1)
      argError("BoxRegressor", `numClasses must be a positive integer, got ${o.numClasses}`);
    if (!Number.isInteger(stages) || stages < 1 || stages > 6)
      argError("BoxRegressor", `stages must be an integer in [1, 6], got ${stages}`);
    const convs = o.convsPerStage ?? 1;
    const stem = o.stemStride ?? 1;
    if (!Number.isInteger(convs) || convs < 1 || convs > 4)
      argError("BoxRegressor", `convsPerStage must be an integer in [1, 4], got ${convs}`);
    if (stem !== 1 && stem !== 2) argError("BoxRegressor", `stemStride must be 1 or 2, got ${stem}`);
    this.numClasses = o.numClasses;
    const layers: Module[] = [];
    let c = o.inChannels ?? 3;
    for (let s = 0; s < stages; s++) {
      const out = w * 2 ** Math.min(s, 3);
      for (let k = 0; k < convs; k++) {
        layers.push(...convBn(c, out, s === 0 && k === 0 ? stem : 1));
        c = out;
      }
      layers.push(new MaxPool2d(2));
    }
    // One more conv on the coarse grid, where it is cheap, to relate the object's parts.
    layers.push(new AdaptiveAvgPool2d(4), ...convBn(c, c));
    this.features = new Sequential(...layers);
    this.classifier = new Linear(2 * c, o.numClasses);
    this.box = new Sequential(new Flatten(), new Dropout(o.dropout ?? 0.2), new Linear(c * 16, 256), new ReLU(), new Linear(256, 4));
    initConvNet(this);
  }
  /** [N, C, H, W] → [N, numClasses + 4]: class logits, then box logits (sigmoid gives cx, cy, w, h in [0, 1]). */
  forward(x: Tensor): Tensor {
    const f = this.features.forward(x);
    const pooled = cat([f.mean({ dim: [2, 3] }), f.amax([2, 3])], 1);
    return cat([this.classifier.forward(pooled), this.box.forward(f)], 1);
  }
}
