// CSV / TSV (RFC 4180): fields separated by a delimiter, records by CRLF or LF, fields
// quoted with " when they hold a delimiter, a quote ("" inside quotes) or a line break.
// The first record is the header. Errors give the file and the line.
import { extname } from "node:path";
import { FlambeauError } from "../core/errors.js";
import { readText } from "./files.js";

export interface CsvOptions {
  /** Field separator, one character; default "\t" for .tsv/.tab files, else ",". */
  delimiter?: string;
}

export interface CsvTable {
  columns: string[];
  rows: Record<string, string>[];
  /** The 1-based line each row starts on (for errors that name the line). */
  lines?: number[];
}

function csvError(source: string, line: number, message: string): never {
  throw new FlambeauError("E_FORMAT", `readCsv: ${source}:${line}: ${message}`, "readCsv");
}

/** Splits CSV text into records of fields, each with the line it starts on. */
function records(text: string, delim: string, source: string): { fields: string[]; line: number }[] {
  const out: { fields: string[]; line: number }[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = "";
      if (text[i] === '"') {
        const openLine = line;
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) csvError(source, openLine, 'unterminated quoted field (a " opened here is never closed)');
          const chunk = text.slice(i, q);
          for (let k = chunk.indexOf("\n"); k >= 0; k = chunk.indexOf("\n", k + 1)) line++;
          field += chunk;
          if (text[q + 1] === '"') {
            field += '"';
            i = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        const after = text[i];
        if (i < n && after !== delim && after !== "\n" && after !== "\r")
          csvError(source, line, `unexpected ${JSON.stringify(after)} after a closing quote (write "" for a quote inside a quoted field)`);
      } else {
        let j = i;
        while (j < n && text[j] !== delim && text[j] !== "\n" && text[j] !== "\r") j++;
        field = text.slice(i, j);
        const q = field.indexOf('"');
        if (q >= 0)
          csvError(source, line, `stray " in unquoted field ${JSON.stringify(field)} (quote the whole field and double inner quotes)`);
        i = j;
      }
      fields.push(field);
      if (i >= n) break;
      const c = text[i];
      if (c === delim) {
        i++;
        continue;
      }
      // end of record: \n, \r\n or a lone \r
      if (c === "\r") i++;
      if (text[i] === "\n") i++;
      line++;
      break;
    }
    // A blank line is not a record of one empty field.
    if (!(fields.length === 1 && fields[0] === "")) out.push({ fields, line: start });
  }
  return out;
}

/** Parses CSV text with a header row; `source` names it in errors. */
export function parseCsv(text: string, options: CsvOptions = {}, source = "<text>"): CsvTable {
  const delim = options.delimiter ?? ",";
  if (typeof delim !== "string" || delim.length !== 1 || delim === '"' || delim === "\n" || delim === "\r")
    throw new FlambeauError(
      "E_ARG",
      `readCsv: delimiter must be one character other than a quote or a line break, got ${JSON.stringify(delim)}`,
      "readCsv",
    );
  const recs = records(text, delim, source);
  if (recs.length === 0) csvError(source, 1, "empty file: expected a header row");
  const header = recs[0]!;
  const columns = header.fields;
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) csvError(source, header.line, `duplicate column name ${JSON.stringify(c)} in the header`);
    seen.add(c);
  }
  const rows = recs.slice(1).map(({ fields, line }) => {
    if (fields.length !== columns.length)
      csvError(source, line, `${fields.length} fields, the header has ${columns.length} (${columns.join(delim)})`);
    const row: Record<string, string> = {};
    // defineProperty: a column named "__proto__" must be an ordinary key
    columns.forEach((c, k) => {
      Object.defineProperty(row, c, { value: fields[k]!, enumerable: true, writable: true, configurable: true });
    });
    return row;
  });
  return { columns, rows, lines: recs.slice(1).map((r) => r.line) };
}

const CANDIDATES = [",", "\t", ";", "|"] as const;

/**
 * The delimiter of a delimited text: a tab for .tsv/.tab names; otherwise the candidate
 * (, tab ; |) found most often outside quotes in the header line, "," when none is, so a
 * semicolon "CSV" written by a spreadsheet in a comma-decimal locale reads as it was meant.
 */
export function sniffDelimiter(text: string, path = ""): string {
  const ext = extname(path.endsWith(".gz") ? path.slice(0, -3) : path).toLowerCase();
  if (ext === ".tsv" || ext === ".tab") return "\t";
  const counts = new Map<string, number>(CANDIDATES.map((c) => [c, 0]));
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === "\n" || c === "\r")) break;
    else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  let best = ",";
  for (const c of CANDIDATES) if (counts.get(c)! > counts.get(best)!) best = c;
  return best;
}

/** Reads a CSV or TSV file (UTF-8, gzip-transparent) with a header row; the delimiter is sniffed unless given. */
export async function readCsv(path: string, options: CsvOptions = {}): Promise<CsvTable> {
  const text = await readText("readCsv", path);
  const delimiter = options.delimiter ?? sniffDelimiter(text, path);
  return parseCsv(text, { ...options, delimiter }, path);
}
