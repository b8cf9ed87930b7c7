// What a generated clip shows, in words: "a red 3 moving left", "a gray sneaker and a blue bag
// swapping places". The acting objects only (a still distractor is not what the clip is about);
// true by construction, as the scene captions are. The vocabulary of every caption a clip source
// can produce is known in advance, so a prompt encoder's words are fixed before training.
import { FlambeauError } from "../../core/errors.js";
import { classWords, withArticle } from "../../vision/captions/scene-captions.js";
import { COLOR_NAMES } from "../../vision/scenes/colors.js";
import { ACTIONS, type Action } from "./actions.js";
import type { Clip } from "./clips.js";

const PHRASES: Record<Action, string> = {
  "move-left": "moving left",
  "move-right": "moving right",
  "move-up": "moving up",
  "move-down": "moving down",
  rotate: "rotating",
  grow: "growing",
  bounce: "bouncing",
  appear: "appearing",
  swap: "swapping places",
};

/** The clip's caption, given its object bank's class names. */
export function clipCaption(clip: Pick<Clip, "label" | "objects">, objectClasses: readonly string[]): string {
  const action = ACTIONS[clip.label];
  if (!action) throw new FlambeauError("E_ARG", `clipCaption: label ${clip.label} is not an action index (0–${ACTIONS.length - 1})`);
  const named = clip.objects
    .filter((o) => o.acting)
    .map((o) => {
      const cls = objectClasses[o.category];
      if (cls === undefined) throw new FlambeauError("E_ARG", `clipCaption: category ${o.category} has no class name`);
      return withArticle(`${o.color} ${classWords(cls)}`);
    });
  return `${named.join(" and ")} ${PHRASES[action]}`;
}

/** Lowercase word tokens of a prompt (punctuation and "/" split words). */
export const promptWords = (prompt: string): string[] => prompt.toLowerCase().match(/[a-z0-9-]+/g) ?? [];

/** Every word a caption of clips with these object classes can contain, sorted. */
export function captionVocabulary(objectClasses: readonly string[]): string[] {
  const words = new Set(["a", "an", "and", ...COLOR_NAMES, ...Object.values(PHRASES).flatMap(promptWords)]);
  for (const c of objectClasses) for (const w of promptWords(classWords(c))) words.add(w);
  return [...words].sort();
}
