// The n-gram baseline over event tokens: P(x | previous n−1 tokens) with add-k smoothing over
// the vocabulary, counted over sequences that each start with their style token, so the style
// is context for the first events and every order (n = 1 is the unigram model). Its negative
// log-likelihood is scored on exactly the windows the Transformer is scored on, and it samples
// pieces for the same statistics.
import { FlambeauError } from "../../core/errors.js";

export interface NgramModel {
  order: number;
  k: number;
  vocab: number;
  counts: Map<string, Map<number, number>>;
  totals: Map<string, number>;
}

const key = (seq: readonly number[], t: number, order: number) => (order === 1 ? "" : seq.slice(Math.max(0, t - order + 1), t).join(","));

/** Counts n-grams of every sequence (the first token is context only: it is given, not predicted). */
export function fitNgram(seqs: readonly (readonly number[])[], order: number, vocab: number, k = 0.01): NgramModel {
  if (!Number.isInteger(order) || order < 1)
    throw new FlambeauError("E_ARG", `fitNgram: order must be an integer ≥ 1, got ${order}`, "fitNgram");
  if (!(k > 0)) throw new FlambeauError("E_ARG", `fitNgram: smoothing k must be > 0, got ${k}`, "fitNgram");
  const counts = new Map<string, Map<number, number>>();
  const totals = new Map<string, number>();
  for (const s of seqs)
    for (let t = 1; t < s.length; t++) {
      const c = key(s, t, order);
      let m = counts.get(c);
      if (!m) counts.set(c, (m = new Map()));
      m.set(s[t]!, (m.get(s[t]!) ?? 0) + 1);
      totals.set(c, (totals.get(c) ?? 0) + 1);
    }
  return { order, k, vocab, counts, totals };
}

/** ln P(seq[t] | context) under the smoothed model. */
export function ngramLogProb(m: NgramModel, seq: readonly number[], t: number): number {
  const c = key(seq, t, m.order);
  const n = m.counts.get(c)?.get(seq[t]!) ?? 0;
  return Math.log((n + m.k) / ((m.totals.get(c) ?? 0) + m.k * m.vocab));
}

/** Mean negative log-likelihood (nats per token) of every token after the first of each sequence. */
export function ngramNll(m: NgramModel, seqs: readonly (readonly number[])[]): { nll: number; tokens: number } {
  let s = 0;
  let n = 0;
  for (const q of seqs)
    for (let t = 1; t < q.length; t++) {
      s -= ngramLogProb(m, q, t);
      n++;
    }
  return { nll: s / Math.max(1, n), tokens: n };
}

/** Samples `length` tokens after `prompt` (excluded tokens get no probability); `random` in [0, 1). */
export function sampleNgram(
  m: NgramModel,
  prompt: readonly number[],
  length: number,
  random: () => number,
  o: { exclude?: (id: number) => boolean; stop?: (seq: readonly number[]) => boolean } = {},
): number[] {
  const seq = [...prompt];
  const w = new Float64Array(m.vocab);
  while (seq.length - prompt.length < length && !o.stop?.(seq)) {
    const c = key([...seq, 0], seq.length, m.order);
    const counts = m.counts.get(c);
    let total = 0;
    for (let v = 0; v < m.vocab; v++) {
      w[v] = o.exclude?.(v) ? 0 : (counts?.get(v) ?? 0) + m.k;
      total += w[v]!;
    }
    let r = random() * total;
    let v = 0;
    while (v < m.vocab - 1 && (r -= w[v]!) >= 0) v++;
    seq.push(v);
  }
  return seq.slice(prompt.length);
}
