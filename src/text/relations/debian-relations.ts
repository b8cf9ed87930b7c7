// Distant supervision (Mintz et al. 2009) on Debian: a package's long description (apt's
// Translation-en index) that names another package is a relation candidate, labelled with the
// relation the Packages index records from the described package to the named one — Depends
// (Pre-Depends included), Recommends, Suggests, Provides, Replaces (the first of these when
// several hold) — or none. A mention is a whole word equal to a package name (or a name that
// a relation field lists, such as a virtual package), at least 3 characters, not an English
// function word; each sentence that names it is one example (at most 3 per pair). Examples are
// split by the described package (80/10/10 by a hash of its name), so held-out packages are never
// seen in training. A user's .jsonl gives rows {head, tail, text, relation} (the tail must occur
// in the text; relation "none" or one of RELATIONS).
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { FlambeauError } from "../../core/errors.js";
import { cachedSplit } from "../../data/cache.js";
import { packageStanzas, packagesListFiles, readAptList, relationNames } from "../../data/debian-packages-index.js";
import { readJsonl } from "../../data/jsonl.js";
import { readTranslations } from "../seq2seq/ddtp.js";
import { findMention } from "./markers.js";

export const RELATION_DATA = "debian-relations";
/** The classes, none first. */
export const RELATIONS = ["none", "Depends", "Recommends", "Suggests", "Provides", "Replaces"] as const;
export type Split = "train" | "val" | "test";
const OP = "relation-extraction";
const PER_PAIR = 3;
const FIELD: Record<string, number> = { Depends: 1, "Pre-Depends": 1, Recommends: 2, Suggests: 3, Provides: 4, Replaces: 5 };
/** Function words that are also package names ("the", "and", "which" …): never mentions. */
const FUNCTION_WORDS = new Set(
  "the and which only between when most since instead due about above after again also any because been before both but can could does during each from have here into just many more must not now off once other over same should some such than that their them then there these they this those through under until very was were what where while who will with within without would you your".split(
    " ",
  ),
);

export interface RelationExample {
  head: string;
  tail: string;
  /** The sentence. */
  text: string;
  /** Character offset of the tail mention in the text. */
  at: number;
  /** Index into the data set's relations (RELATIONS here). */
  relation: number;
  /** What the head stands for when a head word is ambiguous (a WordNet synset offset); pairs are keyed by it. */
  group?: string;
}

/** 80% train, 10% val, 10% test by a hash of the described package. */
export function relationSplit(pkg: string): Split {
  const h = createHash("sha1").update(pkg).digest().readUInt32BE(0) / 2 ** 32;
  return h < 0.8 ? "train" : h < 0.9 ? "val" : "test";
}

