// Batches of (source, target) token pairs for the seq2seq Transformers, and their loss: the
// source as it is, the decoder's input <s> + target and its output target + </s>, padded; the
// label-smoothed NLL on log-probabilities (so it holds for the pointer-generator's mixture).
import type { Tensor } from "../../core/index.js";
import { nllLoss } from "../../core/ops/loss.js";
import { type Seq2SeqTransformer, tokenTensor } from "./transformer.js";

export interface Special {
  pad: number;
  bos: number;
  eos: number;
}

/** Encoded pairs: source ids ending in </s>, target ids without <s> or </s>. */
export interface EncodedPair {
  src: number[];
  tgt: number[];
}

/** A batch of pairs: the source, the decoder's input (<s> + target) and its output (target + </s>). */
export interface PairBatch {
  src: Tensor;
  tgtIn: Tensor;
  tgtOut: Tensor;
}

export function pairBatch(data: readonly EncodedPair[], rows: readonly number[], sp: Special): PairBatch {
  return {
    src: tokenTensor(
      rows.map((i) => data[i]!.src),
      sp.pad,
    ),
    tgtIn: tokenTensor(
      rows.map((i) => [sp.bos, ...data[i]!.tgt]),
      sp.pad,
    ),
    tgtOut: tokenTensor(
      rows.map((i) => [...data[i]!.tgt, sp.eos]),
      sp.pad,
    ),
  };
}

/**
 * Mean label-smoothed negative log-likelihood of `tgtOut` under log-probabilities `logp`
 * [N, V], padding ignored: (1 − ε)·NLL + ε·mean_v(−log p_v), PyTorch's cross-entropy
 * smoothing, written on log-probabilities so it holds for the copy mixture too.
 */
export function smoothedNll(logp: Tensor, target: Tensor, pad: number, epsilon: number): Tensor {
  const nll = nllLoss(logp, target, { ignoreIndex: pad });
  if (!epsilon) return nll;
  const keep = target.ne(pad).float();
  const uniform = logp.mean(-1).neg().mul(keep).sum().div(keep.sum().clamp(1));
  return nll.mul(1 - epsilon).add(uniform.mul(epsilon));
}

/** smoothedNll of a pair batch's targets under `model`'s log-probabilities (a pointer-generator's copy mixture included). */
export function pairLoss(model: Seq2SeqTransformer, b: PairBatch, pad: number, epsilon: number): Tensor {
  return smoothedNll(model.forwardLogProbs(b.src, b.tgtIn).view([-1, model.options.vocabSize]), b.tgtOut.view([-1]), pad, epsilon);
}
