// What generation tasks do with their prompts at predict time: refuse words their closed
// vocabulary lacks (naming them and the vocabulary), and name each output file after its prompt.
import { FlambeauError } from "../core/errors.js";

/** Throws E_ARG for the first prompt with words outside `vocabulary` (as `unknownWords` finds them). */
export function checkPromptWords(
  task: string,
  prompts: readonly string[],
  unknownWords: (prompt: string) => string[],
  vocabulary: readonly string[],
): void {
  for (const p of prompts) {
    const unknown = unknownWords(p);
    if (unknown.length)
      throw new FlambeauError(
        "E_ARG",
        `${task}: unknown words ${JSON.stringify(unknown)} in ${JSON.stringify(p)}; known: ${vocabulary.join(" ")}`,
      );
  }
}

/** "007-a-red-3-moving-left.gif": the output's index, then its prompt (at most 60 characters of it). */
export const promptFileName = (index: number, prompt: string, ext: string): string =>
  `${String(index).padStart(3, "0")}-${prompt.replace(/[^a-z0-9]+/gi, "-").slice(0, 60)}${ext}`;
