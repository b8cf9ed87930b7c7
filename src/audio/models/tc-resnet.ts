// TC-ResNet (Choi et al., "Temporal Convolution for Real-time Keyword Spotting", 2019): the
// mel bands are the channels of a 1D convolution over time, so every layer sees the whole
// spectrum. TC-ResNet8: a 3-tap stem, three residual blocks of 9-tap convolutions with
// stride 2 (channel widths 16·k, 24·k, 32·k, 48·k), average pooling over time, a linear head.
import type { Tensor } from "../../core/index.js";
import { relu } from "../../nn/functional.js";
import { AdaptiveAvgPool1d, BatchNorm1d, Conv1d, Dropout, Identity, Linear, Module, ReLU, Sequential } from "../../nn/index.js";
import type { AudioClassifierOptions } from "./kws-cnn.js";

class TCBlock extends Module {
  readonly conv1: Conv1d;
  readonly bn1: BatchNorm1d;
  readonly conv2: Conv1d;
  readonly bn2: BatchNorm1d;
  readonly shortcut: Module;
  constructor(i: number, o: number, stride: number) {
    super();
    this.conv1 = new Conv1d(i, o, 9, { stride, padding: 4, bias: false });
    this.bn1 = new BatchNorm1d(o);
    this.conv2 = new Conv1d(o, o, 9, { padding: 4, bias: false });
    this.bn2 = new BatchNorm1d(o);
    this.shortcut =
      stride !== 1 || i !== o
        ? new Sequential(new Conv1d(i, o, 1, { stride, bias: false }), new BatchNorm1d(o), new ReLU())
        : new Identity();
  }
  forward(x: Tensor): Tensor {
    const y = this.bn2.forward(this.conv2.forward(relu(this.bn1.forward(this.conv1.forward(x)))));
    return relu(y.add(this.shortcut.forward(x) as Tensor));
  }
}

export class TCResNet8 extends Module {
  readonly stem: Conv1d;
  readonly blocks: Sequential;
  readonly pool: AdaptiveAvgPool1d;
  readonly dropout: Dropout;
  readonly fc: Linear;
  constructor(o: AudioClassifierOptions & { widthMultiplier?: number }) {
    super();
    const k = o.widthMultiplier ?? 1.5;
    const [c0, c1, c2, c3] = [16, 24, 32, 48].map((c) => Math.round(c * k)) as [number, number, number, number];
    this.stem = new Conv1d(o.nMels, c0, 3, { padding: 1, bias: false });
    this.blocks = new Sequential(new TCBlock(c0, c1, 2), new TCBlock(c1, c2, 2), new TCBlock(c2, c3, 2));
    this.pool = new AdaptiveAvgPool1d(1);
    this.dropout = new Dropout(o.dropout ?? 0.2);
    this.fc = new Linear(c3, o.numClasses);
  }
  /** x: log-mels [B, mels, frames] (or [B, 1, mels, frames]). */
  forward(x: Tensor): Tensor {
    const z = x.ndim === 4 ? x.squeeze(1) : x;
    const h = this.pool.forward(this.blocks.forward(this.stem.forward(z))).flatten(1);
    return this.fc.forward(this.dropout.forward(h));
  }
}
