// The conditional SMILES language model: token embedding ‖ the standardised property value at
// every step → LSTM → next-token logits. Feeding the value at each step (rather than only as a
// first token) keeps the condition in view through long strings.
import { cat, type Tensor, tidy } from "../../core/index.js";
import { Dropout, Embedding, Linear, LSTM, Module } from "../../nn/index.js";
import { PAD } from "./tokens.js";

export interface SmilesLmHyper {
  vocabSize: number;
  embedDim: number;
  hidden: number;
  layers: number;
  dropout: number;
}

export interface LmState {
  h: Tensor;
  c: Tensor;
}

export class SmilesLM extends Module {
  readonly hyper: SmilesLmHyper;
  embedding: Embedding;
  rnn: LSTM;
  dropout: Dropout;
  head: Linear;

  constructor(h: SmilesLmHyper) {
    super();
    this.hyper = { ...h };
    this.embedding = new Embedding(h.vocabSize, h.embedDim, { paddingIdx: PAD });
    this.rnn = new LSTM(h.embedDim + 1, h.hidden, { numLayers: h.layers, batchFirst: true, dropout: h.layers > 1 ? h.dropout : 0 });
    this.dropout = new Dropout(h.dropout);
    this.head = new Linear(h.hidden, h.vocabSize);
  }

  /** ids [B, T] int64, condition [B] (standardised property) → logits [B, T, V] and the final state. */
  step(ids: Tensor, condition: Tensor, state?: LmState): { logits: Tensor; state: LmState } {
    return tidy(() => {
      const [b, t] = ids.shape as [number, number];
      const e = this.embedding.forward(ids);
      const x = cat([e, condition.reshape([b, 1, 1]).expand([b, t, 1])], 2);
      const out = this.rnn.forward(this.dropout.forward(x), state ? { h0: state.h, c0: state.c } : {});
      return { logits: this.head.forward(this.dropout.forward(out.output)), state: { h: out.h, c: out.c } };
    });
  }

  forward(ids: Tensor, condition: Tensor): Tensor {
    return tidy(() => this.step(ids, condition).logits);
  }
}
