// A small 2D CNN on log-mel spectrograms [B, 1, mels, frames]: four conv-BN-ReLU blocks
// (pooling frequency and time), global average pooling, dropout, a linear classifier.
// Global pooling makes it indifferent to where in the window the word falls.
import type { Tensor } from "../../core/index.js";
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential } from "../../nn/index.js";

export interface AudioClassifierOptions {
  /** Mel bands of the input. */
  nMels: number;
  numClasses: number;
  width?: number;
  dropout?: number;
}

const block = (i: number, o: number, pool: boolean): Module[] => [
  new Conv2d(i, o, 3, { padding: 1, bias: false }),
  new BatchNorm2d(o),
  new ReLU(),
  ...(pool ? [new MaxPool2d(2)] : []),
];

export class KwsCNN extends Module {
  readonly features: Sequential;
  readonly classifier: Sequential;
  constructor(o: AudioClassifierOptions) {
    super();
    const w = o.width ?? 16;
    this.features = new Sequential(
      ...block(1, w, true),
      ...block(w, 2 * w, true),
      ...block(2 * w, 4 * w, true),
      ...block(4 * w, 4 * w, false),
      new AdaptiveAvgPool2d(1),
    );
    this.classifier = new Sequential(new Flatten(), new Dropout(o.dropout ?? 0.3), new Linear(4 * w, o.numClasses));
  }
  /** x: log-mels [B, 1, mels, frames] (or [B, mels, frames]). */
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.features.forward(x.ndim === 3 ? x.unsqueeze(1) : x));
  }
}
