// Exact match and F1 exactly as the official SQuAD v1.1 evaluation script (evaluate-v1.1.py)
// defines them: both strings normalised (lowercase; drop ASCII punctuation, Python's
// string.punctuation; drop the articles a/an/the as whole words; collapse whitespace), F1 over
// the bag of normalised tokens, and the best score over a question's reference answers.
// Corpus figures are percentages, as the script prints them.
import { FlambeauError } from "../../core/errors.js";

const PUNCTUATION = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");

/** SQuAD's normalize_answer: lower → remove punctuation → remove articles → fix whitespace. */
export function normalizeAnswer(s: string): string {
  const lower = s.toLowerCase();
  const noPunc = Array.from(lower)
    .filter((c) => !PUNCTUATION.has(c))
    .join("");
  // Python's \b is Unicode-aware: a word character is a letter, digit or underscore of any script.
  const noArticles = noPunc.replace(/(?<![\p{L}\p{N}_])(a|an|the)(?![\p{L}\p{N}_])/gu, " ");
  return noArticles.split(/\s+/).filter(Boolean).join(" ");
}

/** 1 when the normalised strings are equal, else 0. */
export const exactMatch = (prediction: string, truth: string): number => (normalizeAnswer(prediction) === normalizeAnswer(truth) ? 1 : 0);

/** Token-bag F1 of the normalised strings (0 when they share no token). */
export function f1Score(prediction: string, truth: string): number {
  const p = normalizeAnswer(prediction).split(" ").filter(Boolean);
  const t = normalizeAnswer(truth).split(" ").filter(Boolean);
  const counts = new Map<string, number>();
  for (const w of t) counts.set(w, (counts.get(w) ?? 0) + 1);
  let same = 0;
  for (const w of p) {
    const c = counts.get(w) ?? 0;
    if (c > 0) {
      same++;
      counts.set(w, c - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / p.length;
  const recall = same / t.length;
  return (2 * precision * recall) / (precision + recall);
}

/** The best of `metric` over a question's reference answers. */
export function maxOverTruths(metric: (p: string, t: string) => number, prediction: string, truths: readonly string[]): number {
  if (truths.length === 0) throw new FlambeauError("E_ARG", "squad metrics: a question needs at least one reference answer", "squad");
  return Math.max(...truths.map((t) => metric(prediction, t)));
}

/** Corpus exact match and F1 in percent, as evaluate-v1.1.py reports them. */
export function squadScores(predictions: readonly string[], truths: readonly (readonly string[])[]): { exactMatch: number; f1: number } {
  if (predictions.length !== truths.length)
    throw new FlambeauError("E_ARG", `squad metrics: ${predictions.length} predictions for ${truths.length} questions`, "squad");
  if (predictions.length === 0) throw new FlambeauError("E_ARG", "squad metrics: no questions", "squad");
  let em = 0;
  let f1 = 0;
  predictions.forEach((p, i) => {
    em += maxOverTruths(exactMatch, p, truths[i]!);
    f1 += maxOverTruths(f1Score, p, truths[i]!);
  });
  return { exactMatch: (100 * em) / predictions.length, f1: (100 * f1) / predictions.length };
}
