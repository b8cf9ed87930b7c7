// Entity markers (Baldini Soares et al. 2019, "Matching the Blanks"): the two mentions of a
// relation candidate are wrapped in reserved tokens, [E1] … [/E1] around the head and
// [E2] … [/E2] around the tail, and the classifier reads the encoder's states at the two start
// markers. In the Debian set the head is the package a description is about, which the text
// rarely names: the head comes first as "[E1] head [/E1] :", then the sentence with its tail
// mention marked, cut to a window of words on each side of the tail.
import { FlambeauError } from "../../core/errors.js";
import { wordTokenize } from "../vocab.js";

export const E1 = "[E1]";
export const E1_END = "[/E1]";
export const E2 = "[E2]";
export const E2_END = "[/E2]";
export const MARKERS = [E1, E1_END, E2, E2_END] as const;

/** A relation candidate: the head entity, a sentence, and where the tail is mentioned in it. */
export interface Mention {
  head: string;
  text: string;
  /** Character offsets [start, end) of the tail mention in `text`. */
  start: number;
  end: number;
}

export interface MarkedTokens {
  /** Lowercased word tokens with the four markers. */
  tokens: string[];
  /** Positions of [E1] and [E2]. */
  e1: number;
  e2: number;
}

const lowerTokens = (s: string): string[] => wordTokenize(s.toLowerCase());

/** [E1] head [/E1] : … [E2] tail [/E2] …, with at most `window` words kept on each side of the tail. */
export function markEntities(m: Mention, window = 24): MarkedTokens {
  if (!(m.start >= 0 && m.end > m.start && m.end <= m.text.length))
    throw new FlambeauError("E_ARG", `markEntities: tail span [${m.start}, ${m.end}) is not inside a text of ${m.text.length} characters`);
  const head = [E1, ...lowerTokens(m.head), E1_END, ":"];
  const before = lowerTokens(m.text.slice(0, m.start)).slice(-window);
  const after = lowerTokens(m.text.slice(m.end)).slice(0, window);
  const tail = lowerTokens(m.text.slice(m.start, m.end));
  const tokens = [...head, ...before, E2, ...tail, E2_END, ...after];
  return { tokens, e1: 0, e2: head.length + before.length };
}

const NAME_CHAR = /[A-Za-z0-9+_/@-]/;

/** The character offset of the first whole-word occurrence of `name` in `text` (no name characters touching it), or -1. */
export function findMention(text: string, name: string): number {
  if (!name) return -1;
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + 1)) {
    const before = text[i - 1];
    const after = text[i + name.length];
    const beforeOk = before === undefined || !(NAME_CHAR.test(before) || before === ".");
    const afterOk =
      after === undefined || !(NAME_CHAR.test(after) || (after === "." && /[A-Za-z0-9]/.test(text[i + name.length + 1] ?? "")));
    if (beforeOk && afterOk) return i;
  }
  return -1;
}

/**
 * A candidate written inline: "[[head]] … [[tail]] …" (the first bracketed name is the head, the
 * second the tail; the brackets are removed from the text).
 */
export function parseInlineMentions(input: string): { head: string; tail: string; mention: Mention } | null {
  const spans = [...input.matchAll(/\[\[([^\]]+)\]\]/g)];
  if (spans.length !== 2) return null;
  let text = "";
  let last = 0;
  const starts: number[] = [];
  for (const s of spans) {
    text += input.slice(last, s.index);
    starts.push(text.length);
    text += s[1]!;
    last = s.index! + s[0].length;
  }
  text += input.slice(last);
  const head = spans[0]![1]!.trim();
  const tail = spans[1]![1]!;
  return { head, tail: tail.trim(), mention: { head, text, start: starts[1]!, end: starts[1]! + tail.length } };
}
