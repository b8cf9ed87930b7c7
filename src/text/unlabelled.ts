// Unlabelled text for pre-training: a comma-separated list of sources, each a built-in set
// (its training split, or its test split for evaluation; labels dropped), a .txt file (one document per blank-line-separated
// paragraph) or a .jsonl/.csv/.tsv file with a `text` field (other fields ignored).
import { existsSync, statSync } from "node:fs";
import { extname } from "node:path";
import { FlambeauError } from "../core/errors.js";
import { parseCsv } from "../data/csv.js";
import { readText } from "../data/files.js";
import { BUILTIN_TEXT_SETS, type TextSplit } from "./datasets/corpora.js";
import { loadTextData } from "./text-data.js";

const OP = "readUnlabelledTexts";
const fail = (at: string, msg: string): never => {
  throw new FlambeauError("E_FORMAT", `${OP}: ${at}: ${msg}`, OP);
};

async function readFileTexts(path: string): Promise<string[]> {
  const ext = extname(path.replace(/\.gz$/, "")).toLowerCase();
  const text = await readText(OP, path);
  const out: string[] = [];
  if (ext === ".txt" || ext === ".text" || ext === ".md") {
    for (const p of text.split(/\r?\n[ \t]*\r?\n/)) if (p.trim() !== "") out.push(p.trim());
  } else if (ext === ".jsonl" || ext === ".ndjson") {
    text.split("\n").forEach((raw, k) => {
      const line = raw.replace(/\r$/, "");
      if (line.trim() === "") return;
      const at = `${path}:${k + 1}`;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch (e) {
        fail(at, `invalid JSON (${(e as Error).message})`);
      }
      const t = (v as { text?: unknown } | null)?.text;
      if (typeof t !== "string") fail(at, `expected a JSON object with a "text" string, got ${line.slice(0, 60)}`);
      if ((t as string).trim() !== "") out.push(t as string);
    });
  } else if (ext === ".csv" || ext === ".tsv" || ext === ".tab") {
    const table = parseCsv(text, { delimiter: ext === ".csv" ? "," : "\t" }, path);
    if (!table.columns.includes("text")) fail(`${path}:1`, `the header has no "text" column (columns: ${table.columns.join(", ")})`);
    for (const row of table.rows) if ((row.text ?? "").trim() !== "") out.push(row.text!);
  } else {
    throw new FlambeauError("E_ARG", `${OP}: ${path}: unknown extension "${ext}" (expected .txt, .jsonl, .csv or .tsv)`, OP);
  }
  if (out.length === 0) fail(path, "no non-empty texts");
  return out;
}

/** The texts of every source in `data` ("a.txt,b.jsonl,spam-assassin"); `split` picks a built-in set's side. */
export async function readUnlabelledTexts(data: string, split: TextSplit = "train"): Promise<string[]> {
  const sources = data
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (sources.length === 0) throw new FlambeauError("E_ARG", `${OP}: no data source given`, OP);
  const out: string[] = [];
  for (const s of sources) {
    if ((BUILTIN_TEXT_SETS as readonly string[]).includes(s)) out.push(...(await loadTextData(s, split)).texts);
    else if (existsSync(s) && statSync(s).isFile()) out.push(...(await readFileTexts(s)));
    else
      throw new FlambeauError(
        "E_IO",
        `${OP}: ${JSON.stringify(s)}: no such file, and not a built-in set (${BUILTIN_TEXT_SETS.join(", ")})`,
        OP,
      );
  }
  return out;
}
