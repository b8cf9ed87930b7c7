// Readers of labelled text files: CSV/TSV/JSONL/Parquet/Arrow rows with a text and a label
// column (named by the caller), and CoNLL (`token<TAB>tag` lines, sentences separated by blank
// lines). Every error names the file and the line (or row) so the person can fix the data.
import { FlambeauError } from "../core/errors.js";
import { readText } from "../data/files.js";
import { checkColumns, requireCell } from "../data/table-columns.js";
import { isTableFile, readTableFile } from "../data/table-file.js";

/** Texts with string labels, each with where it came from (file:line) for error messages. */
export interface TextRecords {
  texts: string[];
  /** One label per text; for multi-label data, the text's labels joined by "|". */
  labels: string[];
  where: string[];
  /** Multi-label data (a label cell holding a list): every text's labels, possibly none. */
  labelSets?: string[][];
}

/** Texts with class indices into `classes`. */
export interface LabelledTexts {
  texts: string[];
  /** A class per text; for multi-label data the first of its classes (−1 for none), for stratifying. */
  labels: number[];
  classes: string[];
  /** Multi-label data: the classes of each text (trained with a sigmoid per class). */
  targets?: number[][];
  /** A group per text (e.g. the speech it was cut from); splits never separate a group. */
  groups?: string[];
  source: string;
}

/** Which columns (JSON keys) hold the text and the label; default "text" and "label". */
export interface TextColumns {
  text?: string;
  label?: string;
}

/** The separator of labels in one CSV cell of multi-label data ("sports|politics"). */
export const LABEL_LIST_SEPARATOR = "|";

const formatError = (op: string, at: string, msg: string): never => {
  throw new FlambeauError("E_FORMAT", `${op}: ${at}: ${msg}`, op);
};

const show = (v: unknown): string => (v === undefined ? "nothing" : JSON.stringify(v));

/** A label cell as a list of labels, or null for a single label. */
function labelList(op: string, at: string, col: string, l: unknown): string[] | null {
  if (Array.isArray(l)) {
    return l.map((x) => {
      if (typeof x !== "string" && typeof x !== "number")
        formatError(op, at, `"${col}" list items must be strings or numbers, got ${show(x)}`);
      const s = String(x).trim();
      if (s === "") formatError(op, at, `an empty label in the "${col}" list`);
      return s;
    });
  }
  if (typeof l === "string" && l.includes(LABEL_LIST_SEPARATOR)) {
    const parts = l.split(LABEL_LIST_SEPARATOR).map((x) => x.trim());
    if (parts.some((x) => x === ""))
      formatError(op, at, `an empty label in ${JSON.stringify(l)} (labels are separated by "${LABEL_LIST_SEPARATOR}")`);
    return parts;
  }
  return null;
}

/**
 * Reads text/label records from a .csv, .tsv, .jsonl, .parquet or .arrow file (gzip allowed for
 * text formats). A label cell holding a list (`a|b`, or a JSON/Parquet list) makes the data
 * multi-label.
 */
export async function readTextRecords(path: string, columns: TextColumns = {}): Promise<TextRecords> {
  const op = "readTextRecords";
  const tc = columns.text ?? "text";
  const lc = columns.label ?? "label";
  const table = await readTableFile(path, op);
  const out: TextRecords = { texts: [], labels: [], where: [] };
  const sets: (string[] | null)[] = [];
  checkColumns(op, path, table, [tc, lc]);
  table.rows.forEach((r, i) => {
    const at = table.where[i]!;
    const t = requireCell(op, at, r, tc);
    const l = requireCell(op, at, r, lc);
    if (typeof t !== "string") formatError(op, at, `"${tc}" must be a string, got ${show(t)}`);
    if ((t as string).trim() === "") formatError(op, at, "empty text");
    const list = labelList(op, at, lc, l);
    if (list === null) {
      if (typeof l !== "string" && typeof l !== "number" && typeof l !== "bigint")
        formatError(op, at, `"${lc}" must be a string, a number or a list, got ${show(l)}`);
      if (String(l).trim() === "") formatError(op, at, "empty label");
    }
    out.texts.push(t as string);
    out.labels.push(list ? list.join(LABEL_LIST_SEPARATOR) : String(l).trim());
    out.where.push(at);
    sets.push(list);
  });
  if (out.texts.length === 0) formatError(op, path, "no records");
  if (sets.some((s) => s !== null)) out.labelSets = sets.map((s, i) => s ?? [out.labels[i]!]);
  return out;
}

