// Named columns of a user's table file (CSV/TSV/JSONL/Parquet/Arrow), shared by every task that
// lets the person say which column holds what (--text-column, --source-column, --query-column …).
// A missing column is reported with the file, the line (or row) and the columns that are there,
// so a file exported with other names is fixed by a flag, not by editing the data.
import { FlambeauError } from "../core/errors.js";
import { readTableFile, type TableRows } from "./table-file.js";

const formatError = (op: string, at: string, msg: string): never => {
  throw new FlambeauError("E_FORMAT", `${op}: ${at}: ${msg}`, op);
};

const show = (v: unknown): string => (v === undefined ? "nothing" : JSON.stringify(v));

/** Formats whose header names the columns once (CSV, Parquet, Arrow); JSON lines may differ row by row. */
const isHeaded = (path: string): boolean => !/\.(jsonl|ndjson)(\.gz)?$/i.test(path);

/**
 * Throws when a headed table lacks one of `wanted` (at `path:1`); every row of a JSON-lines
 * table is checked as it is read by {@link requireCell}.
 */
export function checkColumns(op: string, path: string, table: TableRows, wanted: readonly string[]): void {
  if (!isHeaded(path)) return;
  for (const c of wanted)
    if (!table.columns.includes(c)) formatError(op, `${path}:1`, `no column "${c}"; columns are: ${table.columns.join(", ")}`);
}

/** The cell of `row` in column `col`, or an error naming where the row is and the columns it has. */
export function requireCell(op: string, at: string, row: Record<string, unknown>, col: string): unknown {
  if (!Object.hasOwn(row, col)) formatError(op, at, `no column "${col}"; columns are: ${Object.keys(row).join(", ")}`);
  return row[col];
}

export interface StringColumns<K extends string> {
  /** One record a row, keyed by role (e.g. `source`, `target`), holding that row's non-empty text. */
  rows: Record<K, string>[];
  /** Where each row came from ("file:17", "file row 17"), for the caller's own errors. */
  where: string[];
}

/**
 * Reads the columns named by `columns` (role → column name) of a table file as non-empty
 * strings. Numbers are read as their decimal text (a CSV of numeric ids and a JSONL of
 * numbers mean the same); anything else, a missing column or an empty cell is an error naming
 * the file, the line and the column.
 */
export async function readStringColumns<K extends string>(
  path: string,
  columns: Readonly<Record<K, string>>,
  op: string,
): Promise<StringColumns<K>> {
  const roles = Object.keys(columns) as K[];
  const table = await readTableFile(path, op);
  checkColumns(
    op,
    path,
    table,
    roles.map((k) => columns[k]),
  );
  const rows = table.rows.map((r, i) => {
    const at = table.where[i]!;
    const out = {} as Record<K, string>;
    for (const k of roles) {
      const col = columns[k];
      const v = requireCell(op, at, r, col);
      if (typeof v !== "string" && typeof v !== "number" && typeof v !== "bigint")
        formatError(op, at, `"${col}" must be text, got ${show(v)}`);
      const s = String(v);
      if (s.trim() === "") formatError(op, at, `empty "${col}"`);
      out[k] = s;
    }
    return out;
  });
  if (rows.length === 0) formatError(op, path, "no rows");
  return { rows, where: table.where };
}
