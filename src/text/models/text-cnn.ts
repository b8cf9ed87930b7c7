// TextCNN (Kim, 2014): embedding → parallel 1-D convolutions of several widths → max over
// time (padding masked) → dropout → linear classifier.
import { cat, type Tensor, tidy } from "../../core/index.js";
import { Conv1d, Dropout, Embedding, Linear, Module, ModuleList } from "../../nn/index.js";
import { PAD_ID } from "./common.js";

export interface TextCnnOptions {
  vocabSize: number;
  numClasses: number;
  embedDim?: number;
  filters?: number;
  widths?: readonly number[];
  dropout?: number;
}

export class TextCnn extends Module {
  embedding: Embedding;
  convs: ModuleList;
  embedDropout: Dropout;
  dropout: Dropout;
  fc: Linear;
  readonly widths: number[];
  constructor(o: TextCnnOptions) {
    super();
    const e = o.embedDim ?? 64;
    const f = o.filters ?? 64;
    this.widths = [...(o.widths ?? [3, 4, 5])];
    this.embedding = new Embedding(o.vocabSize, e, { paddingIdx: PAD_ID });
    this.convs = new ModuleList(this.widths.map((w) => new Conv1d(e, f, w, { padding: Math.floor(w / 2) })));
    this.embedDropout = new Dropout(0.1);
    this.dropout = new Dropout(o.dropout ?? 0.5);
    this.fc = new Linear(f * this.widths.length, o.numClasses);
  }
  forward(ids: Tensor): Tensor {
    return tidy(() => {
      const x = this.embedDropout.forward(this.embedding.forward(ids)).transpose(1, 2); // [B, E, T]
      const pad = ids.eq(PAD_ID).unsqueeze(1); // [B, 1, T]
      const T = ids.shape[1]!;
      const pooled = [...this.convs].map((c) => {
        const h = (c as Conv1d).forward(x).narrow(2, 0, T).relu();
        return h.maskedFill(pad, 0).amax(2);
      });
      return this.fc.forward(this.dropout.forward(cat(pooled, 1)));
    });
  }
}
