// The pointer-generator (See et al. 2017, "Get To The Point") on the seq2seq Transformer:
// at each step a copy attention over the encoder's output says which source token to copy,
// and a learned gate p_gen mixes the vocabulary distribution with the copy distribution,
//   P(w) = p_gen · softmax(logits)_w + (1 − p_gen) · Σ_{s : src_s = w} a_s.
// Source and target share one BPE vocabulary, so copying a source position is adding its
// attention weight to its token id's entry: no extended vocabulary is needed.
// The copy attention is its own single head over the final decoder state rather than an
// average of the last layer's cross-attention heads: the heads stay free to specialise, and
// the copy head's keys are computed once per source when decoding starts.

import type { Tensor } from "../../core/index.js";
import { cat, zeros } from "../../core/index.js";
import { softmax } from "../../core/ops/nn.js";
import { Linear } from "../../nn/index.js";
import { type DecoderState, type Seq2SeqOptions, Seq2SeqTransformer } from "./transformer.js";

/** Probabilities below this are floored before the log (a copy-only token has 0 vocabulary mass only in exact arithmetic). */
const FLOOR = 1e-12;

/**
 * log P(w) of the mixture for every vocabulary entry w: `logits` [B, T, V], copy attention
 * `attn` [B, T, S] (rows sum to 1), gate `pGen` [B, T, 1] in (0, 1), source ids `src` [B, S].
 */
export function copyMixture(logits: Tensor, attn: Tensor, pGen: Tensor, src: Tensor): Tensor {
  const [b, t, v] = logits.shape as [number, number, number];
  const s = src.shape[1]!;
  const index = src.view([b, 1, s]).expand([b, t, s]);
  const copy = zeros([b, t, v], { dtype: logits.dtype }).scatterAdd(2, index, attn.mul(pGen.neg().add(1)));
  return softmax(logits, -1).mul(pGen).add(copy).add(FLOOR).log();
}

export class PointerSeq2Seq extends Seq2SeqTransformer {
  readonly copyQuery: Linear;
  readonly copyKey: Linear;
  /** p_gen from the decoder state and the copy attention's context. */
  readonly gate: Linear;

  constructor(o: Seq2SeqOptions) {
    super(o);
    const d = this.options.dModel;
    this.copyQuery = new Linear(d, d);
    this.copyKey = new Linear(d, d);
    this.gate = new Linear(2 * d, 1);
  }

  /** Copy attention of decoder states `h` [B, T, E] over `memory` [B, S, E] (keys `keys`), `bias` [B, 1, S] → log P [B, T, V]. */
  private mix(h: Tensor, memory: Tensor, keys: Tensor, bias: Tensor, src: Tensor): Tensor {
    const scores = this.copyQuery.forward(h).matmul(keys.transpose(1, 2)).div(Math.sqrt(this.options.dModel)).add(bias);
    const attn = softmax(scores, -1);
    const pGen = this.gate.forward(cat([h, attn.matmul(memory)], -1)).sigmoid();
    return copyMixture(this.project(h), attn, pGen, src);
  }

  override forwardLogProbs(src: Tensor, tgtIn: Tensor): Tensor {
    const { h, memory, padding } = this.decodeHidden(src, tgtIn);
    const bias = padding.float().mul(-1e9).unsqueeze(1);
    return this.mix(h, memory, this.copyKey.forward(memory), bias, src);
  }

  /** The mixture's log-probabilities: as logits they give the same softmax, so callers of the plain model's API copy too. */
  override forward(src: Tensor, tgtIn: Tensor): Tensor {
    return this.forwardLogProbs(src, tgtIn);
  }

  override step(s: DecoderState, ids: Tensor): Tensor {
    return this.stepLogProbs(s, ids);
  }

  override startDecoding(src: Tensor): DecoderState {
    const s = super.startDecoding(src);
    // A copy: the state owns (and frees) its tensors, the caller keeps its own source.
    return { ...s, src: src.clone(), copyKeys: this.copyKey.forward(s.memory) };
  }

  override stepLogProbs(s: DecoderState, ids: Tensor): Tensor {
    const h = this.stepHidden(s, ids);
    const [b, , , n] = s.memoryBias.shape as [number, number, number, number];
    return this.mix(h, s.memory, s.copyKeys!, s.memoryBias.view([b, 1, n]), s.src!).squeeze(1);
  }
}

/** The plain or the pointer-generator model for a saved configuration. */
export const seq2seqModel = (hyper: Seq2SeqOptions & { pointer?: boolean }): Seq2SeqTransformer =>
  hyper.pointer ? new PointerSeq2Seq(hyper) : new Seq2SeqTransformer(hyper);
