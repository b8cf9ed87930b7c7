// Debian's package-description translations (DDTP): real human translations of package
// descriptions. apt's `Translation-<lang>` indexes (after `apt-get update -o
// Acquire::Languages=en,fr,de`) join on `Description-md5` into source–target pairs, and
// English long descriptions pair with their synopsis line for summarization. Pairs are
// deduplicated and split by package, so no package's text is in two splits.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { cachedSplit } from "../../data/cache.js";

export interface TextPair {
  source: string;
  target: string;
  /** The package the pair comes from (the split key). */
  group: string;
  /** Which part of a description the pair is (translation pairs). */
  part?: "synopsis" | "paragraph";
}

export type Split = "train" | "val" | "test";

export interface DdtpEntry {
  package: string;
  md5: string;
  synopsis: string;
  /** Paragraphs of the long description, each joined into one line. */
  paragraphs: string[];
}

const LISTS = "/var/lib/apt/lists";

/** The Translation-<lang> index files apt has (compressed or not), main archive first. */
export function translationFiles(lang: string, lists = LISTS): string[] {
  if (!existsSync(lists)) return [];
  return readdirSync(lists)
    .filter((f) => new RegExp(`_i18n_Translation-${lang}(\\.(lz4|gz|xz|bz2|zst))?$`).test(f))
    .sort((a, b) => Number(/security|updates/.test(a)) - Number(/security|updates/.test(b)))
    .map((f) => join(lists, f));
}

/** Parses a Translation index (deb822 paragraphs) into entries. */
export function parseTranslation(text: string, lang: string): DdtpEntry[] {
  const out: DdtpEntry[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const lines = block.split("\n");
    let pkg = "";
    let md5 = "";
    let synopsis: string | undefined;
    const paragraphs: string[] = [];
    let cur: string[] = [];
    let inDesc = false;
    for (const line of lines) {
      if (inDesc && line.startsWith(" ")) {
        const body = line.slice(1);
        if (body === ".") {
          if (cur.length) paragraphs.push(cur.join(" "));
          cur = [];
        } else cur.push(body.trim());
        continue;
      }
      inDesc = false;
      const m = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(line);
      if (!m) continue;
      const [, key, value] = m as unknown as [string, string, string];
      if (key === "Package") pkg = value.trim();
      else if (key === "Description-md5") md5 = value.trim();
      else if (key === `Description-${lang}`) {
        synopsis = value.trim();
        inDesc = true;
      }
    }
    if (cur.length) paragraphs.push(cur.join(" "));
    if (pkg && md5 && synopsis !== undefined) out.push({ package: pkg, md5, synopsis, paragraphs });
  }
  return out;
}

/** Reads and parses every Translation-<lang> index apt has. */
export function readTranslations(lang: string, lists = LISTS): DdtpEntry[] {
  const files = translationFiles(lang, lists);
  if (!files.length)
    throw new FlambeauError(
      "E_IO",
      `DDTP: no Translation-${lang} index in ${lists}; run \`apt-get update -o Acquire::Languages=en,fr,de\` as root (npm run setup does)`,
    );
  return files.flatMap((f) => {
    const text = /\.(lz4|gz|xz|bz2|zst)$/.test(f)
      ? execFileSync("/usr/lib/apt/apt-helper", ["cat-file", f], { maxBuffer: 1 << 30, encoding: "utf8" })
      : readFileSync(f, "utf8");
    return parseTranslation(text, lang);
  });
}

/** Deterministic split of a group name: 90% train, 5% val, 5% test. */
export function splitOf(group: string): Split {
  const h = createHash("sha1").update(group).digest().readUInt32BE(0) / 2 ** 32;
  return h < 0.9 ? "train" : h < 0.95 ? "val" : "test";
}

function dedupe(pairs: TextPair[]): TextPair[] {
  const seen = new Set<string>();
  return pairs.filter((p) => {
    const k = `${p.source}\u0000${p.target}`;
    if (seen.has(k) || !p.source || !p.target) return false;
    seen.add(k);
    return true;
  });
}

/**
 * EN → `lang` pairs: each synopsis, and each paragraph where both sides have the same
 * number of paragraphs (DDTP translates paragraph by paragraph).
 */
export function translationPairs(en: DdtpEntry[], other: DdtpEntry[]): TextPair[] {
  const byMd5 = new Map(en.map((e) => [e.md5, e]));
  const pairs: TextPair[] = [];
  for (const t of other) {
    const e = byMd5.get(t.md5);
    if (!e) continue;
    pairs.push({ source: e.synopsis, target: t.synopsis, group: e.package, part: "synopsis" });
    if (e.paragraphs.length === t.paragraphs.length)
      e.paragraphs.forEach((p, i) => pairs.push({ source: p, target: t.paragraphs[i]!, group: e.package, part: "paragraph" }));
  }
  return dedupe(pairs);
}

/** Long description (all paragraphs) → synopsis, for summarization. */
export function summaryPairs(en: DdtpEntry[]): TextPair[] {
  return dedupe(
    en.filter((e) => e.paragraphs.length > 0).map((e) => ({ source: e.paragraphs.join(" "), target: e.synopsis, group: e.package })),
  );
}

export type DdtpCorpus = "en-fr" | "en-de" | "summaries";

/** The prepared corpus split, built from apt's indexes once and cached as JSONL. */
export async function loadDdtp(corpus: DdtpCorpus, split: Split): Promise<TextPair[]> {
  // v2: translation pairs say which part of the description they are.
  return cachedSplit({ folder: "ddtp", name: `${corpus}.v2`, op: "ddtp" }, split, () => {
    const en = readTranslations("en");
    const pairs = corpus === "summaries" ? summaryPairs(en) : translationPairs(en, readTranslations(corpus.slice(3)));
    return {
      train: pairs.filter((p) => splitOf(p.group) === "train"),
      val: pairs.filter((p) => splitOf(p.group) === "val"),
      test: pairs.filter((p) => splitOf(p.group) === "test"),
    };
  });
}
