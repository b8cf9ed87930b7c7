// The dense retriever: one encoder shared by queries and documents (a Siamese bi-encoder, as
// DPR and Sentence-BERT with tied weights), mean-pooled over the real tokens, projected and
// L2-normalised so a dot product is a cosine similarity. "bow" pools word embeddings directly
// (fast on a CPU); "transformer" runs the BERT-style encoder first.
import { arange, type Tensor, tidy } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { Embedding, Linear, Module } from "../../nn/index.js";
import { PAD_ID } from "../models/common.js";
import { BertEncoder } from "../models/transformer-encoder.js";

export type DualEncoderKind = "bow" | "transformer";

export interface DualEncoderOptions {
  kind: DualEncoderKind;
  vocabSize: number;
  dModel: number;
  /** Output embedding size. */
  dim: number;
  numLayers?: number;
  maxLength: number;
}

export class DualEncoder extends Module {
  readonly kind: DualEncoderKind;
  embed: Embedding | null;
  bert: BertEncoder | null;
  proj: Linear;
  constructor(readonly o: DualEncoderOptions) {
    super();
    this.kind = o.kind;
    this.embed = o.kind === "bow" ? new Embedding(o.vocabSize, o.dModel, { paddingIdx: PAD_ID }) : null;
    this.bert =
      o.kind === "transformer"
        ? new BertEncoder({ vocabSize: o.vocabSize, dModel: o.dModel, numLayers: o.numLayers ?? 1, numHeads: 4, maxLength: o.maxLength })
        : null;
    this.proj = new Linear(o.dModel, o.dim);
  }
  /** ids [B, T] (0 = padding) → unit embeddings [B, dim]. */
  forward(ids: Tensor): Tensor {
    return tidy(() => {
      const h = this.bert ? this.bert.forward(ids) : this.embed!.forward(ids);
      const x = h.shape[1]! < ids.shape[1]! ? ids.narrow(1, 0, h.shape[1]!) : ids;
      const m = x.ne(PAD_ID).unsqueeze(2).to(h.dtype);
      const mean = h
        .mul(m)
        .sum({ dim: 1 })
        .div(m.sum({ dim: 1 }).clamp(1));
      const z = this.proj.forward(mean);
      return z.div(z.norm(2, { dim: 1, keepdim: true }).clamp(1e-12));
    });
  }
}

/**
 * InfoNCE with in-batch negatives (Karpukhin et al. 2020, DPR; van den Oord et al. 2018):
 * query i's positive is document i, every other document in the batch is a negative;
 * cross-entropy over the similarities divided by a temperature.
 */
export function inBatchContrastiveLoss(q: Tensor, d: Tensor, temperature: number): Tensor {
  return tidy(() => {
    const logits = q.matmul(d.t()).div(temperature);
    return crossEntropy(logits, arange(q.shape[0]!, undefined, 1, { dtype: "int64" }));
  });
}
