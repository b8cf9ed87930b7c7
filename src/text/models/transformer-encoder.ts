// A BERT-style encoder: token + learned position embeddings, LayerNorm, a stack of
// Transformer encoder layers (padding masked), [CLS] pooling for classification and a
// masked-language-model head (dense → GELU → LayerNorm → vocabulary logits) for pre-training.
import { arange, type Tensor, tidy } from "../../core/index.js";
import { gelu } from "../../core/ops/elementwise.js";
import { Dropout, Embedding, LayerNorm, Linear, Module, TransformerEncoder, TransformerEncoderLayer } from "../../nn/index.js";
import { PAD_ID } from "./common.js";

export interface BertOptions {
  vocabSize: number;
  /** Classes of the classification head (0: no head). */
  numClasses?: number;
  dModel?: number;
  numHeads?: number;
  numLayers?: number;
  dimFeedforward?: number;
  maxLength?: number;
  dropout?: number;
}

export class BertEncoder extends Module {
  readonly maxLength: number;
  tokEmbed: Embedding;
  posEmbed: Embedding;
  norm: LayerNorm;
  dropout: Dropout;
  encoder: TransformerEncoder;
  constructor(o: BertOptions) {
    super();
    const d = o.dModel ?? 128;
    this.maxLength = o.maxLength ?? 256;
    this.tokEmbed = new Embedding(o.vocabSize, d, { paddingIdx: PAD_ID });
    this.posEmbed = new Embedding(this.maxLength, d);
    this.norm = new LayerNorm(d);
    this.dropout = new Dropout(o.dropout ?? 0.1);
    const layer = () =>
      new TransformerEncoderLayer(d, o.numHeads ?? 4, {
        dimFeedforward: o.dimFeedforward ?? 4 * d,
        dropout: o.dropout ?? 0.1,
        activation: "gelu",
        batchFirst: true,
        normFirst: true,
      });
    this.encoder = new TransformerEncoder(layer, o.numLayers ?? 2, { norm: new LayerNorm(d) });
  }
  /** ids [B, T] (T ≤ maxLength, 0 = padding) → hidden states [B, T, d]. */
  forward(ids: Tensor): Tensor {
    return tidy(() => {
      const T = ids.shape[1]!;
      const ids2 = T > this.maxLength ? ids.narrow(1, 0, this.maxLength) : ids;
      const pos = arange(Math.min(T, this.maxLength), undefined, 1, { dtype: "int64" });
      const x = this.dropout.forward(this.norm.forward(this.tokEmbed.forward(ids2).add(this.posEmbed.forward(pos))));
      return this.encoder.forward(x, { srcKeyPaddingMask: ids2.eq(PAD_ID) });
    });
  }
}

export class BertClassifier extends Module {
  bert: BertEncoder;
  dropout: Dropout;
  fc: Linear;
  constructor(o: BertOptions) {
    super();
    this.bert = new BertEncoder(o);
    this.dropout = new Dropout(o.dropout ?? 0.1);
    this.fc = new Linear(o.dModel ?? 128, o.numClasses ?? 2);
  }
  /** Logits from the first position ([CLS]/<s>, which the tokenizer puts there). */
  forward(ids: Tensor): Tensor {
    return tidy(() => this.fc.forward(this.dropout.forward(this.bert.forward(ids).select(1, 0))));
  }
}

/** Encoder plus the masked-language-model head; forward gives vocabulary logits [B, T, V]. */
export class BertForMaskedLM extends Module {
  bert: BertEncoder;
  dense: Linear;
  lnorm: LayerNorm;
  decoder: Linear;
  constructor(o: BertOptions) {
    super();
    const d = o.dModel ?? 128;
    this.bert = new BertEncoder(o);
    this.dense = new Linear(d, d);
    this.lnorm = new LayerNorm(d);
    this.decoder = new Linear(d, o.vocabSize);
  }
  forward(ids: Tensor): Tensor {
    return tidy(() => this.head(this.bert.forward(ids)));
  }
  /** Vocabulary logits of hidden states [..., d]; pre-training calls it on the masked positions only (the decoder is most of the cost). */
  head(hidden: Tensor): Tensor {
    return tidy(() => this.decoder.forward(this.lnorm.forward(gelu(this.dense.forward(hidden)))));
  }
}
