// A WN18RR-like knowledge graph built from WordNet 3.0's own data files (Debian's
// wordnet-base, /usr/share/wordnet/data.{noun,verb,adj,adv}).
//
// Construction (documented in the README; Dettmers et al. 2018 built WN18RR from Bordes et
// al.'s WN18 the same way):
// 1. Every synset is an entity, named "<first lemma>.<pos>.<offset>" (pos n, v, a, r; satellite
//    adjectives count as a): offsets alone repeat across the four files.
// 2. Each pointer of the 18 WN18 relations becomes a triple (synset, relation, target). Lexical
//    pointers (derivationally related forms) link the synsets of the two words.
// 3. WN18's inverse relations are dropped: a test triple's inverse in training would give the
//    answer away (hyponym ↔ hypernym and so on). That leaves WN18RR's 11 relations, below; the
//    symmetric ones (derivationally related form, also see, verb group, similar to) stay, as
//    they do in WN18RR.
// 4. Duplicates and self-loops are removed. Optionally (the figure's budget) only the
//    `minDegree`-core is kept: entities in fewer triples are removed repeatedly until none is left.
// 5. The triples are shuffled with the seed; `valid` and `test` fractions are held out, and a
//    held-out triple naming an entity that no training triple names goes back to training
//    (a model cannot rank an entity it never saw, as in WN18RR).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { kCore, splitTriples } from "./split.js";
import type { KnowledgeGraph, Triples } from "./triples.js";

export const WORDNET_DIR = "/usr/share/wordnet";

/** WordNet pointer symbol → the WN18RR relation it becomes (the 7 WN18 inverses are left out). */
export const WN18RR_POINTERS: Readonly<Record<string, string>> = {
  "@": "_hypernym",
  "@i": "_instance_hypernym",
  "%m": "_member_meronym",
  "%p": "_has_part",
  ";c": "_synset_domain_topic_of",
  "-u": "_member_of_domain_usage",
  "-r": "_member_of_domain_region",
  "+": "_derivationally_related_form",
  "^": "_also_see",
  $: "_verb_group",
  "&": "_similar_to",
};

/** The WN18 relations left out, each the inverse of a kept one. */
export const WN18_INVERSES_DROPPED: Readonly<Record<string, string>> = {
  "~": "_hyponym (inverse of _hypernym)",
  "~i": "_instance_hyponym (inverse of _instance_hypernym)",
  "#m": "_member_holonym (inverse of _member_meronym)",
  "#p": "_part_of (inverse of _has_part)",
  "-c": "_member_of_domain_topic (inverse of _synset_domain_topic_of)",
  ";u": "_synset_domain_usage_of (inverse of _member_of_domain_usage)",
  ";r": "_synset_domain_region_of (inverse of _member_of_domain_region)",
};

const FILES = { n: "data.noun", v: "data.verb", a: "data.adj", r: "data.adv" } as const;
const posKey = (p: string): string => (p === "s" ? "a" : p);

export interface WordNetOptions {
  dir?: string;
  seed?: number;
  /** Held-out fractions (default 5 % each). */
  valid?: number;
  test?: number;
  /** Keep only the k-core: entities in at least this many triples (default 1: everything). */
  minDegree?: number;
}

/** The raw triples of WordNet's data files (steps 1–3), with entity names. */
export function parseWordNet(texts: Readonly<Record<string, string>>): { entities: string[]; rows: [string, string, string][] } {
  const name = new Map<string, string>();
  const rows: [string, string, string][] = [];
  for (const [pos, text] of Object.entries(texts)) {
    const lines = text.split("\n");
    for (let ln = 0; ln < lines.length; ln++) {
      const line = lines[ln]!;
      // The licence header's lines start with two spaces.
      if (line === "" || line.startsWith("  ")) continue;
      const f = line.slice(0, line.indexOf(" | ") < 0 ? line.length : line.indexOf(" | ")).split(" ");
      const wCnt = Number.parseInt(f[3]!, 16);
      if (!/^\d{8}$/.test(f[0]!) || !Number.isInteger(wCnt))
        throw new FlambeauError("E_FORMAT", `wordnet: ${FILES[pos as keyof typeof FILES] ?? pos}:${ln + 1}: not a synset line`, "wordnet");
      const self = `${f[0]}${posKey(f[2]!)}`;
      name.set(self, `${f[4]!.toLowerCase()}.${posKey(f[2]!)}.${f[0]}`);
      let k = 4 + 2 * wCnt;
      const pCnt = Number(f[k]);
      k++;
      for (let p = 0; p < pCnt; p++, k += 4) {
        const rel = WN18RR_POINTERS[f[k]!];
        if (rel) rows.push([self, rel, `${f[k + 1]}${posKey(f[k + 2]!)}`]);
      }
    }
  }
  const named = rows
    .filter(([h, , t]) => h !== t && name.has(t))
    .map(([h, r, t]): [string, string, string] => [name.get(h)!, r, name.get(t)!]);
  const seen = new Set<string>();
  const unique = named.filter((r) => {
    const key = r.join("\t");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { entities: [...name.values()], rows: unique };
}

/** The WN18RR-like graph of this machine's WordNet (see the construction above). */
export function wordNetGraph(o: WordNetOptions = {}): KnowledgeGraph {
  const dir = o.dir ?? WORDNET_DIR;
  const texts: Record<string, string> = {};
  for (const [pos, file] of Object.entries(FILES)) {
    const path = join(dir, file);
    if (!existsSync(path)) throw new FlambeauError("E_IO", `wordnet: ${path} not found (apt-get install wordnet-base)`, "wordnet");
    texts[pos] = readFileSync(path, "latin1");
  }
  const { rows } = parseWordNet(texts);
  const kept = (o.minDegree ?? 1) > 1 ? kCore(rows, o.minDegree!) : rows;
  return splitTriples(kept, { seed: o.seed ?? 0, valid: o.valid ?? 0.05, test: o.test ?? 0.05 });
}

/** Counts per relation of a triple set, for the data-set summary. */
export function relationCounts(t: Triples, names: readonly string[]): Record<string, number> {
  const c: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (const r of t.relations) c[names[r]!]!++;
  return c;
}
