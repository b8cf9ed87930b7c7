// Embedding → bidirectional LSTM or GRU over the valid steps only (packed sequences) →
// mean+max pooling over time → linear classifier.
import { type Tensor, tidy } from "../../core/index.js";
import { Dropout, Embedding, GRU, Linear, LSTM, Module } from "../../nn/index.js";
import { lengthsOf, maskedMeanMax, PAD_ID } from "./common.js";

export interface RnnClassifierOptions {
  vocabSize: number;
  numClasses: number;
  embedDim?: number;
  hiddenSize?: number;
  cell?: "lstm" | "gru";
  numLayers?: number;
  dropout?: number;
}

export class RnnClassifier extends Module {
  embedding: Embedding;
  rnn: LSTM | GRU;
  dropout: Dropout;
  fc: Linear;
  constructor(o: RnnClassifierOptions) {
    super();
    const e = o.embedDim ?? 100;
    const h = o.hiddenSize ?? 128;
    this.embedding = new Embedding(o.vocabSize, e, { paddingIdx: PAD_ID });
    const ro = { batchFirst: true, bidirectional: true, numLayers: o.numLayers ?? 1 };
    this.rnn = (o.cell ?? "lstm") === "gru" ? new GRU(e, h, ro) : new LSTM(e, h, ro);
    this.dropout = new Dropout(o.dropout ?? 0.3);
    this.fc = new Linear(4 * h, o.numClasses);
  }
  /** ids [B, T] int64 (0 = padding) → logits [B, C]. */
  forward(ids: Tensor): Tensor {
    return tidy(() => {
      const lengths = lengthsOf(ids);
      const x = this.dropout.forward(this.embedding.forward(ids));
      const { output } = this.rnn.forward(x, { lengths });
      return this.fc.forward(this.dropout.forward(maskedMeanMax(output, ids)));
    });
  }
}
