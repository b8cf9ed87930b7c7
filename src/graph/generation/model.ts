// The conditional SMILES language model: token embedding ‖ the property's encoding at every
// step → LSTM (its initial state also from the encoding) → next-token logits. The standardised
// property value is encoded by Gaussian radial basis functions (a soft one-hot over value bins,
// which an LSTM uses far more readily than one scalar input) plus a flag for "no condition":
// training drops the condition now and then, so sampling can contrast the conditional and
// unconditional predictions (classifier-free guidance).
import { cat, type Tensor, tensor, tidy, zeros } from "../../core/index.js";
import { Dropout, Embedding, Linear, LSTM, Module } from "../../nn/index.js";
import { PAD } from "./tokens.js";

export interface SmilesLmHyper {
  vocabSize: number;
  embedDim: number;
  hidden: number;
  layers: number;
  dropout: number;
  /** Radial basis functions over the standardised value (−2.5 … 2.5). */
  conditionBins: number;
}

export interface LmState {
  h: Tensor;
  c: Tensor;
}

/** The condition features of standardised values (null: unconditional), [B, bins + 1]. */
export function encodeConditions(values: readonly (number | null)[], bins: number): Tensor {
  const width = bins + 1;
  const out = new Float32Array(values.length * width);
  const step = 5 / (bins - 1);
  values.forEach((z, r) => {
    if (z === null) {
      out[r * width + bins] = 1;
      return;
    }
    for (let k = 0; k < bins; k++) out[r * width + k] = Math.exp(-(((z - (-2.5 + k * step)) / step) ** 2) / 2);
  });
  return tensor(out, { shape: [values.length, width] });
}

export class SmilesLM extends Module {
  readonly hyper: SmilesLmHyper;
  embedding: Embedding;
  init: Linear;
  rnn: LSTM;
  dropout: Dropout;
  head: Linear;

  constructor(h: SmilesLmHyper) {
    super();
    this.hyper = { ...h };
    const c = h.conditionBins + 1;
    this.embedding = new Embedding(h.vocabSize, h.embedDim, { paddingIdx: PAD });
    this.init = new Linear(c, h.layers * h.hidden);
    this.rnn = new LSTM(h.embedDim + c, h.hidden, { numLayers: h.layers, batchFirst: true, dropout: h.layers > 1 ? h.dropout : 0 });
    this.dropout = new Dropout(h.dropout);
    this.head = new Linear(h.hidden, h.vocabSize);
  }

  /** ids [B, T] int64, conditions [B, bins + 1] (encodeConditions) → logits [B, T, V] and the final state. */
  step(ids: Tensor, condition: Tensor, state?: LmState): { logits: Tensor; state: LmState } {
    return tidy(() => {
      const [b, t] = ids.shape as [number, number];
      const { layers, hidden } = this.hyper;
      const e = this.embedding.forward(ids);
      const x = cat([e, condition.unsqueeze(1).expand([b, t, condition.shape[1]!])], 2);
      const h0 = state?.h ?? this.init.forward(condition).tanh().reshape([b, layers, hidden]).transpose(0, 1).contiguous();
      const c0 = state?.c ?? zeros([layers, b, hidden]);
      const out = this.rnn.forward(this.dropout.forward(x), { h0, c0 });
      return { logits: this.head.forward(this.dropout.forward(out.output)), state: { h: out.h, c: out.c } };
    });
  }

  forward(ids: Tensor, condition: Tensor): Tensor {
    return tidy(() => this.step(ids, condition).logits);
  }
}
