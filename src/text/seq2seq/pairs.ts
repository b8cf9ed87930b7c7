// Source–target text pairs for translation and summarization: the built-in DDTP corpora
// by name, or a user's CSV/TSV/JSONL/Parquet/Arrow file with a source and a target column
// ("source" and "target" unless named otherwise).

import { existsSync } from "node:fs";
import { FlambeauError } from "../../core/errors.js";
import { readStringColumns } from "../../data/table-columns.js";
import { type DdtpCorpus, loadDdtp, type TextPair } from "./ddtp.js";

const BUILT_IN: Record<string, DdtpCorpus> = {
  "ddtp-en-fr": "en-fr",
  "ddtp-en-de": "en-de",
  "ddtp-summaries": "summaries",
};
/** The synopsis lines alone: short, formulaic sentences a small model learns on a CPU. */
const SYNOPSES: Record<string, DdtpCorpus> = {
  "ddtp-en-fr-synopses": "en-fr",
  "ddtp-en-de-synopses": "en-de",
};

export const PAIR_DATA_NAMES = [...Object.keys(BUILT_IN), ...Object.keys(SYNOPSES)];

/** Which columns (JSON keys) of a user's file hold the source and the target text. */
export interface PairColumns {
  source?: string;
  target?: string;
}

/** Pairs of `data` (a built-in name's split, or every row of a file, read from `columns`). */
export async function loadPairs(data: string, split: "train" | "val" | "test", columns: PairColumns = {}): Promise<TextPair[]> {
  const corpus = BUILT_IN[data];
  if (corpus) return loadDdtp(corpus, split);
  const synopses = SYNOPSES[data];
  if (synopses) return (await loadDdtp(synopses, split)).filter((p) => p.part === "synopsis");
  if (!existsSync(data)) throw new FlambeauError("E_IO", `text pairs: no such file ${data} (built-in data: ${PAIR_DATA_NAMES.join(", ")})`);
  const { rows } = await readStringColumns(data, { source: columns.source ?? "source", target: columns.target ?? "target" }, "text pairs");
  return rows.map((r, i) => ({ ...r, group: String(i) }));
}
