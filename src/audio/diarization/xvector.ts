// An x-vector speaker embedding (Snyder et al., "X-vectors: robust DNN embeddings for speaker
// recognition", 2018), scaled down for two CPU cores: time-delay layers (1D convolutions over
// log-mel frames with growing dilation, so the last frame layer sees ±7 frames), statistics
// pooling (mean and standard deviation over all frames, so any length gives one vector), a
// segment layer whose output is the embedding, and a speaker-classification head used only in
// training.
import { cat, type Tensor } from "../../core/index.js";
import { BatchNorm1d, Conv1d, Linear, Module, ReLU, Sequential } from "../../nn/index.js";

export interface XVectorOptions {
  nMels: number;
  numSpeakers: number;
  /** Frame-layer width (default 128); the last frame layer is 3× wider. */
  channels?: number;
  /** Embedding size (default 128). */
  embedding?: number;
}

const tdnn = (i: number, o: number, k: number, dilation: number) =>
  new Sequential(new Conv1d(i, o, k, { dilation, padding: (dilation * (k - 1)) / 2 }), new ReLU(), new BatchNorm1d(o));

export class XVector extends Module {
  readonly frames: Sequential;
  readonly segment: Linear;
  readonly head: Sequential;
  constructor(o: XVectorOptions) {
    super();
    const c = o.channels ?? 128;
    const e = o.embedding ?? 128;
    this.frames = new Sequential(tdnn(o.nMels, c, 5, 1), tdnn(c, c, 3, 2), tdnn(c, c, 3, 3), tdnn(c, c, 1, 1), tdnn(c, 3 * c, 1, 1));
    this.segment = new Linear(6 * c, e);
    this.head = new Sequential(new ReLU(), new BatchNorm1d(e), new Linear(e, o.numSpeakers));
  }
  /** Log-mels [B, mels, frames] (or [B, 1, mels, frames]) → embeddings [B, embedding]. */
  embed(x: Tensor): Tensor {
    const z = x.ndim === 4 ? x.squeeze(1) : x;
    const h = this.frames.forward(z) as Tensor;
    // The standard deviation through var + ε: sqrt's gradient is infinite at zero variance.
    const stats = cat([h.mean(2), h.var({ dim: 2, correction: 0 }).add(1e-5).sqrt()], 1);
    return this.segment.forward(stats);
  }
  /** Speaker logits (training). */
  forward(x: Tensor): Tensor {
    return this.head.forward(this.embed(x)) as Tensor;
  }
}
