// The speech-to-text encoder: log-mels [B, nMels, T] → a 1D convolutional front-end (mel bands
// as channels, stride 2 in time: 20 ms frames) → a bidirectional LSTM → per-frame
// log-probabilities over the CTC alphabet, [T', B, classes] as ctc_loss takes them.
import type { Tensor } from "../../core/index.js";
import { relu } from "../../nn/functional.js";
import { BatchNorm1d, Conv1d, Dropout, Linear, LSTM, Module } from "../../nn/index.js";

export interface CtcBiLstmOptions {
  nMels: number;
  numClasses: number;
  /** Front-end channels and LSTM hidden size per direction (default 128). */
  hidden?: number;
  layers?: number;
  dropout?: number;
  /** Time stride of the front-end (default 3: 10 ms input frames → 30 ms output frames). */
  stride?: number;
}

export class CtcBiLSTM extends Module {
  readonly conv1: Conv1d;
  readonly bn1: BatchNorm1d;
  readonly conv2: Conv1d;
  readonly bn2: BatchNorm1d;
  readonly lstm: LSTM;
  readonly drop: Dropout;
  readonly head: Linear;
  readonly stride: number;
  constructor(o: CtcBiLstmOptions) {
    super();
    const h = o.hidden ?? 128;
    this.stride = o.stride ?? 3;
    this.conv1 = new Conv1d(o.nMels, h, 5, { stride: this.stride, padding: 2, bias: false });
    this.bn1 = new BatchNorm1d(h);
    this.conv2 = new Conv1d(h, h, 5, { padding: 2, bias: false });
    this.bn2 = new BatchNorm1d(h);
    this.lstm = new LSTM(h, h, { numLayers: o.layers ?? 2, bidirectional: true, dropout: o.dropout ?? 0.1 });
    this.drop = new Dropout(o.dropout ?? 0.1);
    this.head = new Linear(2 * h, o.numClasses);
  }

  /** Output frames for `frames` input frames (the strided convolution: kernel 5, padding 2). */
  outputFrames(frames: number): number {
    return Math.floor((frames - 1) / this.stride) + 1;
  }

  /** x: log-mels [B, nMels, T] (or [B, 1, nMels, T]); lengths: valid input frames per example. */
  forwardWithLengths(x: Tensor, lengths?: readonly number[]): { logProbs: Tensor; lengths: number[] } {
    const f = x.ndim === 4 ? x.squeeze(1) : x;
    let y = relu(this.bn1.forward(this.conv1.forward(f)));
    y = relu(this.bn2.forward(this.conv2.forward(y)));
    const tOut = y.shape[2]!;
    const outLens = (lengths ?? new Array<number>(f.shape[0]!).fill(f.shape[2]!)).map((l) =>
      Math.max(1, Math.min(tOut, this.outputFrames(l))),
    );
    const seq = y.permute(2, 0, 1); // [T', B, H]
    const { output } = this.lstm.forward(seq, lengths ? { lengths: outLens } : {});
    return { logProbs: this.head.forward(this.drop.forward(output)).logSoftmax(2), lengths: outLens };
  }

  forward(x: Tensor): Tensor {
    return this.forwardWithLengths(x).logProbs;
  }
}
