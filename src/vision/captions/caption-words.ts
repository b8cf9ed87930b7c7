// The words of scene captions as a text-to-image model reads them: lowercase tokens with the
// comma a token of its own (as scene-captions.ts writes them), and the closed vocabulary every
// caption of scenes with given object classes is drawn from, so a prompt's unknown words can be
// named before any sampling.
import { COLOR_NAMES } from "../scenes/colors.js";
import { SIZE_NAMES } from "../scenes/scene-graph.js";
import { classWords } from "./scene-captions.js";

/** A prompt's tokens: lowercase words (letters, digits, hyphens) and commas; other punctuation dropped. */
export const captionTokens = (text: string): string[] => text.toLowerCase().match(/[a-z0-9-]+|,/g) ?? [];

/** The fixed words of sceneCaptions' four phrasings (objects' colours, sizes and classes aside). */
const FRAME_WORDS = [
  ",",
  "a",
  "an",
  "and",
  "picture",
  "of",
  "there",
  "is",
  "are",
  "object",
  "objects",
  "on",
  "photo",
  "to",
  "the",
  "left",
  "right",
  "above",
  "below",
  "no",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
];

/** Every token a caption of scenes with these object classes can hold, sorted. */
export function sceneCaptionVocabulary(classes: readonly string[]): string[] {
  const words = new Set([...FRAME_WORDS, ...COLOR_NAMES, ...SIZE_NAMES]);
  for (const c of classes) for (const w of captionTokens(classWords(c))) words.add(w);
  return [...words].sort();
}
