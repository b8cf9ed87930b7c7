// A character n-gram language model over the CTC alphabet (space, a–z, apostrophe) plus an
// end-of-sentence symbol, trained on transcripts: interpolated absolute discounting
// (Kneser–Ney's interpolation with raw lower-order counts), backing off to a uniform
// distribution. Contexts are padded with a start symbol, so it scores sentence openings.
import { FlambeauError } from "../../core/errors.js";
import { normalizeTranscript } from "../metrics/asr.js";
import { CTC_CHARS } from "./alphabet.js";

const BOS = "^";
/** The end-of-sentence symbol the beam search scores at the end of a hypothesis. */
export const LM_EOS = "$";
const VOCAB = `${CTC_CHARS}${LM_EOS}`;

export interface CharLmJson {
  order: number;
  discount: number;
  /** context → { next symbol → count } for every context length 0…order−1. */
  counts: Record<string, Record<string, number>>;
}

export class CharNgramLM {
  readonly order: number;
  readonly discount: number;
  readonly #counts: Map<string, Map<string, number>>;
  readonly #totals = new Map<string, { total: number; types: number }>();
  readonly #cache = new Map<string, number>();

  private constructor(order: number, discount: number, counts: Map<string, Map<string, number>>) {
    this.order = order;
    this.discount = discount;
    this.#counts = counts;
    for (const [h, m] of counts) {
      let total = 0;
      for (const c of m.values()) total += c;
      this.#totals.set(h, { total, types: m.size });
    }
  }

  /** Counts every n-gram (n ≤ order) of the normalised transcripts. */
  static train(texts: readonly string[], o: { order?: number; discount?: number } = {}): CharNgramLM {
    const order = o.order ?? 6;
    const discount = o.discount ?? 0.75;
    if (!Number.isInteger(order) || order < 1 || order > 12)
      throw new FlambeauError("E_ARG", `CharNgramLM: order must be an integer in 1…12, got ${order}`, "CharNgramLM");
    if (!(discount > 0 && discount < 1))
      throw new FlambeauError("E_ARG", `CharNgramLM: discount must be in (0, 1), got ${discount}`, "CharNgramLM");
    const counts = new Map<string, Map<string, number>>();
    for (const t of texts) {
      const s = BOS.repeat(order - 1) + normalizeTranscript(t) + LM_EOS;
      for (let i = order - 1; i < s.length; i++)
        for (let n = 0; n < order; n++) {
          const h = s.slice(i - n, i);
          let m = counts.get(h);
          if (!m) counts.set(h, (m = new Map()));
          m.set(s[i]!, (m.get(s[i]!) ?? 0) + 1);
        }
    }
    return new CharNgramLM(order, discount, counts);
  }

  static fromJSON(j: CharLmJson): CharNgramLM {
    const counts = new Map<string, Map<string, number>>();
    for (const [h, m] of Object.entries(j.counts)) counts.set(h, new Map(Object.entries(m)));
    return new CharNgramLM(j.order, j.discount, counts);
  }

  toJSON(): CharLmJson {
    const counts: Record<string, Record<string, number>> = {};
    for (const [h, m] of this.#counts) counts[h] = Object.fromEntries(m);
    return { order: this.order, discount: this.discount, counts };
  }

  #prob(h: string, c: string): number {
    const lower = h.length === 0 ? 1 / VOCAB.length : this.#prob(h.slice(1), c);
    const t = this.#totals.get(h);
    if (!t) return lower;
    const k = this.#counts.get(h)!.get(c) ?? 0;
    return Math.max(k - this.discount, 0) / t.total + ((this.discount * t.types) / t.total) * lower;
  }

  /** log P(next | text so far); `next` is one alphabet character or LM_EOS. */
  logProb(prefix: string, next: string): number {
    if (next.length !== 1 || !VOCAB.includes(next))
      throw new FlambeauError("E_ARG", `CharNgramLM: ${JSON.stringify(next)} is not a symbol of the model`, "CharNgramLM");
    const k = this.order - 1;
    const h = prefix.length >= k ? prefix.slice(prefix.length - k) : BOS.repeat(k - prefix.length) + prefix;
    const key = `${h}\u0000${next}`;
    let v = this.#cache.get(key);
    if (v === undefined) {
      v = Math.log(this.#prob(h, next));
      if (this.#cache.size > 200_000) this.#cache.clear();
      this.#cache.set(key, v);
    }
    return v;
  }

  /** Total log-probability of a sentence (with its end symbol). */
  score(text: string): number {
    const t = normalizeTranscript(text);
    let lp = 0;
    for (let i = 0; i < t.length; i++) lp += this.logProb(t.slice(0, i), t[i]!);
    return lp + this.logProb(t, LM_EOS);
  }
}
