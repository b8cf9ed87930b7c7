// The default image classifier: two conv-BN-ReLU-pool blocks (32 and 64 channels) and a
// 128-unit hidden layer, as in the classic Fashion-MNIST CNN. Inputs larger than 28 px are
// pooled to 7×7 before the classifier so the head stays small whatever the image size.
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
  width?: number;
  dropout?: number;
}

export class SmallCNN extends Module {
  readonly features: Sequential;
  readonly classifier: Sequential;
  constructor(o: SmallCNNOptions) {
    super();
    const w = o.width ?? 32;
    const pooled = Math.floor(Math.floor(o.size / 2) / 2);
    const grid = Math.min(7, pooled);
    this.features = new Sequential(
      new Conv2d(o.inChannels, w, 3, { padding: 1, bias: false }),
      new BatchNorm2d(w),
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d(w, 2 * w, 3, { padding: 1, bias: false }),
      new BatchNorm2d(2 * w),
      new ReLU(),
      new MaxPool2d(2),
      pooled > grid ? new AdaptiveAvgPool2d(grid) : new Identity(),
    );
    this.classifier = new Sequential(
      new Flatten(),
      new Dropout(o.dropout ?? 0.3),
      new Linear(2 * w * grid * grid, 4 * w),
      new ReLU(),
      new Dropout(o.dropout ?? 0.3),
      new Linear(4 * w, o.numClasses),
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
