// A DrQA-style span reader (Chen et al. 2017, reduced): context words embedded with an
// exact-match feature (is the word in the question), a BiLSTM over the context, a BiLSTM over
// the question mean-pooled into one vector q, and bilinear start and end scores h_t · W q.
import { cat, type Tensor, tidy } from "../../core/index.js";
import { Dropout, Embedding, Linear, LSTM, Module } from "../../nn/index.js";
import { lengthsOf, PAD_ID } from "../models/common.js";

export interface SpanReaderOptions {
  vocabSize: number;
  embedDim: number;
  hidden: number;
  dropout?: number;
}

export class SpanReader extends Module {
  embed: Embedding;
  ctxLstm: LSTM;
  qLstm: LSTM;
  startW: Linear;
  endW: Linear;
  dropout: Dropout;
  constructor(readonly o: SpanReaderOptions) {
    super();
    this.embed = new Embedding(o.vocabSize, o.embedDim, { paddingIdx: PAD_ID });
    this.ctxLstm = new LSTM(o.embedDim + 1, o.hidden, { batchFirst: true, bidirectional: true });
    this.qLstm = new LSTM(o.embedDim, o.hidden, { batchFirst: true, bidirectional: true });
    this.startW = new Linear(2 * o.hidden, 2 * o.hidden, { bias: false });
    this.endW = new Linear(2 * o.hidden, 2 * o.hidden, { bias: false });
    this.dropout = new Dropout(o.dropout ?? 0.2);
  }
  /**
   * ctx [B, T] ids, match [B, T] float (1 where the word is in the question), question [B, L]
   * ids → start and end scores [B, T], padding at −1e4.
   */
  forward(ctx: Tensor, match: Tensor, question: Tensor): { start: Tensor; end: Tensor } {
    return tidy(() => {
      const c = this.dropout.forward(cat([this.embed.forward(ctx), match.unsqueeze(2)], 2));
      const h = this.dropout.forward(this.ctxLstm.forward(c, { lengths: lengthsOf(ctx) }).output);
      const qh = this.qLstm.forward(this.dropout.forward(this.embed.forward(question)), { lengths: lengthsOf(question) }).output;
      const qm = question.ne(PAD_ID).unsqueeze(2).to(qh.dtype);
      const q = qh
        .mul(qm)
        .sum({ dim: 1 })
        .div(qm.sum({ dim: 1 }).clamp(1));
      const pad = ctx.eq(PAD_ID);
      const score = (w: Linear) => h.matmul(w.forward(q).unsqueeze(2)).squeeze(2).maskedFill(pad, -1e4);
      return { start: score(this.startW), end: score(this.endW) };
    });
  }
}

/** The span (s ≤ e < s + maxLength) maximising start[s] + end[e] in one row of scores of valid length n. */
export function bestSpan(start: ArrayLike<number>, end: ArrayLike<number>, n: number, maxLength: number): [number, number] {
  let best: [number, number] = [0, 0];
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let s = 0; s < n; s++)
    for (let e = s; e < Math.min(n, s + maxLength); e++) {
      const v = start[s]! + end[e]!;
      if (v > bestScore) {
        bestScore = v;
        best = [s, e];
      }
    }
  return best;
}
