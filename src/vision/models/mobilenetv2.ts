// MobileNetV2 (Sandler et al. 2018): inverted residuals — 1×1 expansion, 3×3 depthwise,
// 1×1 linear projection — laid out as torchvision's mobilenet_v2 (features.N.conv.M…,
// classifier.1) so its weights load. `smallInput` drops the first two strides for
// 28–32 px images without changing any parameter shape.
import { argError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import { BatchNorm2d, Conv2d, Dropout, Linear, Module, ReLU6, Sequential } from "../../nn/index.js";
import { initConvNet } from "./init.js";

export interface MobileNetV2Options {
  numClasses?: number;
  inChannels?: number;
  /** Channel multiplier (torchvision's width_mult). */
  widthMult?: number;
  dropout?: number;
  /** Stride 1 in the stem and the first strided stage (small images). */
  smallInput?: boolean;
}

/** torchvision's _make_divisible: round channels to a multiple of 8, never more than 10% down. */
export function makeDivisible(v: number, divisor = 8): number {
  let n = Math.max(divisor, Math.floor(v + divisor / 2) - (Math.floor(v + divisor / 2) % divisor));
  if (n < 0.9 * v) n += divisor;
  return n;
}

/** Conv → BN → ReLU6 (torchvision's Conv2dNormActivation: keys 0 = conv, 1 = bn). */
export class ConvBNReLU6 extends Sequential {
  constructor(inC: number, outC: number, kernel = 3, stride = 1, groups = 1) {
    super(new Conv2d(inC, outC, kernel, { stride, padding: (kernel - 1) >> 1, groups, bias: false }), new BatchNorm2d(outC), new ReLU6());
  }
}

export class InvertedResidual extends Module {
  readonly conv: Sequential;
  readonly useResConnect: boolean;
  constructor(inp: number, oup: number, stride: number, expandRatio: number) {
    super();
    const hidden = Math.round(inp * expandRatio);
    this.useResConnect = stride === 1 && inp === oup;
    const layers: Module[] = [];
    if (expandRatio !== 1) layers.push(new ConvBNReLU6(inp, hidden, 1));
    layers.push(new ConvBNReLU6(hidden, hidden, 3, stride, hidden), new Conv2d(hidden, oup, 1, { bias: false }), new BatchNorm2d(oup));
    this.conv = new Sequential(...layers);
  }
  forward(x: Tensor): Tensor {
    const y = this.conv.forward(x);
    return this.useResConnect ? x.add(y) : y;
  }
}

// t (expansion), c (channels), n (repeats), s (first stride): the paper's table 2.
const SETTINGS: readonly (readonly [number, number, number, number])[] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

export class MobileNetV2 extends Module {
  readonly features: Sequential;
  readonly classifier: Sequential;
  constructor(o: MobileNetV2Options = {}) {
    super();
    const wm = o.widthMult ?? 1;
    if (!(wm > 0 && wm <= 4)) argError("MobileNetV2", `widthMult must be in (0, 4], got ${wm}`);
    let input = makeDivisible(32 * wm);
    const last = makeDivisible(1280 * Math.max(1, wm));
    const features: Module[] = [new ConvBNReLU6(o.inChannels ?? 3, input, 3, o.smallInput ? 1 : 2)];
    SETTINGS.forEach(([t, c, n, s], stage) => {
      const out = makeDivisible(c * wm);
      for (let i = 0; i < n; i++) {
        const stride = i === 0 ? (o.smallInput && stage === 1 ? 1 : s) : 1;
        features.push(new InvertedResidual(input, out, stride, t));
        input = out;
      }
    });
    features.push(new ConvBNReLU6(input, last, 1));
    this.features = new Sequential(...features);
    this.classifier = new Sequential(new Dropout(o.dropout ?? 0.2), new Linear(last, o.numClasses ?? 1000));
    initConvNet(this, { linearStd: 0.01 });
  }
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.features.forward(x).mean({ dim: [2, 3] }));
  }
}
