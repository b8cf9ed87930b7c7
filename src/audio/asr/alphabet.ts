// The CTC output alphabet: blank (0), space (1), a–z (2–27) and the apostrophe (28).
import { FlambeauError } from "../../core/errors.js";
import { normalizeTranscript } from "../metrics/asr.js";

export const CTC_BLANK = 0;
/** Symbols of labels 1…28 (label 0 is the blank). */
export const CTC_CHARS = " abcdefghijklmnopqrstuvwxyz'";
export const CTC_CLASSES = CTC_CHARS.length + 1;

/** A transcript's labels (normalised first: lower case, other characters become spaces). */
export function encodeTranscript(text: string): number[] {
  const t = normalizeTranscript(text);
  const out: number[] = [];
  for (const ch of t) {
    const k = CTC_CHARS.indexOf(ch);
    if (k < 0)
      throw new FlambeauError("E_ARG", `encodeTranscript: character ${JSON.stringify(ch)} is not in the alphabet`, "encodeTranscript");
    out.push(k + 1);
  }
  return out;
}

/** Labels (no blanks) back to text. */
export function decodeLabels(labels: readonly number[]): string {
  let s = "";
  for (const l of labels) {
    if (l === CTC_BLANK) continue;
    const ch = CTC_CHARS[l - 1];
    if (ch === undefined) throw new FlambeauError("E_ARG", `decodeLabels: label ${l} is outside 0…${CTC_CLASSES - 1}`, "decodeLabels");
    s += ch;
  }
  return s.replace(/ +/g, " ").trim();
}
