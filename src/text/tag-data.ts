// Tagged sentences → tensors for the tagger: lowercased, digit-folded word ids and the
// original characters of each word (capitals and suffixes carry most of a tag's evidence),
// packed as one int64 tensor [B, T, 1 + W]; tags [B, T] with -100 on padding.
import { tensor } from "../core/index.js";
import { IGNORE_INDEX } from "../core/ops/loss.js";
import { epochBatches, lengthBuckets } from "../data/epoch-batches.js";
import { permutation } from "../data/random.js";
import type { Batch } from "../train/trainer.js";
import type { TaggedSentence } from "./readers.js";
import { normalizeText } from "./tokenizers/word-level.js";
import type { Vocab } from "./vocab.js";

export const IGNORE_TAG = IGNORE_INDEX;
/** Characters kept per word: the first and last half of this many (prefix and suffix). */
export const MAX_WORD_CHARS = 16;

/** Lowercased (per character), ASCII digits folded to 0: the word tokenizer's "lowercase-digits". */
export const normWord = (w: string): string => normalizeText(w, "lowercase-digits");

export function wordChars(w: string): string[] {
  const c = Array.from(w);
  const h = MAX_WORD_CHARS / 2;
  return c.length <= MAX_WORD_CHARS ? c : [...c.slice(0, h), ...c.slice(-h)];
}

export interface EncodedSentence {
  words: number[];
  chars: number[][];
  tags: number[];
}

export function encodeSentences(
  sents: readonly { tokens: readonly string[]; tags?: readonly string[] }[],
  words: Vocab,
  chars: Vocab,
  tagIds?: ReadonlyMap<string, number>,
): EncodedSentence[] {
  return sents.map((s) => ({
    words: s.tokens.map((t) => words.id(normWord(t))),
    chars: s.tokens.map((t) => chars.encode(wordChars(t))),
    tags: s.tags && tagIds ? s.tags.map((t) => tagIds.get(t) ?? IGNORE_TAG) : s.tokens.map(() => IGNORE_TAG),
  }));
}

/** Packs sentences into x [B, T, 1 + W] and y [B, T]. */
export function packSentences(batch: readonly EncodedSentence[]): Batch {
  const T = Math.max(1, ...batch.map((s) => s.words.length));
  const W = Math.max(1, ...batch.flatMap((s) => s.chars.map((c) => c.length)));
  const x = new BigInt64Array(batch.length * T * (1 + W));
  const y = new BigInt64Array(batch.length * T).fill(BigInt(IGNORE_TAG));
  batch.forEach((s, b) => {
    s.words.forEach((w, t) => {
      const at = (b * T + t) * (1 + W);
      x[at] = BigInt(w);
      s.chars[t]!.forEach((c, k) => {
        x[at + 1 + k] = BigInt(c);
      });
      y[b * T + t] = BigInt(s.tags[t]!);
    });
  });
  return [tensor(x, { shape: [batch.length, T, 1 + W] }), tensor(y, { shape: [batch.length, T] })];
}

/** Length-bucketed batches (sorted within windows of 50 batches), reshuffled each epoch. */
export function tagBatches(sents: readonly EncodedSentence[], o: { batchSize: number; shuffle: boolean; seed: number }) {
  const lengths = sents.map((s) => s.words.length);
  return epochBatches(
    (e) => lengthBuckets(lengths, o.batchSize, o.shuffle ? { examples: o.seed + 1000 * e, batches: o.seed + 7 + 1000 * e } : undefined),
    (b) => packSentences(b.map((i) => sents[i]!)),
  );
}

export function takeSentences(s: readonly TaggedSentence[], n: number, seed = 0): TaggedSentence[] {
  if (n >= s.length) return [...s];
  return Array.from(permutation(s.length, seed).subarray(0, n), (i) => s[i]!);
}
