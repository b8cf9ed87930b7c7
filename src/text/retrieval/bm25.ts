// Okapi BM25 (Robertson & Zaragoza 2009, "The Probabilistic Relevance Framework: BM25 and
// Beyond", eq. 3.15 with the Robertson–Spärck Jones idf without relevance information):
//   score(q, d) = Σ_{t ∈ q} idf(t) · tf(t,d)·(k1 + 1) / (tf(t,d) + k1·(1 − b + b·|d|/avgdl))
//   idf(t)      = ln((N − n(t) + 0.5) / (n(t) + 0.5))
// A term in more than half the documents has a negative idf; as rank_bm25's BM25Okapi does,
// such idfs are replaced by ε × the mean idf of the vocabulary (ε = 0.25), so a common word
// never lowers a score. `idf: "lucene"` uses Lucene's ln(1 + (N − n + 0.5)/(n + 0.5)) instead,
// which is always positive. Query terms count once per occurrence in the query (as rank_bm25).
import { FlambeauError } from "../../core/errors.js";

export interface Bm25Options {
  /** Term-frequency saturation (Robertson's k1; default 1.5 as rank_bm25, Lucene uses 1.2). */
  k1?: number;
  /** Length normalisation, 0 (none) … 1 (full); default 0.75. */
  b?: number;
  /** Floor of negative idfs, as a fraction of the mean idf (Robertson idf only; default 0.25). */
  epsilon?: number;
  idf?: "robertson" | "lucene";
}

const OP = "Bm25Index";

/** An inverted index over tokenized documents, scoring queries with Okapi BM25. */
export class Bm25Index {
  readonly k1: number;
  readonly b: number;
  readonly size: number;
  readonly avgdl: number;
  readonly #idf = new Map<string, number>();
  readonly #postings = new Map<string, { doc: Int32Array; tf: Float64Array }>();
  readonly #lengths: Float64Array;

  constructor(docs: readonly (readonly string[])[], o: Bm25Options = {}) {
    this.k1 = o.k1 ?? 1.5;
    this.b = o.b ?? 0.75;
    const epsilon = o.epsilon ?? 0.25;
    if (!(this.k1 >= 0) || !Number.isFinite(this.k1))
      throw new FlambeauError("E_ARG", `${OP}: k1 must be a finite number ≥ 0, got ${this.k1}`, OP);
    if (!(this.b >= 0 && this.b <= 1)) throw new FlambeauError("E_ARG", `${OP}: b must be in [0, 1], got ${this.b}`, OP);
    if (docs.length === 0) throw new FlambeauError("E_ARG", `${OP}: no documents to index`, OP);
    this.size = docs.length;
    this.#lengths = Float64Array.from(docs, (d) => d.length);
    let total = 0;
    for (const l of this.#lengths) total += l;
    this.avgdl = total / docs.length;
    const lists = new Map<string, { doc: number[]; tf: number[] }>();
    docs.forEach((d, i) => {
      const counts = new Map<string, number>();
      for (const t of d) counts.set(t, (counts.get(t) ?? 0) + 1);
      for (const [t, c] of counts) {
        let l = lists.get(t);
        if (!l) lists.set(t, (l = { doc: [], tf: [] }));
        l.doc.push(i);
        l.tf.push(c);
      }
    });
    const N = docs.length;
    let idfSum = 0;
    const negative: string[] = [];
    for (const [t, l] of lists) {
      const n = l.doc.length;
      const idf = o.idf === "lucene" ? Math.log(1 + (N - n + 0.5) / (n + 0.5)) : Math.log((N - n + 0.5) / (n + 0.5));
      this.#idf.set(t, idf);
      idfSum += idf;
      if (idf < 0) negative.push(t);
      this.#postings.set(t, { doc: Int32Array.from(l.doc), tf: Float64Array.from(l.tf) });
    }
    const floor = (epsilon * idfSum) / Math.max(1, lists.size);
    for (const t of negative) this.#idf.set(t, floor);
  }

  /** The idf of a term (0 for a term no document holds). */
  idf(term: string): number {
    return this.#idf.get(term) ?? 0;
  }

  /** BM25 scores of every document for one tokenized query. */
  scores(query: readonly string[]): Float64Array {
    const out = new Float64Array(this.size);
    const { k1, b, avgdl } = this;
    for (const t of query) {
      const p = this.#postings.get(t);
      if (!p) continue;
      const idf = this.#idf.get(t)!;
      for (let j = 0; j < p.doc.length; j++) {
        const d = p.doc[j]!;
        const tf = p.tf[j]!;
        // avgdl is 0 only when every document is empty, and then no term has postings.
        out[d]! += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * this.#lengths[d]!) / avgdl));
      }
    }
    return out;
  }
}
