// The baselines the seq2seq figures stand beside: word-by-word translation with a
// dictionary learned from the training pairs (each source word → the target word it
// co-occurs with most distinctively, by Dice's coefficient), and the "first sentence"
// summary (lead-1).

import { tokenize13a } from "./bleu.js";
import type { TextPair } from "./ddtp.js";

const words = (s: string): string[] => tokenize13a(s).toLowerCase().split(" ").filter(Boolean);

/** Learns a word → word dictionary from aligned pairs. */
export function learnDictionary(pairs: readonly TextPair[], o: { minCount?: number } = {}): Map<string, string> {
  const minCount = o.minCount ?? 2;
  const cs = new Map<string, number>();
  const ct = new Map<string, number>();
  const cst = new Map<string, Map<string, number>>();
  for (const p of pairs) {
    const s = new Set(words(p.source));
    const t = new Set(words(p.target));
    for (const w of s) cs.set(w, (cs.get(w) ?? 0) + 1);
    for (const w of t) ct.set(w, (ct.get(w) ?? 0) + 1);
    for (const a of s) {
      let m = cst.get(a);
      if (!m) cst.set(a, (m = new Map()));
      for (const b of t) m.set(b, (m.get(b) ?? 0) + 1);
    }
  }
  const dict = new Map<string, string>();
  for (const [a, m] of cst) {
    if (cs.get(a)! < minCount) continue;
    let best = "";
    let bestDice = 0;
    for (const [b, c] of m) {
      const dice = (2 * c) / (cs.get(a)! + ct.get(b)!);
      if (dice > bestDice) [best, bestDice] = [b, dice];
    }
    if (best) dict.set(a, best);
  }
  return dict;
}

/** Word-by-word translation; unknown words are copied (names, numbers and code survive). */
export const translateWordByWord = (dict: ReadonlyMap<string, string>, source: string): string =>
  words(source)
    .map((w) => dict.get(w) ?? w)
    .join(" ");

/** The first sentence of a text (lead-1 summary). */
export function firstSentence(text: string): string {
  const m = /^(.+?[.!?])(\s|$)/.exec(text.trim());
  return (m ? m[1]! : text).trim();
}
