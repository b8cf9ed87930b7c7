// The four networks of a style-transfer model, saved as one state dict: the style-conditioned
// encoder–decoder that rewrites (Lample et al. 2019: one Transformer, the target style as the
// decoder's first token), the style classifier (bag-of-words logistic regression) and one causal
// language model per style for fluency. Plus what they share: the word vocabulary, the input noise
// of the denoising auto-encoder, and batched transfer, classification and scoring.
import { noGrad, type Tensor, tidy } from "../../core/index.js";
import { nllLoss } from "../../core/ops/loss.js";
import type { Random } from "../../data/random.js";
import { Module } from "../../nn/index.js";
import { BowLogistic } from "../models/bow-logistic.js";
import { greedyDecode } from "../seq2seq/decode.js";
import { CausalLM } from "../seq2seq/language-model.js";
import { Seq2SeqTransformer, tokenTensor } from "../seq2seq/transformer.js";
import { Vocab } from "../vocab.js";
import type { Style } from "./corpora.js";

/** Ids 0–5 of every style vocabulary. */
export const SPECIALS = ["<pad>", "<unk>", "<s>", "</s>", "<kjv>", "<modern>"] as const;
export const PAD = 0;
export const UNK = 1;
export const BOS = 2;
export const EOS = 3;
export const styleToken = (s: Style): number => (s === "kjv" ? 4 : 5);
/** Classifier classes: 0 kjv, 1 modern. */
export const styleClass = (s: Style): number => (s === "kjv" ? 0 : 1);
export const MAX_TOKENS = 30;

export interface StyleHyper {
  vocabSize: number;
  dModel: number;
  layers: number;
  dimFeedforward: number;
  lmDModel: number;
  lmLayers: number;
}

export class StyleSystem extends Module {
  readonly transfer: Seq2SeqTransformer;
  readonly classifier: BowLogistic;
  readonly lmKjv: CausalLM;
  readonly lmModern: CausalLM;

  constructor(readonly hyper: StyleHyper) {
    super();
    const { vocabSize, dModel, layers, dimFeedforward } = hyper;
    this.transfer = new Seq2SeqTransformer({
      vocabSize,
      padId: PAD,
      dModel,
      nhead: 4,
      encoderLayers: layers,
      decoderLayers: layers,
      dimFeedforward,
      maxLength: 2 * MAX_TOKENS + 8,
    });
    this.classifier = new BowLogistic({ vocabSize, numClasses: 2 });
    const lm = { vocabSize, padId: PAD, dModel: hyper.lmDModel, nhead: 2, layers: hyper.lmLayers, dimFeedforward: 2 * hyper.lmDModel };
    this.lmKjv = new CausalLM({ ...lm, maxLength: 2 * MAX_TOKENS + 8 });
    this.lmModern = new CausalLM({ ...lm, maxLength: 2 * MAX_TOKENS + 8 });
  }

  /** The rewriting model's teacher-forced logits (the part that `forward` means for this container). */
  forward(src: Tensor, tgtIn: Tensor): Tensor {
    return this.transfer.forward(src, tgtIn);
  }

  lm(style: Style): CausalLM {
    return style === "kjv" ? this.lmKjv : this.lmModern;
  }
}

export const buildVocab = (sentences: readonly (readonly string[])[], maxSize = 12000): Vocab =>
  Vocab.build(sentences, { specials: SPECIALS, minFreq: 2, maxSize });

/**
 * Lample et al.'s noise: each word dropped with probability `drop` (one always stays), then
 * a local shuffle in which no word moves more than `k` places (sort by i + U(0, k + 1)).
 */
export function noise(ids: readonly number[], rng: Random, drop = 0.1, k = 3): number[] {
  let kept = ids.filter(() => rng.nextFloat() >= drop);
  if (kept.length === 0 && ids.length) kept = [ids[rng.int(ids.length)]!];
  const keys = kept.map((_, i) => i + rng.nextFloat() * (k + 1));
  return kept
    .map((_, i) => i)
    .sort((a, b) => keys[a]! - keys[b]!)
    .map((i) => kept[i]!);
}

/**
 * Rewrites each id list into style `to` (greedy decoding; batches of 64). `noRepeatNgram` blocks
 * repeated n-grams (0: off, what back-translation uses in training; 3 when scoring and predicting).
 */
export function transferIds(model: Seq2SeqTransformer, sources: readonly (readonly number[])[], to: Style, noRepeatNgram = 0): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < sources.length; i += 64) {
    const rows = sources.slice(i, i + 64).map((r) => [...r.slice(0, MAX_TOKENS), EOS]);
    const longest = Math.max(...rows.map((r) => r.length));
    const src = tokenTensor(rows, PAD);
    out.push(
      ...greedyDecode(model, src, { bos: styleToken(to), eos: EOS, maxLength: Math.min(MAX_TOKENS + 6, longest + 8), noRepeatNgram }),
    );
    src.dispose();
  }
  return out;
}

/**
 * Puts the source's out-of-vocabulary words back in order where the output has <unk>
 * (Luong et al. 2015's unknown-word replacement, by position rather than attention).
 */
export function replaceUnknowns(output: readonly string[], source: readonly string[], vocab: Vocab): string[] {
  const oov = source.filter((w) => !vocab.has(w));
  let k = 0;
  return output.map((w) => (w === "<unk>" ? (oov[k++] ?? w) : w));
}

/** The classifier's style of each id list. */
export function classify(classifier: BowLogistic, ids: readonly (readonly number[])[]): Style[] {
  const out: Style[] = [];
  noGrad(() => {
    for (let i = 0; i < ids.length; i += 256) {
      const rows = ids.slice(i, i + 256).map((r) => (r.length ? r : [UNK]));
      const p = tidy(() => classifier.forward(tokenTensor(rows, PAD)).argmax(1).data() as BigInt64Array);
      for (const v of p) out.push(v === 0n ? "kjv" : "modern");
    }
  });
  return out;
}

/** A language-model batch: <s> + ids as input, ids + </s> as target. */
export function lmBatch(rows: readonly (readonly number[])[]): { x: Tensor; y: Tensor } {
  return {
    x: tokenTensor(
      rows.map((r) => [BOS, ...r.slice(0, MAX_TOKENS)]),
      PAD,
    ),
    y: tokenTensor(
      rows.map((r) => [...r.slice(0, MAX_TOKENS), EOS]),
      PAD,
    ),
  };
}

/** Mean token NLL of a language-model batch (the training loss). */
export const lmLoss = (lm: CausalLM, b: { x: Tensor; y: Tensor }): Tensor =>
  nllLoss(lm.forward(b.x).logSoftmax(-1).view([-1, lm.options.vocabSize]), b.y.view([-1]), { ignoreIndex: PAD });

/** Each id list's total NLL (its </s> included) and token count under `lm`. */
export function lmNll(lm: CausalLM, ids: readonly (readonly number[])[]): { total: number; tokens: number }[] {
  const out: { total: number; tokens: number }[] = [];
  noGrad(() => {
    for (let i = 0; i < ids.length; i += 128) {
      const rows = ids.slice(i, i + 128);
      const nll = tidy(() => {
        const b = lmBatch(rows);
        const lp = lm.forward(b.x).logSoftmax(-1);
        const picked = lp.gather(2, b.y.unsqueeze(2)).squeeze(2).neg();
        return picked.mul(b.y.ne(PAD).float()).sum({ dim: 1 }).data() as Float32Array;
      });
      rows.forEach((r, k) => out.push({ total: nll[k]!, tokens: Math.min(r.length, MAX_TOKENS) + 1 }));
    }
  });
  return out;
}
