// The entity-marker relation classifier of Baldini Soares et al. 2019 ("entity start" variant):
// a Transformer encoder reads the marked sentence, the hidden states at [E1] and [E2] are
// concatenated and a linear layer gives the relation logits.
import { arange, cat, type Tensor, tidy } from "../../core/index.js";
import { Dropout, Linear, Module } from "../../nn/index.js";
import { BertEncoder, type BertOptions } from "../models/transformer-encoder.js";

export interface MarkerClassifierOptions extends BertOptions {
  numClasses: number;
}

export class EntityMarkerClassifier extends Module {
  bert: BertEncoder;
  dropout: Dropout;
  fc: Linear;
  constructor(o: MarkerClassifierOptions) {
    super();
    this.bert = new BertEncoder(o);
    this.dropout = new Dropout(o.dropout ?? 0.1);
    this.fc = new Linear(2 * (o.dModel ?? 128), o.numClasses);
  }
  /** ids [B, T], e1 and e2 [B] int64 marker positions → logits [B, classes]. */
  forward(ids: Tensor, e1: Tensor, e2: Tensor): Tensor {
    return tidy(() => {
      const h = this.bert.forward(ids);
      const [B, T, d] = h.shape as [number, number, number];
      const flat = h.reshape([B * T, d]);
      const rows = arange(0, B * T, T, { dtype: "int64" });
      const at = (pos: Tensor) => flat.indexSelect(0, rows.add(pos));
      return this.fc.forward(this.dropout.forward(cat([at(e1), at(e2)], 1)));
    });
  }
}
