// The re-ranker: a kernel-pooling interaction model (K-NRM, Xiong et al. 2017, "End-to-End
// Neural Ad-hoc Ranking with Kernel Pooling") that reads a question and a candidate answer
// together, as a cross-encoder does, at a fraction of a Transformer's cost on a CPU. Every
// question word is compared with every answer word (cosine of learned embeddings); 11 RBF
// kernels turn each question word's row of similarities into soft match counts (μ = 1 with
// σ = 10⁻³ counts exact matches, μ = 0.9 … −0.9 with σ = 0.1 count softer ones), summed over
// the answer's words and squashed with log(1 + ·); the question words are weighted by DRMM's
// term gate (Guo et al. 2016: a softmax over the words of a learned score of the embedding
// and of the word's idf in the candidate pool), and a linear layer maps the 11 pooled
// features and the answer's log length (BM25's length normalisation, learned) to the logit. Trained listwise: softmax cross-entropy over one positive
// and its hard negatives (Gao et al. 2021, "Rethink Training of BERT Rerankers", LCE).
import { cat, type Tensor, tensor, tidy } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { Embedding, Linear, Module } from "../../nn/index.js";
import { PAD_ID } from "../models/common.js";

/** The kernels' centres and widths: exact match, then ten soft-match bins from 0.9 down to −0.9. */
export const KERNEL_MUS = [1, 0.9, 0.7, 0.5, 0.3, 0.1, -0.1, -0.3, -0.5, -0.7, -0.9] as const;
export const KERNEL_SIGMAS = [1e-3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1] as const;

/** Token id of unknown words: two different unknown words must not count as an exact match. */
const UNK_ID = 1;

/**
 * Soft term frequencies: sim [..., Lq, Ld] (question word × answer word cosines), docMask
 * [..., Ld] (1 for real answer words) → [..., Lq, K], where entry k of question word i is
 * Σ_j mask_j · exp(−(sim_ij − μ_k)² / (2σ_k²)).
 */
export function kernelPooling(
  sim: Tensor,
  docMask: Tensor,
  mus: readonly number[] = KERNEL_MUS,
  sigmas: readonly number[] = KERNEL_SIGMAS,
): Tensor {
  return tidy(() => {
    const K = mus.length;
    const mu = tensor(Float64Array.from(mus), { shape: [K] }).to(sim.dtype);
    const inv = tensor(
      Float64Array.from(sigmas, (s) => 1 / (2 * s * s)),
      { shape: [K] },
    ).to(sim.dtype);
    const k = sim.unsqueeze(-1).sub(mu).square().mul(inv).neg().exp();
    return k.mul(docMask.unsqueeze(-2).unsqueeze(-1)).sum({ dim: -2 });
  });
}

export interface KernelRerankerOptions {
  vocabSize: number;
  embedDim: number;
}

export class KernelReranker extends Module {
  embed: Embedding;
  /** The term gate's score of a question word's embedding; its idf enters through `idfWeight`. */
  gate: Linear;
  idfGate: Linear;
  out: Linear;
  constructor(readonly o: KernelRerankerOptions) {
    super();
    this.embed = new Embedding(o.vocabSize, o.embedDim, { paddingIdx: PAD_ID });
    this.gate = new Linear(o.embedDim, 1);
    this.idfGate = new Linear(1, 1, { bias: false });
    this.out = new Linear(KERNEL_MUS.length + 1, 1);
  }

  /** Everything but the word embeddings (the head learns faster than the embeddings it reads). */
  headParameters(): Tensor[] {
    return [...this.gate.parameters(), ...this.idfGate.parameters(), ...this.out.parameters()];
  }

  /**
   * q [B, Lq] question ids, qIdf [B, Lq] each question word's normalised idf, d [B, C, Ld]
   * the ids of C candidate answers per question → relevance logits [B, C].
   */
  forward(q: Tensor, qIdf: Tensor, d: Tensor): Tensor {
    return tidy(() => {
      const [B, C, Ld] = d.shape as [number, number, number];
      const unit = (x: Tensor) => x.div(x.norm(2, { dim: -1, keepdim: true }).clamp(1e-6));
      const qe = this.embed.forward(q);
      const de = unit(this.embed.forward(d.reshape(B * C, Ld))).reshape(B, C, Ld, this.o.embedDim);
      const sim = unit(qe).unsqueeze(1).matmul(de.transpose(-1, -2));
      const dMask = d.gt(UNK_ID).to(sim.dtype);
      const tf = kernelPooling(sim, dMask).log1p();
      const qMask = q.gt(UNK_ID);
      const g = this.gate
        .forward(qe)
        .squeeze(-1)
        .add(this.idfGate.forward(qIdf.unsqueeze(-1)).squeeze(-1))
        .maskedFill(qMask.logicalNot(), -1e9)
        .softmax(1);
      const phi = tf.mul(g.unsqueeze(1).unsqueeze(-1)).sum({ dim: 2 });
      const len = dMask.sum({ dim: -1, keepdim: true }).log1p().div(Math.log1p(Ld));
      return this.out.forward(cat([phi, len], -1)).squeeze(-1);
    });
  }
}

/** Listwise softmax cross-entropy over each row's candidates, the positive first: logits [B, C]. */
export function listwiseLoss(logits: Tensor): Tensor {
  return tidy(() => crossEntropy(logits, tensor(new BigInt64Array(logits.shape[0]!), { shape: [logits.shape[0]!] })));
}

/**
 * Normalised idf of every vocabulary id over a pool of tokenized documents:
 * ln(1 + (N − n + 0.5)/(n + 0.5)) / ln(1 + (N + 0.5)/0.5), so 1 for a word in no document
 * and near 0 for one in all of them, on the same scale whatever the pool's size.
 */
export function idfTable(docs: readonly (readonly number[])[], vocabSize: number): Float32Array {
  const df = new Float64Array(vocabSize);
  for (const d of docs) for (const id of new Set(d)) df[id]! += 1;
  const N = docs.length;
  const top = Math.log(1 + (N + 0.5) / 0.5);
  return Float32Array.from(df, (n) => Math.log(1 + (N - n + 0.5) / (n + 0.5)) / top);
}
