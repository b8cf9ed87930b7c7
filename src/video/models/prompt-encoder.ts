// A prompt as a conditioning vector: its bag of words over a fixed vocabulary (each known word's
// share of the prompt) through a two-layer MLP — a mean of learned word embeddings, then a
// non-linearity. Word order is lost; the clip captions it reads name an object or two and one
// action, which a bag of words tells apart. Words outside the vocabulary are reported, not guessed.
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tensor } from "../../core/index.js";
import { Linear, Module, Sequential, SiLU } from "../../nn/index.js";
import { promptWords } from "../data/clip-captions.js";

export class PromptEncoder extends Module {
  readonly vocabulary: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly mlp: Sequential;
  constructor(vocabulary: readonly string[], dim: number) {
    super();
    if (vocabulary.length === 0) throw new FlambeauError("E_ARG", "PromptEncoder: the vocabulary is empty", "PromptEncoder");
    this.vocabulary = vocabulary;
    this.index = new Map(vocabulary.map((w, i) => [w, i]));
    this.mlp = new Sequential(new Linear(vocabulary.length, dim), new SiLU(), new Linear(dim, dim));
  }

  /** The words of `prompt` that the vocabulary lacks. */
  unknownWords(prompt: string): string[] {
    return promptWords(prompt).filter((w) => !this.index.has(w));
  }

  /** [B, V] word shares of each prompt; a prompt with no known word is an error naming the vocabulary. */
  bagOfWords(prompts: readonly string[]): Tensor {
    const v = this.vocabulary.length;
    const bag = new Float32Array(prompts.length * v);
    prompts.forEach((p, b) => {
      const ids = promptWords(p).flatMap((w) => this.index.get(w) ?? []);
      if (ids.length === 0)
        throw new FlambeauError(
          "E_ARG",
          `PromptEncoder: the prompt ${JSON.stringify(p)} has no known word; known words: ${this.vocabulary.join(" ")}`,
          "PromptEncoder",
        );
      for (const i of ids) bag[b * v + i]! += 1 / ids.length;
    });
    return tensor(bag, { shape: [prompts.length, v] });
  }

  /** [B, dim] embeddings of the prompts. */
  forward(prompts: readonly string[]): Tensor {
    return this.mlp.forward(this.bagOfWords(prompts));
  }
}
