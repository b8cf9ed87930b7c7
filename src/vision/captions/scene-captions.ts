// Captions of generated scenes in several phrasings, written from the scene graph so every
// word is true by construction: "a red 3 to the left of a small blue 7". Lowercase tokens
// separated by single spaces (a comma is a token), as the COCO caption metrics score them.
import { FlambeauError } from "../../core/errors.js";
import type { GraphObject, SceneGraph } from "../scenes/scene-graph.js";

const NUMBERS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

/** A class name as a caption word or two: lowercase, "T-shirt/top" → "t-shirt". */
export function classWords(name: string): string {
  return name.toLowerCase().replace(/\/.*$/, "").trim().replace(/\s+/g, " ");
}

/** The colour and class words that name an object ("blue 7", "gray ankle boot"). */
export const objectName = (o: Pick<GraphObject, "color" | "className">): string => `${o.color} ${classWords(o.className)}`;

/** Words with their indefinite article: "a blue 7", "an 8", "an orange". */
export const withArticle = (words: string): string => `${/^([aeiou]|8( |$)|11 |18 )/.test(words) ? "an" : "a"} ${words}`;

/** "a small blue 7", "an 8"-style article included; "medium" is left unsaid. */
export function objectPhrase(o: GraphObject): string {
  return withArticle(`${o.size === "medium" ? "" : `${o.size} `}${objectName(o)}`);
}

/** How a sits relative to b, on the axis their centres differ most. */
function where(a: GraphObject, b: GraphObject): string {
  const dx = b.cx - a.cx;
  const dy = b.cy - a.cy;
  if (Math.abs(dx) >= Math.abs(dy)) return dx >= 0 ? "to the left of" : "to the right of";
  return dy > 0 ? "above" : "below";
}

const list = (phrases: readonly string[]): string =>
  phrases.length === 1 ? phrases[0]! : `${phrases.slice(0, -1).join(" , ")} and ${phrases.at(-1)}`;

/**
 * Four phrasings of a scene's graph, objects taken left to right: a list; a relation chain
 * (each object placed relative to the one before it); a count; the chain told right to left.
 */
export function sceneCaptions(g: SceneGraph): string[] {
  if (g.objects.length === 0) throw new FlambeauError("E_ARG", "sceneCaptions: the scene has no object to describe", "sceneCaptions");
  const obs = [...g.objects].sort((a, b) => a.cx - b.cx || a.cy - b.cy || a.index - b.index);
  const phrases = obs.map(objectPhrase);
  const n = obs.length;
  const count = `${NUMBERS[n] ?? String(n)} object${n === 1 ? "" : "s"}`;
  if (n === 1) return [phrases[0]!, `a picture of ${phrases[0]}`, `there is one object , ${phrases[0]}`, `${phrases[0]} on a photo`];
  const chain = (order: readonly number[]): string => {
    const parts = [`${phrases[order[0]!]} ${where(obs[order[0]!]!, obs[order[1]!]!)} ${phrases[order[1]!]}`];
    for (let k = 2; k < order.length; k++) {
      const prev = obs[order[k - 1]!]!;
      parts.push(`${phrases[order[k]!]} ${where(obs[order[k]!]!, prev)} the ${objectName(prev)}`);
    }
    return list(parts);
  };
  const lr = obs.map((_, i) => i);
  return [list(phrases), chain(lr), `there are ${count} , ${list(phrases)}`, chain([...lr].reverse())];
}

/**
 * Whether a caption names every object of the graph by colour and class: each "colour class"
 * appears at least as often as the scene has such objects (a "red 3" and "blue 7" scene needs both).
 */
export function namesEveryObject(caption: string, g: SceneGraph): boolean {
  const words = caption.trim().split(/\s+/);
  const need = new Map<string, number>();
  for (const o of g.objects) need.set(objectName(o), (need.get(objectName(o)) ?? 0) + 1);
  for (const [name, k] of need) {
    const target = name.split(" ");
    let found = 0;
    for (let i = 0; i + target.length <= words.length; i++) if (target.every((w, j) => words[i + j] === w)) found++;
    if (found < k) return false;
  }
  return true;
}
