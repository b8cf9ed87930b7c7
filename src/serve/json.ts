// JSON request bodies: nesting is bounded before JSON.parse sees the text (400,000 nested
// brackets overflow the parser's stack, which used to surface as a 500).
import { badRequest } from "../http/errors.js";

/** The deepest bracket nesting of a JSON text (brackets inside strings do not count). */
export function jsonDepth(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) {
        max = depth;
        if (max > stopAbove) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Parses a request body, refusing nesting deeper than `maxDepth` and malformed text with a 400. */
export function parseJsonBody(text: string, maxDepth: number): unknown {
  if (jsonDepth(text, maxDepth) > maxDepth) throw badRequest(`JSON nested deeper than ${maxDepth} levels; send {"inputs": [...]}`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`malformed JSON (${(e as Error).message}); send {"inputs": [...]}`);
  }
}
