// Readers of labelled text files: CSV/TSV/JSONL with `text` and `label` columns, and CoNLL
// (`token<TAB>tag` lines, sentences separated by blank lines). Every error names the file and
// the line (or row) so the person can fix the data.
import { extname } from "node:path";
import { FlambeauError } from "../core/errors.js";
import { parseCsv } from "../data/csv.js";
import { readText } from "../data/files.js";

/** Texts with string labels, each with where it came from (file:line) for error messages. */
export interface TextRecords {
  texts: string[];
  labels: string[];
  where: string[];
}

/** Texts with class indices into `classes`. */
export interface LabelledTexts {
  texts: string[];
  labels: number[];
  classes: string[];
  /** A group per text (e.g. the speech it was cut from); splits never separate a group. */
  groups?: string[];
  source: string;
}

const formatError = (op: string, at: string, msg: string): never => {
  throw new FlambeauError("E_FORMAT", `${op}: ${at}: ${msg}`, op);
};

/** Reads text/label records from a .csv, .tsv or .jsonl file (gzip allowed). */
export async function readTextRecords(path: string): Promise<TextRecords> {
  const op = "readTextRecords";
  const ext = extname(path.replace(/\.gz$/, "")).toLowerCase();
  const text = await readText(op, path);
  const out: TextRecords = { texts: [], labels: [], where: [] };
  const push = (t: unknown, l: unknown, at: string) => {
    if (typeof t !== "string") formatError(op, at, `"text" must be a string, got ${t === undefined ? "nothing" : JSON.stringify(t)}`);
    if (typeof l !== "string" && typeof l !== "number")
      formatError(op, at, `"label" must be a string or number, got ${l === undefined ? "nothing" : JSON.stringify(l)}`);
    if ((t as string).trim() === "") formatError(op, at, "empty text");
    if (String(l).trim() === "") formatError(op, at, "empty label");
    out.texts.push(t as string);
    out.labels.push(String(l).trim());
    out.where.push(at);
  };
  if (ext === ".jsonl" || ext === ".ndjson") {
    const lines = text.split("\n");
    lines.forEach((raw, k) => {
      const line = raw.replace(/\r$/, "");
      if (line.trim() === "") return;
      const at = `${path}:${k + 1}`;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch (e) {
        formatError(op, at, `invalid JSON (${(e as Error).message})`);
      }
      if (v === null || typeof v !== "object" || Array.isArray(v)) formatError(op, at, "expected a JSON object with text and label");
      const r = v as Record<string, unknown>;
      push(r.text, r.label, at);
    });
  } else if (ext === ".csv" || ext === ".tsv" || ext === ".tab") {
    const table = parseCsv(text, { delimiter: ext === ".csv" ? "," : "\t" }, path);
    for (const c of ["text", "label"])
      if (!table.columns.includes(c))
        formatError(op, `${path}:1`, `the header has no "${c}" column (columns: ${table.columns.join(", ")})`);
    // Physical lines of each row: the header is line 1 and quoted fields may span lines.
    let line = 2;
    for (const row of table.rows) {
      push(row.text, row.label, `${path}:${line}`);
      line += 1 + Object.values(row).reduce((a, f) => a + (f.match(/\n/g)?.length ?? 0), 0);
    }
  } else {
    throw new FlambeauError("E_ARG", `${op}: ${path}: unknown extension "${ext}" (expected .csv, .tsv or .jsonl)`, op);
  }
  if (out.texts.length === 0) formatError(op, path, "no records");
  return out;
}

/** Maps string labels to indices; with `classes` given (evaluation), an unseen label is an error. */
export function indexLabels(r: TextRecords, classes?: readonly string[], source = "<data>"): LabelledTexts {
  const op = "indexLabels";
  const known = classes ? [...classes] : [...new Set(r.labels)].sort();
  const id = new Map(known.map((c, i) => [c, i]));
  const labels = r.labels.map((l, i) => {
    const k = id.get(l);
    if (k === undefined)
      throw new FlambeauError(
        "E_FORMAT",
        `${op}: ${r.where[i]}: unknown label ${JSON.stringify(l)}; the model knows ${known.map((c) => JSON.stringify(c)).join(", ")}`,
        op,
      );
    return k;
  });
  return { texts: r.texts, labels, classes: known, source };
}

export interface TaggedSentence {
  tokens: string[];
  tags: string[];
}

/** Parses CoNLL text: one `token<TAB>tag` per line (extra middle columns ignored), blank lines between sentences, `#` comment lines skipped. */
export function parseConll(text: string, source = "<text>"): TaggedSentence[] {
  const op = "readConll";
  const out: TaggedSentence[] = [];
  let cur: TaggedSentence = { tokens: [], tags: [] };
  const lines = text.split("\n");
  lines.forEach((raw, k) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") {
      if (cur.tokens.length) out.push(cur);
      cur = { tokens: [], tags: [] };
      return;
    }
    if (line.startsWith("#") && cur.tokens.length === 0) return;
    const cols = line.split("\t");
    const at = `${source}:${k + 1}`;
    if (cols.length < 2) formatError(op, at, `expected "token<TAB>tag", got ${JSON.stringify(line.slice(0, 60))} (no tab)`);
    const token = cols[0]!;
    const tag = cols[cols.length - 1]!.trim();
    if (token.trim() === "") formatError(op, at, "empty token");
    if (tag === "") formatError(op, at, `empty tag for token ${JSON.stringify(token)}`);
    cur.tokens.push(token);
    cur.tags.push(tag);
  });
  if (cur.tokens.length) out.push(cur);
  if (out.length === 0) formatError(op, source, "no sentences");
  return out;
}

export async function readConll(path: string): Promise<TaggedSentence[]> {
  return parseConll(await readText("readConll", path), path);
}

/** Writes sentences as CoNLL text. */
export const formatConll = (s: readonly TaggedSentence[]): string =>
  `${s.map((x) => x.tokens.map((t, i) => `${t}\t${x.tags[i]}`).join("\n")).join("\n\n")}\n`;
