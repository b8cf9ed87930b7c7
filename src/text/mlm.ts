// Masked-language-model pre-training (BERT's recipe): choose 15% of the real tokens; of those,
// 80% become [MASK], 10% a random token, 10% stay; the loss is cross-entropy on the chosen
// positions only. The pre-trained encoder's weights (`bert.*`) then initialise a classifier.
import { FlambeauError } from "../core/errors.js";
import { rand, randint, type Tensor, tidy } from "../core/index.js";
import { crossEntropy } from "../core/ops/loss.js";
import type { BertClassifier, BertForMaskedLM } from "./models/transformer-encoder.js";

export interface MaskOptions {
  maskId: number;
  vocabSize: number;
  /** Ids never masked (padding, [CLS], [SEP] …); 0 is always one. */
  specialIds?: readonly number[];
  /** Fraction of real tokens chosen (default 0.15). */
  probability?: number;
}

/** Masked inputs and labels (-100 where no prediction is asked) for a [B, T] int64 id batch. */
export function maskTokens(ids: Tensor, o: MaskOptions): { input: Tensor; labels: Tensor } {
  const p = o.probability ?? 0.15;
  if (!(p > 0 && p < 1)) throw new FlambeauError("E_ARG", `maskTokens: probability must be in (0, 1), got ${p}`, "maskTokens");
  return tidy(() => {
    let maskable = ids.ne(0);
    for (const s of o.specialIds ?? []) maskable = maskable.logicalAnd(ids.ne(s));
    const chosen = rand(ids.shape).lt(p).logicalAnd(maskable);
    const r = rand(ids.shape);
    const toMask = chosen.logicalAnd(r.lt(0.8));
    const toRandom = chosen.logicalAnd(r.ge(0.8)).logicalAnd(r.lt(0.9));
    const random = randint(1, o.vocabSize, ids.shape, { dtype: "int64" });
    const input = ids.where(toMask.logicalNot(), o.maskId).where(toRandom.logicalNot(), random);
    const labels = ids.where(chosen, -100);
    return { input, labels };
  });
}

/** Cross-entropy of vocabulary logits [B, T, V] on the masked positions. */
export const mlmLoss = (logits: Tensor, labels: Tensor): Tensor =>
  crossEntropy(logits.reshape([-1, logits.shape[2]!]), labels.reshape([-1]), { ignoreIndex: -100 });

/** Copies a pre-trained encoder into a classifier (both built with the same BertOptions). */
export function transferEncoder(from: BertForMaskedLM, to: BertClassifier): void {
  const sd = new Map([...from.stateDict()].filter(([k]) => k.startsWith("bert.")));
  to.loadStateDict(sd, { strict: false });
}
