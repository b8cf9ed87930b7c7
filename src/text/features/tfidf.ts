// TF-IDF of word n-grams (Salton & Buckley 1988; scikit-learn's TfidfVectorizer defaults
// where they matter: smooth idf = ln((1 + N) / (1 + df)) + 1, sublinear tf optional, rows
// L2-normalised), the hand-made text feature of the shallow baselines.

import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tensor } from "../../core/index.js";
import { wordTokenize } from "../vocab.js";

export interface TfidfOptions {
  /** n-gram orders, inclusive; default [1, 2]. */
  ngramRange?: readonly [number, number];
  /** Keep the n-grams in at least this many documents (default 2). */
  minDf?: number;
  /** Keep at most this many n-grams, the most frequent by document count (default 20,000). */
  maxFeatures?: number;
  /** tf → 1 + ln(tf) (default true). */
  sublinearTf?: boolean;
  lowercase?: boolean;
}

function ngrams(text: string, [lo, hi]: readonly [number, number], lowercase: boolean): string[] {
  const w = wordTokenize(lowercase ? text.toLowerCase() : text);
  const out: string[] = [];
  for (let n = lo; n <= hi; n++) for (let i = 0; i + n <= w.length; i++) out.push(w.slice(i, i + n).join(" "));
  return out;
}

export class TfidfVectorizer {
  readonly vocabulary = new Map<string, number>();
  idf: Float32Array = new Float32Array(0);
  readonly o: Required<TfidfOptions>;

  constructor(o: TfidfOptions = {}) {
    this.o = { ngramRange: [1, 2], minDf: 2, maxFeatures: 20000, sublinearTf: true, lowercase: true, ...o };
    const [lo, hi] = this.o.ngramRange;
    if (!(Number.isSafeInteger(lo) && Number.isSafeInteger(hi) && lo >= 1 && hi >= lo))
      throw new FlambeauError("E_ARG", `TfidfVectorizer: ngramRange must be [lo, hi] with 1 ≤ lo ≤ hi, got [${lo}, ${hi}]`);
  }

  fit(texts: readonly string[]): this {
    if (texts.length === 0) throw new FlambeauError("E_ARG", "TfidfVectorizer.fit: no texts");
    const df = new Map<string, number>();
    for (const t of texts) for (const g of new Set(ngrams(t, this.o.ngramRange, this.o.lowercase))) df.set(g, (df.get(g) ?? 0) + 1);
    const kept = [...df]
      .filter(([, c]) => c >= this.o.minDf)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, this.o.maxFeatures);
    this.vocabulary.clear();
    this.idf = new Float32Array(kept.length);
    kept.forEach(([g, c], i) => {
      this.vocabulary.set(g, i);
      this.idf[i] = Math.log((1 + texts.length) / (1 + c)) + 1;
    });
    return this;
  }

  /** [N, F] float32, one L2-normalised row per text. */
  transform(texts: readonly string[]): Tensor {
    const f = this.vocabulary.size;
    if (f === 0) throw new FlambeauError("E_STATE", "TfidfVectorizer.transform: fit it first (or no n-gram reached minDf)");
    const out = new Float32Array(texts.length * f);
    texts.forEach((t, r) => {
      const tf = new Map<number, number>();
      for (const g of ngrams(t, this.o.ngramRange, this.o.lowercase)) {
        const j = this.vocabulary.get(g);
        if (j !== undefined) tf.set(j, (tf.get(j) ?? 0) + 1);
      }
      let norm = 0;
      for (const [j, c] of tf) {
        const v = (this.o.sublinearTf ? 1 + Math.log(c) : c) * this.idf[j]!;
        out[r * f + j] = v;
        norm += v * v;
      }
      if (norm > 0) for (const j of tf.keys()) out[r * f + j]! /= Math.sqrt(norm);
    });
    return tensor(out, { shape: [texts.length, f] });
  }
}
