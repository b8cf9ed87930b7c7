// The chat task's data: FAQ pairs split into train / val / test by position (every fifth
// pair is a held-out test question, every tenth of the rest watches training), and the
// passages retrieval searches: every FAQ answer (held-out ones too: the knowledge base is the
// documentation, the held-out part is the questions) and, for the built-in data, Debian
// package descriptions — those of packages the FAQ names, then a seeded sample.
import { Random } from "../../data/random.js";
import { bm25Tokens } from "../retrieval/collection.js";
import { readTranslations } from "../seq2seq/ddtp.js";
import { debianFaqPairs, type FaqPair, readFaqFile } from "./faq.js";
import type { Passage } from "./knowledge.js";

export const CHAT_DATA = "debian-faq";

export type ChatSplit = "train" | "val" | "test";

export const splitOfPair = (i: number): ChatSplit => (i % 5 === 2 ? "test" : i % 10 === 4 ? "val" : "train");

export interface ChatData {
  pairs: FaqPair[];
  passages: Passage[];
  /** Package descriptions among the passages, for extra "What is <package>?" training turns. */
  packages: { name: string; synopsis: string; description: string }[];
}

export interface ChatDataOptions {
  /** Package descriptions to index at most (built-in data only). */
  descriptions?: number;
  seed?: number;
  question?: string;
  answer?: string;
}

/** A package's passage: its name, synopsis and long description. */
export const packagePassage = (p: { name: string; synopsis: string; description: string }): string =>
  `${p.name}: ${p.synopsis}. ${p.description}`;

/** Distinct FAQ answers as passages, in order of first appearance. */
function answerPassages(pairs: readonly FaqPair[]): Passage[] {
  return [...new Set(pairs.map((p) => p.answer))].map((text) => ({ source: "faq", text }));
}

export async function loadChatData(data: string, o: ChatDataOptions = {}): Promise<ChatData> {
  if (data !== CHAT_DATA) {
    const pairs = await readFaqFile(data, o);
    return { pairs, passages: answerPassages(pairs), packages: [] };
  }
  const pairs = debianFaqPairs();
  const want = o.descriptions ?? 5000;
  const packages: ChatData["packages"] = [];
  if (want > 0) {
    const seen = new Set<string>();
    const entries = readTranslations("en").filter((e) => e.paragraphs.length && !seen.has(e.package) && seen.add(e.package));
    entries.sort((a, b) => (a.package < b.package ? -1 : a.package > b.package ? 1 : 0));
    const named = new Set(
      pairs.flatMap((p) => [...bm25Tokens(p.question), ...(p.answer.toLowerCase().match(/[a-z0-9][a-z0-9.+-]+/g) ?? [])]),
    );
    const first = entries.filter((e) => named.has(e.package));
    const rest = entries.filter((e) => !named.has(e.package));
    const order = new Random(o.seed ?? 0, 7).permutation(rest.length);
    const chosen = [...first.slice(0, want), ...Array.from(order.slice(0, Math.max(0, want - first.length)), (i) => rest[i]!)];
    for (const e of chosen) packages.push({ name: e.package, synopsis: e.synopsis, description: e.paragraphs.join(" ") });
  }
  const passages = [...answerPassages(pairs), ...packages.map((p) => ({ source: `package:${p.name}`, text: packagePassage(p) }))];
  return { pairs, passages, packages };
}
