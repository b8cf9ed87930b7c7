// The chat template: retrieved passages, the user's question, then the assistant's answer,
//   <s> <|context|> passage₁ <|context|> passage₂ <|user|> question <|assistant|> answer </s>
// (the shape of Zephyr/TinyLlama's <|user|> … <|assistant|> … templates, with a context turn
// for retrieval-augmented generation). Instruction tuning learns only the answer: every
// position before the first answer token is masked out of the loss, as supervised fine-tuning
// (TRL's completion-only collator) does.
import { FlambeauError } from "../../core/errors.js";

export const USER = "<|user|>";
export const ASSISTANT = "<|assistant|>";
export const CONTEXT = "<|context|>";
export const CHAT_SPECIALS = [USER, ASSISTANT, CONTEXT] as const;

/** The label of a position the loss ignores (cross-entropy's ignoreIndex). */
export const IGNORE = -100;

export interface ChatTurn {
  question: string;
  /** Retrieved passages, best first (none: the model answers from its weights alone). */
  passages: readonly string[];
}

/** The prompt as text, ending where the assistant starts answering. */
export function chatPrompt(t: ChatTurn): string {
  return `${t.passages.map((p) => `${CONTEXT} ${p}\n`).join("")}${USER} ${t.question}\n${ASSISTANT} `;
}

/** Token ids of the template's parts, already encoded. */
export interface ChatIds {
  bos: number;
  eos: number;
  user: number;
  assistant: number;
  context: number;
}

export interface EncodedTurn {
  question: readonly number[];
  passages: readonly (readonly number[])[];
  /** The answer's tokens (training); none when prompting. */
  answer?: readonly number[];
}

/**
 * The token row of one turn and, when it has an answer, its next-token labels: `labels[i]` is
 * the target after `ids[0..i]`, IGNORE before the answer. Passages are cut (from the end of the
 * list, then the end of each) so the row fits `maxLength` tokens.
 */
export function encodeChat(e: EncodedTurn, k: ChatIds, maxLength: number): { ids: number[]; labels: number[] } {
  const answer = e.answer ? [...e.answer, k.eos] : [];
  const fixed = 1 + 1 + e.question.length + 1 + answer.length;
  if (fixed > maxLength)
    throw new FlambeauError(
      "E_ARG",
      `chat: a turn needs ${fixed} tokens without its passages (question ${e.question.length}, answer ${answer.length}); the model reads ${maxLength}`,
    );
  let room = maxLength - fixed;
  const ids = [k.bos];
  for (const p of e.passages) {
    if (room <= 1) break;
    const kept = p.slice(0, room - 1);
    ids.push(k.context, ...kept);
    room -= kept.length + 1;
  }
  ids.push(k.user, ...e.question, k.assistant);
  const prompt = ids.length;
  ids.push(...answer);
  return { ids, labels: targetLabels(ids, prompt) };
}

/** Next-token labels of positions 0 … n−2 of `ids`: only positions that predict a token from `prompt` on count. */
function targetLabels(ids: readonly number[], prompt: number): number[] {
  return ids.slice(1).map((id, i) => (i + 1 >= prompt ? id : IGNORE));
}

/**
 * A question-generation row, the chat template turned around: the passage, then the user's
 * question as the target — `<s> <|context|> passage <|user|> question </s>`, the loss on the
 * question only. A model trained on these can say how well each passage explains a question
 * (the noisy channel a reader chooses its passage by). The passage is cut to fit `maxLength`.
 */
export function encodeQuestionTurn(
  passage: readonly number[],
  question: readonly number[],
  k: ChatIds,
  maxLength: number,
): { ids: number[]; labels: number[] } {
  const target = [...question, k.eos];
  const room = maxLength - 3 - target.length;
  if (room < 1)
    throw new FlambeauError("E_ARG", `chat: a question of ${question.length} tokens leaves no room for its passage in ${maxLength}`);
  const ids = [k.bos, k.context, ...passage.slice(0, room), k.user];
  const prompt = ids.length;
  ids.push(...target);
  return { ids, labels: targetLabels(ids, prompt) };
}