/** Maps string labels to indices; with `classes` given (evaluation), an unseen label is an error. */
export function indexLabels(r: TextRecords, classes?: readonly string[], source = "<data>"): LabelledTexts {
  const op = "indexLabels";
  const sets = r.labelSets ?? r.labels.map((l) => [l]);
  const known = classes ? [...classes] : [...new Set(sets.flat())].sort();
  const id = new Map(known.map((c, i) => [c, i]));
  const targets = sets.map((ls, i) =>
    ls.map((l) => {
      const k = id.get(l);
      if (k === undefined)
        throw new FlambeauError(
          "E_FORMAT",
          `${op}: ${r.where[i]}: unknown label ${JSON.stringify(l)}; the model knows ${known.map((c) => JSON.stringify(c)).join(", ")}`,
          op,
        );
      return k;
    }),
  );
  const labels = targets.map((t) => t[0] ?? -1);
  return { texts: r.texts, labels, classes: known, ...(r.labelSets ? { targets } : {}), source };
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

/** Tag columns tried in order when a table names none: ours, then Hugging Face's conventions. */
const TAG_COLUMNS = ["tags", "ner_tags", "pos_tags"];

/**
 * Tagged sentences from a CoNLL file, or from a JSONL/Parquet/Arrow table with a `tokens` list
 * and a tag list (`tags`, `ner_tags` or `pos_tags`: strings, or Hugging Face ClassLabel ids,
 * read as their names) per row.
 */
export async function readTaggedSentences(path: string): Promise<TaggedSentence[]> {
  const op = "readTaggedSentences";
  if (!isTableFile(path) || /\.(csv|tsv|tab)(\.gz)?$/i.test(path)) return readConll(path);
  const table = await readTableFile(path, op);
  const out = table.rows.map((r, i) => {
    const at = table.where[i]!;
    const tagCol = TAG_COLUMNS.find((c) => Object.hasOwn(r, c));
    if (!Object.hasOwn(r, "tokens") || tagCol === undefined)
      formatError(
        op,
        at,
        `expected a "tokens" list and a ${TAG_COLUMNS.map((c) => `"${c}"`).join(" or ")} list; columns are: ${Object.keys(r).join(", ")}`,
      );
    const tokens = r.tokens;
    const tags = r[tagCol!];
    if (!Array.isArray(tokens) || !Array.isArray(tags)) formatError(op, at, `"tokens" and "${tagCol}" must be lists`);
    const tk = tokens as unknown[];
    const tg = tags as unknown[];
    if (tk.length !== tg.length) formatError(op, at, `${tk.length} tokens but ${tg.length} ${tagCol}`);
    tk.forEach((t, k) => {
      if (typeof t !== "string" || t.trim() === "") formatError(op, at, `token ${k + 1} is ${show(t)}, not a non-empty string`);
      if (typeof tg[k] !== "string" && typeof tg[k] !== "number" && typeof tg[k] !== "bigint")
        formatError(op, at, `tag ${k + 1} is ${show(tg[k])}, not a string or number`);
    });
    return { tokens: tk as string[], tags: tg.map((t) => String(t)) };
  });
  const sents = out.filter((s) => s.tokens.length > 0);
  if (sents.length === 0) formatError(op, path, "no sentences");
  return sents;
}

/** Writes sentences as CoNLL text. */
export const formatConll = (s: readonly TaggedSentence[]): string =>
  `${s.map((x) => x.tokens.map((t, i) => `${t}\t${x.tags[i]}`).join("\n")).join("\n\n")}\n`;
