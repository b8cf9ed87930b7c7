// A retrieval test collection: queries, documents and which documents answer each query.
// The built-in `ddtp-retrieval` is built from Debian's package descriptions (apt's
// Translation-en index, the same split by package as ddtp-summaries): the query is a
// package's one-line synopsis, the relevant document its long description. Identical
// descriptions (a library and its -dev package often share one) are one document relevant
// to every query whose package has it. A user's CSV/TSV/JSONL/Parquet/Arrow file gives a query
// and a document column ("query" and "document" unless named otherwise), one relevant pair a row.
import { existsSync } from "node:fs";
import { FlambeauError } from "../../core/errors.js";
import { readStringColumns } from "../../data/table-columns.js";
import { loadDdtp, type Split } from "../seq2seq/ddtp.js";
import type { Qrels } from "./metrics.js";

export const RETRIEVAL_DATA = "ddtp-retrieval";

export interface Collection {
  queries: string[];
  documents: string[];
  /** The document each query's own row holds (its first relevant one). */
  positive: number[];
  qrels: Qrels[];
}

/** Builds the collection of (query, document) rows, merging identical documents. */
export function collectionOf(rows: readonly RetrievalRow[]): Collection {
  const docIndex = new Map<string, number>();
  const documents: string[] = [];
  const queries: string[] = [];
  const positive: number[] = [];
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
  return { queries, documents, positive, qrels: positive.map((d) => new Map([[d, 1]])) };
}

export interface RetrievalRow {
  query: string;
  document: string;
}

/** Which columns (JSON keys) of a user's file hold the query and its relevant document. */
export interface RetrievalColumns {
  query?: string;
  document?: string;
}

/** The collection of `data`'s `split` (a built-in name), or of every row of a user's file. */
export async function loadCollection(data: string, split: Split, columns: RetrievalColumns = {}): Promise<Collection> {
  return collectionOf(await loadRows(data, split, columns));
}

const OP = "information-retrieval";

const checkExists = (data: string): void => {
  if (!existsSync(data)) throw new FlambeauError("E_IO", `${OP}: no such file ${data} (built-in data: ${RETRIEVAL_DATA})`, OP);
};

/** The (query, relevant document) rows of `data`'s `split` (a built-in name), or every row of a user's file. */
export async function loadRows(data: string, split: Split, columns: RetrievalColumns = {}): Promise<RetrievalRow[]> {
  if (data === RETRIEVAL_DATA) return (await loadDdtp("summaries", split)).map((p) => ({ query: p.target, document: p.source }));
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
