// The default image classifier: two conv-BN-ReLU-pool blocks (32 and 64 channels) and a
// 128-unit hidden layer, as in the classic Fashion-MNIST CNN. Inputs larger than 28 px are
// pooled to 7×7 before the classifier so the head stays small whatever the image size.
import { FlambeauError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import {
  AdaptiveAvgPool2d,
  BatchNorm2d,
  Conv2d,
  Dropout,
  Flatten,
  Identity,
  Linear,
  MaxPool2d,
  Module,
  ReLU,
  Sequential,
} from "../../nn/index.js";

export interface SmallCNNOptions {
  inChannels: number;
  numClasses: number;
  /** Input side length. */
  size: number;
  /** Channels of the first block (default 32); each block doubles them. */
  width?: number;
  /** Conv-BN-ReLU-pool blocks (default 2): an architecture choice for `flambeau tune`. */
  depth?: number;
  dropout?: number;
  /** Each block's channels, overriding width and depth (a net whose pruned channels were removed). */
  channels?: number[];
  /** Hidden units of the classifier (default 4 × width). */
  hidden?: number;
}

export class SmallCNN extends Module {
  readonly features: Sequential;
  readonly classifier: Sequential;
  constructor(o: SmallCNNOptions) {
    super();
    const w = o.width ?? 32;
    const depth = o.channels?.length ?? o.depth ?? 2;
    if (!Number.isSafeInteger(w) || w < 1) throw new FlambeauError("E_ARG", `SmallCNN: width must be a positive integer, got ${w}`);
    // Each block halves the side: a block past a 1-pixel map would pool nothing.
    if (!Number.isSafeInteger(depth) || depth < 1 || o.size >> depth < 1)
      throw new FlambeauError("E_ARG", `SmallCNN: depth must be an integer in [1, log2(size ${o.size})], got ${depth}`);
    let pooled = o.size;
    let channels = o.inChannels;
    const blocks: Module[] = [];
    for (const c of [o.channels ?? [], [o.hidden ?? 4 * w]].flat())
      if (!Number.isSafeInteger(c) || c < 1)
        throw new FlambeauError("E_ARG", `SmallCNN: channels and hidden must be positive integers, got ${c}`);
    for (let b = 0; b < depth; b++) {
      const out = o.channels?.[b] ?? w * 2 ** b;
      blocks.push(new Conv2d(channels, out, 3, { padding: 1, bias: false }), new BatchNorm2d(out), new ReLU(), new MaxPool2d(2));
      channels = out;
      pooled = Math.floor(pooled / 2);
    }
    const grid = Math.min(7, pooled);
    this.features = new Sequential(...blocks, pooled > grid ? new AdaptiveAvgPool2d(grid) : new Identity());
    this.classifier = new Sequential(
      new Flatten(),
      new Dropout(o.dropout ?? 0.3),
      new Linear(channels * grid * grid, o.hidden ?? 4 * w),
      new ReLU(),
      new Dropout(o.dropout ?? 0.3),
      new Linear(o.hidden ?? 4 * w, o.numClasses),
    );
  }
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.features.forward(x));
  }
}

/** LeNet-5 (ReLU, max-pool), the smallest convolutional baseline. */
export class LeNet5 extends Module {
  readonly features: Sequential;
  readonly classifier: Sequential;
  constructor(o: { inChannels: number; numClasses: number; size: number }) {
    super();
    const s = Math.floor((Math.floor(o.size / 2) - 4) / 2);
    this.features = new Sequential(
      new Conv2d(o.inChannels, 6, 5, { padding: 2 }),
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d(6, 16, 5),
      new ReLU(),
      new MaxPool2d(2),
    );
    this.classifier = new Sequential(
      new Flatten(),
      new Linear(16 * s * s, 120),
      new ReLU(),
      new Linear(120, 84),
      new ReLU(),
      new Linear(84, o.numClasses),
    );
  }
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.features.forward(x));
  }
}

/** A two-layer perceptron on raw pixels: the non-convolutional baseline. */
export class MLP extends Module {
  readonly net: Sequential;
  constructor(o: { inChannels: number; numClasses: number; size: number; hidden?: number }) {
    super();
    const h = o.hidden ?? 256;
    this.net = new Sequential(
      new Flatten(),
      new Linear(o.inChannels * o.size * o.size, h),
      new ReLU(),
      new Dropout(0.2),
      new Linear(h, o.numClasses),
    );
  }
  forward(x: Tensor): Tensor {
    return this.net.forward(x);
  }
}
