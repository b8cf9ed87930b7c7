// One reader for the tabular files users bring (CSV/TSV with a sniffed delimiter, JSON Lines,
// Parquet, Arrow IPC): rows as records, each with the place it came from ("file:17" for text
// formats, "file row 17" for binary ones) so a reader above can name the offending line.
import { extname } from "node:path";
import { FlambeauError } from "../core/errors.js";
import { parseCsv, sniffDelimiter } from "./csv.js";
import { readText } from "./files.js";
import { parseJsonlRows } from "./jsonl.js";

export interface TableRows {
  /** The header (CSV), the columns of the schema (Parquet, Arrow) or the first row's keys (JSONL). */
  columns: string[];
  rows: Record<string, unknown>[];
  /** Where each row came from, for error messages. */
  where: string[];
}

export const TABLE_EXTENSIONS = [".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".parquet", ".arrow", ".feather", ".ipc"] as const;

/** The extension that picks the reader (a trailing .gz ignored), lowercased. */
export const tableExtension = (path: string): string => extname(path.replace(/\.gz$/i, "")).toLowerCase();

export const isTableFile = (path: string): boolean => (TABLE_EXTENSIONS as readonly string[]).includes(tableExtension(path));

/** Reads a table file by its extension; `op` names the caller in errors. */
export async function readTableFile(path: string, op = "readTableFile"): Promise<TableRows> {
  const ext = tableExtension(path);
  if (ext === ".jsonl" || ext === ".ndjson") {
    const { rows, lines } = parseJsonlRows(await readText(op, path), path);
    return { columns: rows.length ? Object.keys(rows[0]!) : [], rows, where: lines.map((l) => `${path}:${l}`) };
  }
  if (ext === ".csv" || ext === ".tsv" || ext === ".tab") {
    const text = await readText(op, path);
    const table = parseCsv(text, { delimiter: sniffDelimiter(text, path) }, path);
    return { columns: table.columns, rows: table.rows, where: table.lines!.map((l) => `${path}:${l}`) };
  }
  if (ext === ".parquet" || ext === ".arrow" || ext === ".feather" || ext === ".ipc") {
    // Loaded on demand: the columnar readers are needed only by those who bring such files.
    const { readParquet, readArrow } = await import("./parquet.js");
    const t = ext === ".parquet" ? await readParquet(path) : await readArrow(path);
    return { ...t, where: t.rows.map((_, i) => `${path} row ${i + 1}`) };
  }
  throw new FlambeauError("E_ARG", `${op}: ${path}: unknown extension "${ext}" (expected ${TABLE_EXTENSIONS.join(", ")})`, op);
}
