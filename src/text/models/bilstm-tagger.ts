// Sequence tagger: word embeddings + a character CNN per word (prefixes, suffixes, capitals)
// → bidirectional LSTM → per-token tag scores, optionally decoded by a CRF. Input is one int64
// tensor [B, T, 1 + W]: column 0 the word id (0 = padding), columns 1… the word's character ids.
import { cat, type Tensor, tidy } from "../../core/index.js";
import { Conv1d, Dropout, Embedding, Linear, LSTM, Module } from "../../nn/index.js";
import { lengthsOf, PAD_ID } from "./common.js";
import { CRF } from "./crf.js";

export interface TaggerOptions {
  wordVocab: number;
  charVocab: number;
  numTags: number;
  wordDim?: number;
  charDim?: number;
  charFilters?: number;
  hiddenSize?: number;
  dropout?: number;
  crf?: boolean;
}

export class BiLstmTagger extends Module {
  wordEmbed: Embedding;
  charEmbed: Embedding;
  charConv: Conv1d;
  lstm: LSTM;
  dropout: Dropout;
  fc: Linear;
  crf: CRF | null;
  constructor(o: TaggerOptions) {
    super();
    const wd = o.wordDim ?? 64;
    const cd = o.charDim ?? 24;
    const cf = o.charFilters ?? 48;
    const h = o.hiddenSize ?? 96;
    this.wordEmbed = new Embedding(o.wordVocab, wd, { paddingIdx: PAD_ID });
    this.charEmbed = new Embedding(o.charVocab, cd, { paddingIdx: PAD_ID });
    this.charConv = new Conv1d(cd, cf, 3, { padding: 1 });
    this.lstm = new LSTM(wd + cf, h, { batchFirst: true, bidirectional: true });
    this.dropout = new Dropout(o.dropout ?? 0.33);
    this.fc = new Linear(2 * h, o.numTags);
    this.crf = o.crf ? new CRF(o.numTags) : null;
  }
  /** x [B, T, 1 + W] → emission scores [B, T, tags]. */
  forward(x: Tensor): Tensor {
    return tidy(() => {
      const [B, T, W1] = x.shape as [number, number, number];
      const words = x.select(2, 0);
      const chars = x.narrow(2, 1, W1 - 1).reshape([B * T, W1 - 1]);
      const ce = this.charEmbed.forward(chars).transpose(1, 2); // [BT, cd, W]
      const cpad = chars.eq(PAD_ID).unsqueeze(1);
      const cfeat = this.charConv.forward(ce).relu().maskedFill(cpad, 0).amax(2).reshape([B, T, -1]);
      const feats = this.dropout.forward(cat([this.wordEmbed.forward(words), cfeat], 2));
      const { output } = this.lstm.forward(feats, { lengths: lengthsOf(words) });
      return this.fc.forward(this.dropout.forward(output));
    });
  }
}
