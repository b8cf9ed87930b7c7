// Extractive question answering data. The built-in `ddtp-cloze` follows Hermann et al. 2015's
// cloze construction on Debian's package descriptions (apt's Translation-en index, split by
// package as ddtp-summaries): the question is a package's synopsis with one content word
// replaced by @placeholder, the context its long description (first 150 words), the answer
// that word's span in the context. The blanked word is the longest synopsis word of ≥ 4
// letters, not a stop word, that occurs once in the synopsis and somewhere in the context
// (ties: the first); synopses without one give no question. A user's .jsonl gives
// `question`, `context`, `answer` (the answer's first occurrence in the context is its span).
import { existsSync } from "node:fs";
import { FlambeauError } from "../../core/errors.js";
import { readJsonl } from "../../data/index.js";
import { loadDdtp, type Split } from "../seq2seq/ddtp.js";
import { wordTokenize } from "../vocab.js";

export const QA_DATA = "ddtp-cloze";
export const PLACEHOLDER = "@placeholder";
const CONTEXT_WORDS = 150;
const OP = "question-answering";

export interface QaExample {
  question: string[];
  /** Context tokens as written (case kept: the answer is their text). */
  context: string[];
  /** Inclusive token span of the answer in the context. */
  start: number;
  end: number;
  /** Reference answers (text). */
  answers: string[];
}

/** Words and the placeholder as one token. */
export function qaTokens(text: string): string[] {
  return text.split(PLACEHOLDER).flatMap((part, i) => (i === 0 ? wordTokenize(part) : [PLACEHOLDER, ...wordTokenize(part)]));
}

export const STOP_WORDS = new Set(
  "about above after again against also based been being both can could does doing down during each from further have having here into just many more most much must only other over same should some such than that their them then there these they this those through under until very what when where which while will with within without would your".split(
    " ",
  ),
);

/** A content word as the generator and the baselines see it: ≥ 4 letters, not a stop word. */
export const isContent = (w: string): boolean => w.length >= 4 && /^\p{L}+$/u.test(w) && !STOP_WORDS.has(w.toLowerCase());

/** The cloze question of one synopsis and description, or null when no word qualifies. */
export function clozeExample(synopsis: string, description: string): QaExample | null {
  const syn = wordTokenize(synopsis);
  const context = wordTokenize(description).slice(0, CONTEXT_WORDS);
  const lower = context.map((w) => w.toLowerCase());
  const synLower = syn.map((w) => w.toLowerCase());
  let best = -1;
  syn.forEach((w, i) => {
    const l = synLower[i]!;
    if (!isContent(w) || synLower.indexOf(l) !== synLower.lastIndexOf(l) || !lower.includes(l)) return;
    if (best < 0 || w.length > syn[best]!.length) best = i;
  });
  if (best < 0) return null;
  const answer = synLower[best]!;
  const start = lower.indexOf(answer);
  const question = syn.map((w, i) => (i === best ? PLACEHOLDER : w));
  return { question, context, start, end: start, answers: [context[start]!] };
}

/** The examples of `data`'s `split` (the built-in cloze set) or of every row of a user's .jsonl. */
export async function loadQa(data: string, split: Split): Promise<QaExample[]> {
  if (data === QA_DATA)
    return (await loadDdtp("summaries", split)).map((p) => clozeExample(p.target, p.source)).filter((e): e is QaExample => e !== null);
  if (!existsSync(data)) throw new FlambeauError("E_IO", `${OP}: no such file ${data} (built-in data: ${QA_DATA})`, OP);
  if (!/\.jsonl?$/i.test(data))
    throw new FlambeauError("E_FORMAT", `${OP}: ${data}: expected a .jsonl file with question, context, answer`, OP);
  return (await readJsonl(data)).map((r, i) => {
    const { question, context, answer } = r;
    const where = `${OP}: ${data} row ${i + 1}`;
    if (typeof question !== "string" || typeof context !== "string" || typeof answer !== "string" || !answer.trim())
      throw new FlambeauError("E_FORMAT", `${where} needs string fields "question", "context" and a non-empty "answer"`, OP);
    const ctx = wordTokenize(context);
    const ans = wordTokenize(answer).map((w) => w.toLowerCase());
    const lower = ctx.map((w) => w.toLowerCase());
    const start = lower.findIndex((_, s) => ans.every((a, k) => lower[s + k] === a));
    if (start < 0) throw new FlambeauError("E_FORMAT", `${where}: the answer "${answer.slice(0, 60)}" is not in the context`, OP);
    return { question: qaTokens(question), context: ctx, start, end: start + ans.length - 1, answers: [answer] };
  });
}
