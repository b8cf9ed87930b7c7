// Answer-picking baselines without learning, over the context's content words that are not in
// the question: Hermann et al. 2015's "maximum frequency" (the most frequent such word) and
// the sliding-window word overlap of Richardson et al. 2013 (MCTest), which Rajpurkar et al.
// 2016 (SQuAD) use as their baseline: a candidate scores Σ log(1 + 1/count(w)) over the
// distinct question words w within `window` words of it (count in the context, so rare
// matching words weigh more); the best score wins, ties to the earlier word.
import { isContent, PLACEHOLDER } from "./cloze.js";

function candidates(question: readonly string[], context: readonly string[]): number[] {
  const q = new Set(question.map((w) => w.toLowerCase()));
  const out: number[] = [];
  context.forEach((w, i) => {
    if (isContent(w) && !q.has(w.toLowerCase())) out.push(i);
  });
  return out;
}

/** The index of the most frequent candidate word (first occurrence; ties: the earlier), or 0. */
export function maxFrequencyAnswer(question: readonly string[], context: readonly string[]): number {
  const counts = new Map<string, number>();
  const cands = candidates(question, context);
  for (const i of cands) counts.set(context[i]!.toLowerCase(), (counts.get(context[i]!.toLowerCase()) ?? 0) + 1);
  let best = cands[0] ?? 0;
  for (const i of cands) if (counts.get(context[i]!.toLowerCase())! > counts.get(context[best]!.toLowerCase())!) best = i;
  return best;
}

/** The index of the candidate with the highest sliding-window overlap with the question, or 0. */
export function slidingWindowAnswer(question: readonly string[], context: readonly string[], window = 5): number {
  const lower = context.map((w) => w.toLowerCase());
  const counts = new Map<string, number>();
  for (const w of lower) counts.set(w, (counts.get(w) ?? 0) + 1);
  const q = new Set(question.map((w) => w.toLowerCase()).filter((w) => w !== PLACEHOLDER && (counts.get(w) ?? 0) > 0));
  let best = -1;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const i of candidates(question, context)) {
    const seen = new Set<string>();
    let s = 0;
    for (let j = Math.max(0, i - window); j <= Math.min(lower.length - 1, i + window); j++) {
      const w = lower[j]!;
      if (q.has(w) && !seen.has(w)) {
        seen.add(w);
        s += Math.log(1 + 1 / counts.get(w)!);
      }
    }
    if (s > bestScore) {
      bestScore = s;
      best = i;
    }
  }
  return Math.max(0, best);
}
