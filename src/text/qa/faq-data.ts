// Retrieval question answering over FAQs (`debian-faq-qa`): a question's answer is one of the
// FAQ answers, ranked from the pool of every distinct answer. The pairs are the chat task's
// (chat/faq.ts: the Debian FAQ and the /usr/share/doc FAQs, 530 pairs); a user's
// CSV/TSV/JSONL/Parquet/Arrow file gives question and answer columns instead. The split is by
// the SHA-1 of the answer text, so questions that share an answer (or the same answer
// re-asked) stay in one split: 60 % train, 15 % val, 25 % test. The pool holds every answer,
// held-out ones too (the documentation is known; the held-out part is the questions), but
// training only ever sees the training answers.
import { createHash } from "node:crypto";
import { FlambeauError } from "../../core/errors.js";
import { debianFaqPairs, type FaqPair, readFaqFile } from "../chat/faq.js";
import { collectionOf } from "../retrieval/collection.js";

export const FAQ_QA_DATA = "debian-faq-qa";

export type FaqSplit = "train" | "val" | "test";

/** The split of a pair, from the hash of its answer. */
export function faqSplitOf(answer: string): FaqSplit {
  const h = createHash("sha1").update(answer).digest().readUInt32BE(0) / 2 ** 32;
  return h < 0.25 ? "test" : h < 0.4 ? "val" : "train";
}

/** One split's questions against the whole pool of answers. */
export interface FaqCollection {
  /** Every distinct answer, in order of first appearance (the same for every split of one file). */
  answers: string[];
  /** Which split each answer's questions are in. */
  answerSplit: FaqSplit[];
  questions: string[];
  /** The index (into `answers`) of each question's answer. */
  positive: number[];
}

/** The collection of `split` from FAQ pairs: the pool of every distinct answer, the split's questions against it. */
export function faqCollection(pairs: readonly FaqPair[], split: FaqSplit): FaqCollection {
  const c = collectionOf(
    pairs.filter((p) => faqSplitOf(p.answer) === split).map((p) => ({ query: p.question, document: p.answer })),
    pairs.map((p) => p.answer),
  );
  return { answers: c.documents, answerSplit: c.documents.map(faqSplitOf), questions: c.queries, positive: c.positive };
}

/** The pairs of `debian-faq-qa` (the FAQs installed here) or of a user's question/answer file. */
export async function faqPairs(data: string, columns: { question?: string; answer?: string } = {}): Promise<FaqPair[]> {
  const pairs = data === FAQ_QA_DATA ? debianFaqPairs() : await readFaqFile(data, columns);
  const kept = pairs.filter((p) => p.question.trim() && p.answer.trim());
  if (kept.length < 2)
    throw new FlambeauError("E_FORMAT", `question-answering: ${data} holds ${kept.length} question/answer pairs; at least 2 are needed`);
  return kept;
}

/** `split` of a FAQ data set (built-in name or file). */
export async function loadFaqQa(
  data: string,
  split: FaqSplit,
  columns: { question?: string; answer?: string } = {},
): Promise<FaqCollection> {
  return faqCollection(await faqPairs(data, columns), split);
}
