// What the chat model retrieves from: the FAQ answers and Debian package descriptions, indexed
// with Okapi BM25 (retrieval/bm25.ts, the information-retrieval task's analyser). A passage is
// indexed whole and shown in the prompt cut to its first words.
import { Bm25Index } from "../retrieval/bm25.js";
import { bm25Tokens } from "../retrieval/collection.js";

export interface Passage {
  /** Where it comes from: "faq" or "package:<name>". */
  source: string;
  text: string;
}

/** The first `words` words of a text, ending at the last sentence end inside them when there is one past half-way. */
export function firstWords(text: string, words: number): string {
  const w = text.split(/\s+/).filter(Boolean);
  if (w.length <= words) return w.join(" ");
  const cut = w.slice(0, words).join(" ");
  const end = Math.max(cut.lastIndexOf(". "), cut.lastIndexOf("? "), cut.lastIndexOf("! "));
  return end > cut.length / 2 ? cut.slice(0, end + 1) : cut;
}

export class KnowledgeBase {
  readonly #index: Bm25Index;
  constructor(readonly passages: readonly Passage[]) {
    this.#index = new Bm25Index(passages.map((p) => bm25Tokens(p.text)));
  }

  /** Indices of the `k` best passages for a question, best first (ties: the earlier passage). */
  search(question: string, k: number): number[] {
    if (k <= 0) return [];
    const s = this.#index.scores(bm25Tokens(question));
    const best: number[] = [];
    for (let i = 0; i < s.length; i++) {
      if (s[i]! <= 0) continue;
      let j = best.length;
      while (j > 0 && s[best[j - 1]!]! < s[i]!) j--;
      if (j < k) {
        best.splice(j, 0, i);
        if (best.length > k) best.pop();
      }
    }
    return best;
  }
}
