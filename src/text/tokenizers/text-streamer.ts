// Streaming a decoder's answer as text: each new token id is added to what was produced, the
// whole is decoded, and only the new, cleanly decoded tail is passed on. Byte-level BPE tokens
// may end in the middle of a character, so a tail ending in U+FFFD waits for the next token.
import type { SubwordTokenizer } from "./subword.js";

/** A token callback that passes each new piece of decoded text to `onText` (none: a no-op). */
export function textStreamer(tk: SubwordTokenizer, onText?: (text: string) => void): (id: number) => Promise<void> {
  let shown = "";
  const produced: number[] = [];
  return async (id) => {
    produced.push(id);
    if (!onText) return;
    const t = await tk.decode(produced, { skipSpecialTokens: true });
    if (t.length > shown.length && t.startsWith(shown) && !t.endsWith("\uFFFD")) {
      onText(t.slice(shown.length));
      shown = t;
    }
  };
}
