// A retrieval test collection: queries, documents and which documents answer each query.
// The built-in `ddtp-retrieval` is built from Debian's package descriptions (apt's
// Translation-en index, the same split by package as ddtp-summaries): the query is a
// package's one-line synopsis, the relevant document its long description. Identical
// descriptions (a library and its -dev package often share one) are one document relevant
// to every query whose package has it. A user's CSV/TSV/JSONL/Parquet/Arrow file gives a query
// and a document column ("query" and "document" unless named otherwise), one relevant pair a row.
// The built-in `ddtp-retrieval-xl` is its cross-lingual variant: the queries are the French and
// German synopses DDTP's translators wrote (apt's Translation-fr/-de indexes), the documents
// the same English long descriptions; training also keeps the English synopses, so the one
// vocabulary and encoder learn all three languages against English documents.
import { existsSync } from "node:fs";
import { FlambeauError } from "../../core/errors.js";
import { readStringColumns } from "../../data/table-columns.js";
import { loadDdtp, type Split, type TextPair } from "../seq2seq/ddtp.js";
import type { Qrels } from "./metrics.js";

export const RETRIEVAL_DATA = "ddtp-retrieval";
export const CROSS_LINGUAL_DATA = "ddtp-retrieval-xl";
/** The built-in collections, each split by package into train, val and test. */
export const BUILT_IN_RETRIEVAL = [RETRIEVAL_DATA, CROSS_LINGUAL_DATA] as const;
/** The languages of the cross-lingual queries (the documents are English). */
export const QUERY_LANGUAGES = ["fr", "de"] as const;

export interface Collection {
  queries: string[];
  documents: string[];
  /** The document each query's own row holds (its first relevant one). */
  positive: number[];
  qrels: Qrels[];
  /** Each query's language, where the collection mixes them (the cross-lingual one). */
  languages?: string[];
}

/**
 * Builds the collection of (query, document) rows, merging identical documents; `documents`
 * seeds the collection with documents no query of `rows` needs (the distractors).
 */
export function collectionOf(rows: readonly RetrievalRow[], documentPool: readonly string[] = []): Collection {
  const docIndex = new Map<string, number>();
  const documents: string[] = [];
  const queries: string[] = [];
  const positive: number[] = [];
  for (const d of documentPool)
    if (!docIndex.has(d)) {
      docIndex.set(d, documents.length);
      documents.push(d);
    }
  for (const r of rows) {
    let d = docIndex.get(r.document);
    if (d === undefined) {
      d = documents.length;
      docIndex.set(r.document, d);
      documents.push(r.document);
    }
    queries.push(r.query);
    positive.push(d);
  }
  const languages = rows.every((r) => r.language !== undefined) && rows.length > 0 ? rows.map((r) => r.language!) : undefined;
  return { queries, documents, positive, qrels: positive.map((d) => new Map([[d, 1]])), ...(languages ? { languages } : {}) };
}

export interface RetrievalRow {
  query: string;
  document: string;
  /** The query's language (built-in collections). */
  language?: string;
}

/** Which columns (JSON keys) of a user's file hold the query and its relevant document. */
export interface RetrievalColumns {
  query?: string;
  document?: string;
}

/** The collection of `data`'s `split` (a built-in name), or of every row of a user's file. */
export async function loadCollection(data: string, split: Split, columns: RetrievalColumns = {}): Promise<Collection> {
  if (data !== CROSS_LINGUAL_DATA) return collectionOf(await loadRows(data, split, columns));
  // Cross-lingual queries search every English document of the split, as the English ones do.
  const summaries = await loadDdtp("summaries", split);
  return collectionOf(
    await crossLingualRows(split, summaries),
    summaries.map((p) => p.source),
  );
}

const englishRow = (p: TextPair): RetrievalRow => ({ query: p.target, document: p.source, language: "en" });
const englishRows = async (split: Split): Promise<RetrievalRow[]> => (await loadDdtp("summaries", split)).map(englishRow);

/**
 * The French and German synopses of `split`'s packages, each paired with its package's English
 * long description (`summaries`: the split's English synopsis → description pairs); training rows keep
 * the English synopses too (evaluation is cross-lingual only).
 */
async function crossLingualRows(split: Split, summaries: readonly TextPair[]): Promise<RetrievalRow[]> {
  const descriptionOf = new Map(summaries.map((p) => [p.group, p.source]));
  const rows: RetrievalRow[] = split === "train" ? summaries.map(englishRow) : [];
  for (const language of QUERY_LANGUAGES)
    for (const p of await loadDdtp(`en-${language}`, split)) {
      const document = p.part === "synopsis" ? descriptionOf.get(p.group) : undefined;
      if (document !== undefined) rows.push({ query: p.target, document, language });
    }
  return rows;
}

const OP = "information-retrieval";

const checkExists = (data: string): void => {
  if (!existsSync(data))
    throw new FlambeauError("E_IO", `${OP}: no such file ${data} (built-in data: ${BUILT_IN_RETRIEVAL.join(", ")})`, OP);
};

/** The (query, relevant document) rows of `data`'s `split` (a built-in name), or every row of a user's file. */
export async function loadRows(data: string, split: Split, columns: RetrievalColumns = {}): Promise<RetrievalRow[]> {
  if (data === RETRIEVAL_DATA) return englishRows(split);
  if (data === CROSS_LINGUAL_DATA) return crossLingualRows(split, await loadDdtp("summaries", split));
  checkExists(data);
  return (await readStringColumns(data, { query: columns.query ?? "query", document: columns.document ?? "document" }, OP)).rows;
}

/** The distinct documents of a user's table file (its document column alone: a corpus to search needs no queries). */
export async function loadDocuments(data: string, column = "document"): Promise<string[]> {
  checkExists(data);
  const { rows } = await readStringColumns(data, { document: column }, OP);
  return [...new Set(rows.map((r) => r.document))];
}

/** Lowercased alphanumeric words: the analyser of the BM25 baseline (no stemming, no stop list). */
export function bm25Tokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}
