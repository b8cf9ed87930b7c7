// How an answer is scored: SQuAD's token F1 against the reference answer (qa/squad-metrics.ts),
// and whether it cites the retrieved passage — the share of the answer's word bigrams (SQuAD
// normalisation) that occur in the passage; an answer cites it when at least half do.
import { normalizeAnswer } from "../qa/squad-metrics.js";

const bigrams = (s: string): string[] => {
  const w = normalizeAnswer(s).split(" ").filter(Boolean);
  return w.slice(1).map((t, i) => `${w[i]} ${t}`);
};

/** The fraction of the answer's bigrams found in the passage (0 for an answer shorter than two words). */
export function passageOverlap(answer: string, passage: string): number {
  const a = bigrams(answer);
  if (a.length === 0) return 0;
  const p = new Set(bigrams(passage));
  return a.filter((b) => p.has(b)).length / a.length;
}

/** The overlap at which an answer counts as citing the passage. */
export const CITES_AT = 0.5;

export const cites = (answer: string, passage: string): boolean => passageOverlap(answer, passage) >= CITES_AT;
