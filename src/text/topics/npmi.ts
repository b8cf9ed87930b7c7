// Topic coherence by normalised pointwise mutual information (Bouma 2009; as Lau, Newman &
// Baldwin 2014 and Röder et al. 2015's C_NPMI use it): for a topic's top N words, the mean
// over word pairs of NPMI(wi, wj) = ln(P(wi, wj) / (P(wi) P(wj))) / −ln P(wi, wj), where
// P(w) and P(wi, wj) are the fractions of reference documents holding w, and both words
// (boolean document co-occurrence). A pair never seen together scores −1, NPMI's limit as
// P(wi, wj) → 0; a pair with a word the reference corpus lacks scores −1 as well.
// Topic diversity (Dieng et al. 2020): distinct words among all topics' top 25 over 25·K.
import { FlambeauError } from "../../core/errors.js";

/** Document frequencies of single words and word pairs over a reference corpus of word sets. */
export class CooccurrenceCounts {
  readonly documents: number;
  readonly #postings = new Map<string, Set<number>>();
  constructor(docs: readonly (readonly string[])[]) {
    this.documents = docs.length;
    docs.forEach((d, i) => {
      for (const w of d) {
        let p = this.#postings.get(w);
        if (!p) this.#postings.set(w, (p = new Set()));
        p.add(i);
      }
    });
  }
  df(w: string): number {
    return this.#postings.get(w)?.size ?? 0;
  }
  jointDf(a: string, b: string): number {
    const pa = this.#postings.get(a);
    const pb = this.#postings.get(b);
    if (!pa || !pb) return 0;
    const [small, large] = pa.size < pb.size ? [pa, pb] : [pb, pa];
    let n = 0;
    for (const d of small) if (large.has(d)) n++;
    return n;
  }
}

/** NPMI of one word pair. */
export function npmi(c: CooccurrenceCounts, a: string, b: string): number {
  const n = c.documents;
  const joint = c.jointDf(a, b);
  if (joint === 0) return -1;
  const pj = joint / n;
  // Always together in every document: PMI 0 over −ln 1 = 0; NPMI's value there is 1.
  if (pj === 1) return 1;
  return Math.log(pj / ((c.df(a) / n) * (c.df(b) / n))) / -Math.log(pj);
}

/** Mean NPMI over the pairs of each topic's first `top` words, and its mean over topics. */
export function npmiCoherence(
  topics: readonly (readonly string[])[],
  c: CooccurrenceCounts,
  top = 10,
): { perTopic: number[]; mean: number } {
  if (topics.length === 0) throw new FlambeauError("E_ARG", "npmiCoherence: no topics", "npmi");
  if (c.documents === 0) throw new FlambeauError("E_ARG", "npmiCoherence: the reference corpus is empty", "npmi");
  const perTopic = topics.map((t, k) => {
    const w = t.slice(0, top);
    if (w.length < 2) throw new FlambeauError("E_ARG", `npmiCoherence: topic ${k} has ${w.length} words; pairs need 2`, "npmi");
    let s = 0;
    let pairs = 0;
    for (let i = 0; i < w.length; i++)
      for (let j = i + 1; j < w.length; j++) {
        s += npmi(c, w[i]!, w[j]!);
        pairs++;
      }
    return s / pairs;
  });
  return { perTopic, mean: perTopic.reduce((a, b) => a + b, 0) / perTopic.length };
}

/** Distinct words among the topics' first `top` words over top × topics. */
export function topicDiversity(topics: readonly (readonly string[])[], top = 25): number {
  const words = topics.flatMap((t) => t.slice(0, top));
  return words.length ? new Set(words).size / words.length : Number.NaN;
}
