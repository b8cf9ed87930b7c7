// CIDEr-D (Vedantam et al. 2015) exactly as pycocoevalcap's cider_scorer.py computes it: TF-IDF
// vectors of 1- to 4-grams with document frequencies counted over the reference sets of the
// scored corpus (an n-gram counts once per image), cosine similarity per order with the
// hypothesis weights clipped to the reference's, a Gaussian penalty exp(−δ²/2σ²) on the length
// difference δ (σ = 6), averaged over orders and references and multiplied by 10.
// Kept quirk of the reference code: the "length" it penalises is the number of bigrams of a
// sentence (its `if n == 1` counts order index 1), i.e. words − 1 for sentences of ≥ 2 words.

import { FlambeauError } from "../../core/errors.js";
import { ngramCounts, ngramOrder } from "./ngrams.js";

export interface CiderOptions {
  /** Largest n-gram order (default 4). */
  maxOrder?: number;
  /** σ of the length penalty (default 6). */
  sigma?: number;
}

export interface CiderScore {
  /** The corpus score: the mean of the per-image scores (pycocoevalcap's `CIDEr`). */
  score: number;
  perImage: number[];
}

interface Vec {
  weights: Map<string, number>[];
  norms: number[];
  length: number;
}

const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);

/** CIDEr-D of one hypothesis per image against that image's references (tokenized text). */
export function ciderD(hypotheses: readonly string[], references: readonly (readonly string[])[], o: CiderOptions = {}): CiderScore {
  const n = o.maxOrder ?? 4;
  const sigma = o.sigma ?? 6;
  if (hypotheses.length !== references.length)
    throw new FlambeauError("E_ARG", `ciderD: ${hypotheses.length} hypotheses but ${references.length} reference lists`, "ciderD");
  if (hypotheses.length === 0) throw new FlambeauError("E_ARG", "ciderD: no images to score", "ciderD");
  if (!(sigma > 0)) throw new FlambeauError("E_ARG", `ciderD: sigma must be > 0, got ${sigma}`, "ciderD");
  const refCounts = references.map((refs, i) => {
    if (refs.length === 0) throw new FlambeauError("E_ARG", `ciderD: image ${i} has no reference caption`, "ciderD");
    return refs.map((r) => ngramCounts(words(r), 1, n));
  });
  const df = new Map<string, number>();
  for (const refs of refCounts) {
    const seen = new Set<string>();
    for (const r of refs) for (const k of r.keys()) seen.add(k);
    for (const k of seen) df.set(k, (df.get(k) ?? 0) + 1);
  }
  const logImages = Math.log(references.length);
  const toVec = (counts: Map<string, number>): Vec => {
    const weights = Array.from({ length: n }, () => new Map<string, number>());
    const sq = new Array<number>(n).fill(0);
    let length = 0;
    for (const [k, tf] of counts) {
      const ord = ngramOrder(k) - 1;
      const w = tf * (logImages - Math.log(Math.max(1, df.get(k) ?? 0)));
      weights[ord]!.set(k, w);
      sq[ord]! += w * w;
      if (ord === 1) length += tf;
    }
    return { weights, norms: sq.map(Math.sqrt), length };
  };
  const sim = (h: Vec, r: Vec): number => {
    const delta = h.length - r.length;
    const penalty = Math.exp(-(delta * delta) / (2 * sigma * sigma));
    let total = 0;
    for (let k = 0; k < n; k++) {
      let v = 0;
      for (const [g, w] of h.weights[k]!) {
        const wr = r.weights[k]!.get(g) ?? 0;
        v += Math.min(w, wr) * wr;
      }
      if (h.norms[k] !== 0 && r.norms[k] !== 0) v /= h.norms[k]! * r.norms[k]!;
      total += v * penalty;
    }
    return total / n;
  };
  const perImage = hypotheses.map((h, i) => {
    const hv = toVec(ngramCounts(words(h), 1, n));
    const refs = refCounts[i]!;
    let s = 0;
    for (const r of refs) s += sim(hv, toVec(r));
    return (s / refs.length) * 10;
  });
  return { score: perImage.reduce((a, b) => a + b, 0) / perImage.length, perImage };
}
