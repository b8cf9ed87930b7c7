// Character n-grams of words as hashed features (fastText's subwords, Bojanowski et al. 2017):
// a word is also the bag of its boundary-marked n-grams ("<paket", "paket", …), so a word the
// vocabulary never kept — a German compound, a new inflection — still shares features with
// the words it is built from. Hashing into a fixed number of buckets needs no n-gram vocabulary.
import { FlambeauError } from "../core/errors.js";

/** FNV-1a, 32 bits, over a string's UTF-16 code units. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The n-grams (minN ≤ n ≤ maxN) of `<word>`, in order, repeats kept. */
export function charNgrams(word: string, minN = 3, maxN = 5): string[] {
  const w = `<${word}>`;
  const out: string[] = [];
  for (let n = minN; n <= maxN; n++) for (let i = 0; i + n <= w.length; i++) out.push(w.slice(i, i + n));
  return out;
}

/**
 * The distinct hashed n-gram buckets (0 … buckets − 1) of a text's words, in first-seen order,
 * at most `max` of them.
 */
export function ngramBuckets(words: readonly string[], buckets: number, max: number): number[] {
  if (!Number.isSafeInteger(buckets) || buckets < 1)
    throw new FlambeauError("E_ARG", `ngramBuckets: buckets must be a positive integer, got ${buckets}`, "ngramBuckets");
  const seen = new Set<number>();
  for (const w of words)
    for (const g of charNgrams(w)) {
      if (seen.size >= max) return [...seen];
      seen.add(fnv1a(g) % buckets);
    }
  return [...seen];
}
