// The text front end: espeak-ng's phonemizer (`-q -x --sep=_`, Kirshenbaum ASCII phonemes) in
// the accent of the voice that will speak, and the phoneme vocabulary the acoustic model embeds.
// Stress marks are dropped (a small vocabulary for a small corpus); words are not separated,
// because the synthesizers do not pause between words of these short sentences.
import { spawnSync } from "node:child_process";
import { FlambeauError } from "../../core/errors.js";
import type { Voice } from "../speech/voices.js";

const OP = "phonemize";
export const PAD = "<pad>";
export const UNK = "<unk>";

/** The espeak-ng voice whose phoneme rules match `voice`'s accent (flite speaks General American). */
export function phonemizerVoice(voice: Voice): string {
  return voice.engine === "espeak-ng" ? voice.name.split("+")[0]! : "en-us";
}

/** Splits espeak-ng's `--sep=_` output into phonemes: stress marks and pause marks dropped. */
export function parsePhonemes(out: string): string[] {
  const phones: string[] = [];
  for (const word of out.trim().split(/\s+/))
    for (const raw of word.split("_")) {
      const p = raw.replace(/[',]/g, "");
      if (p !== "" && p !== ":") phones.push(p);
    }
  return phones;
}

const memo = new Map<string, string[]>();

function espeakPhonemes(input: string, accent: string): string {
  if (!/^[a-z][a-z-]*$/.test(accent)) throw new FlambeauError("E_ARG", `${OP}: bad espeak-ng voice ${JSON.stringify(accent)}`, OP);
  const r = spawnSync("espeak-ng", ["-q", "-x", "--sep=_", "-v", accent, "--stdin"], { input, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error)
    throw new FlambeauError(
      "E_IO",
      `${OP}: ${(r.error as NodeJS.ErrnoException).code === "ENOENT" ? "espeak-ng is not installed (Debian package espeak-ng)" : r.error.message}`,
      OP,
    );
  if (r.status !== 0) throw new FlambeauError("E_IO", `${OP}: espeak-ng -v ${accent} exited with ${r.status}: ${r.stderr.trim()}`, OP);
  return r.stdout;
}

function remember(key: string, text: string, out: string): string[] {
  const phones = parsePhonemes(out);
  if (phones.length === 0) throw new FlambeauError("E_ARG", `${OP}: no phonemes in ${JSON.stringify(text)}`, OP);
  memo.set(key, phones);
  return phones;
}

/** The phonemes of `text` in the accent of espeak-ng voice `accent` (e.g. "en-us"); memoised. */
export function phonemize(text: string, accent = "en-us"): string[] {
  const key = `${accent}\u0000${text}`;
  return memo.get(key) ?? remember(key, text, espeakPhonemes(text, accent));
}

/**
 * phonemize for many texts in one espeak-ng call. A spawn forks the caller, and from a process
 * holding gigabytes each fork costs a few hundred milliseconds, so a corpus is phonemized in
 * one call: a text a line, each ended by a full stop, gives one output line per text, equal to
 * its own call's. Texts with punctuation or line breaks of their own (which would split or
 * merge lines) go one call each.
 */
export function phonemizeAll(texts: readonly string[], accent = "en-us"): string[][] {
  const todo = [...new Set(texts.filter((t) => !memo.has(`${accent}\u0000${t}`) && !/[.,;:!?\n\r]/.test(t)))];
  if (todo.length > 1) {
    const lines = espeakPhonemes(todo.map((t) => `${t}.\n`).join(""), accent)
      .trim()
      .split("\n");
    if (lines.length === todo.length) todo.forEach((t, i) => remember(`${accent}\u0000${t}`, t, lines[i]!));
  }
  return texts.map((t) => phonemize(t, accent));
}

/** Phoneme ↔ id; id 0 pads, id 1 stands for phonemes never seen in training. */
export class PhonemeVocab {
  readonly symbols: string[];
  private readonly ids: Map<string, number>;
  constructor(symbols: readonly string[]) {
    if (symbols[0] !== PAD || symbols[1] !== UNK)
      throw new FlambeauError("E_ARG", `PhonemeVocab: the first symbols must be ${PAD}, ${UNK}`, "PhonemeVocab");
    this.symbols = [...symbols];
    this.ids = new Map(this.symbols.map((s, i) => [s, i]));
  }
  /** The vocabulary of every phoneme in `seqs`, sorted (deterministic ids). */
  static build(seqs: readonly (readonly string[])[]): PhonemeVocab {
    const set = new Set<string>();
    for (const s of seqs) for (const p of s) set.add(p);
    return new PhonemeVocab([PAD, UNK, ...[...set].sort()]);
  }
  get size(): number {
    return this.symbols.length;
  }
  encode(phones: readonly string[]): number[] {
    return phones.map((p) => this.ids.get(p) ?? 1);
  }
}