/** Sentences of a paragraph: split after . ! ? followed by space and a capital or an opening bracket. */
export const sentences = (paragraph: string): string[] =>
  paragraph
    .split(/(?<=[.!?])\s+(?=[A-Z("'])/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Package → (named package → relation index), and every name a mention may be. */
export function packageRelations(texts: readonly string[]): { relations: Map<string, Map<string, number>>; names: Set<string> } {
  const relations = new Map<string, Map<string, number>>();
  const names = new Set<string>();
  for (const text of texts)
    for (const fields of packageStanzas(text)) {
      const pkg = fields.get("Package")?.trim();
      if (!pkg) continue;
      names.add(pkg);
      const m = relations.get(pkg) ?? new Map<string, number>();
      for (const [key, value] of fields) {
        const r = FIELD[key];
        if (r === undefined) continue;
        for (const t of relationNames(value)) {
          names.add(t);
          if (t !== pkg && !(m.get(t)! <= r)) m.set(t, r);
        }
      }
      relations.set(pkg, m);
    }
  return { relations, names };
}

const CANDIDATE = /(?<![A-Za-z0-9+_/@.-])[a-z0-9][a-z0-9+.-]*[a-z0-9+]/g;

/** The candidates of one package's description paragraphs (at most PER_PAIR sentences per named package). */
export function candidates(
  pkg: string,
  paragraphs: readonly string[],
  names: ReadonlySet<string>,
  relations: ReadonlyMap<string, number> | undefined,
): RelationExample[] {
  const out: RelationExample[] = [];
  const count = new Map<string, number>();
  for (const p of paragraphs)
    for (const text of sentences(p)) {
      const seen = new Set<string>();
      for (const m of text.matchAll(CANDIDATE)) {
        const tail = m[0];
        if (tail === pkg || seen.has(tail) || tail.length < 3 || FUNCTION_WORDS.has(tail) || !names.has(tail)) continue;
        const at = findMention(text, tail);
        if (at < 0 || (count.get(tail) ?? 0) >= PER_PAIR) continue;
        seen.add(tail);
        count.set(tail, (count.get(tail) ?? 0) + 1);
        out.push({ head: pkg, tail, text, at, relation: relations?.get(tail) ?? 0 });
      }
    }
  return out;
}

function build(): Record<Split, RelationExample[]> {
  const files = packagesListFiles();
  if (!files.length)
    throw new FlambeauError("E_IO", `${OP}: no *_Packages lists in /var/lib/apt/lists (run apt-get update; npm run setup does)`, OP);
  const { relations, names } = packageRelations(files.map(readAptList));
  const out: Record<Split, RelationExample[]> = { train: [], val: [], test: [] };
  const done = new Set<string>();
  for (const e of readTranslations("en")) {
    if (done.has(e.package) || !relations.has(e.package)) continue;
    done.add(e.package);
    out[relationSplit(e.package)].push(...candidates(e.package, e.paragraphs, names, relations.get(e.package)));
  }
  return out;
}

function checkRow(r: Record<string, unknown>, where: string): RelationExample {
  const { head, tail, text, relation } = r;
  if (typeof head !== "string" || typeof tail !== "string" || typeof text !== "string" || !head || !tail)
    throw new FlambeauError("E_FORMAT", `${where} needs string fields "head", "tail", "text" and "relation"`, OP);
  const rel = RELATIONS.indexOf((relation ?? "none") as (typeof RELATIONS)[number]);
  if (rel < 0)
    throw new FlambeauError("E_FORMAT", `${where}: relation ${JSON.stringify(relation)} is not one of ${RELATIONS.join(", ")}`, OP);
  const at = findMention(text, tail);
  if (at < 0) throw new FlambeauError("E_FORMAT", `${where}: the tail "${tail}" is not a word of the text`, OP);
  return { head, tail, text, at, relation: rel };
}

/** The examples of the built-in set's `split`, or every row of a user's .jsonl. */
export async function loadRelations(data: string, split: Split): Promise<RelationExample[]> {
  if (data === RELATION_DATA) return cachedSplit({ folder: "relations", name: "debian-relations.v1", op: OP }, split, build);
  if (!existsSync(data)) throw new FlambeauError("E_IO", `${OP}: no such file ${data} (built-in data: ${RELATION_DATA})`, OP);
  if (!/\.jsonl?$/i.test(data))
    throw new FlambeauError("E_FORMAT", `${OP}: ${data}: expected a .jsonl file with head, tail, text, relation`, OP);
  return (await readJsonl(data)).map((r, i) => checkRow(r as Record<string, unknown>, `${OP}: ${data} row ${i + 1}`));
}

/** The candidate pairs (head, tail) of examples and the examples of each, in first-seen order. */
export function pairsOf(xs: readonly RelationExample[]): { head: string; tail: string; gold: number; examples: number[] }[] {
  const byKey = new Map<string, { head: string; tail: string; gold: number; examples: number[] }>();
  xs.forEach((x, i) => {
    const k = `${x.group ?? x.head}\u0000${x.tail}`;
    const p = byKey.get(k) ?? { head: x.head, tail: x.tail, gold: x.relation, examples: [] };
    p.examples.push(i);
    byKey.set(k, p);
  });
  return [...byKey.values()];
}
