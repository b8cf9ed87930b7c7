// Source–target text pairs for translation and summarization: the built-in DDTP corpora
// by name, or a user's CSV/TSV/JSONL file with `source` and `target` fields.

import { existsSync } from "node:fs";
import { FlambeauError } from "../../core/errors.js";
import { readCsv, readJsonl } from "../../data/index.js";
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

/** Pairs of `data` (a built-in name's split, or every row of a file). */
export async function loadPairs(data: string, split: "train" | "val" | "test"): Promise<TextPair[]> {
  const corpus = BUILT_IN[data];
  if (corpus) return loadDdtp(corpus, split);
  const synopses = SYNOPSES[data];
  if (synopses) return (await loadDdtp(synopses, split)).filter((p) => p.part === "synopsis");
  if (!existsSync(data)) throw new FlambeauError("E_IO", `text pairs: no such file ${data} (built-in data: ${PAIR_DATA_NAMES.join(", ")})`);
  const rows: Record<string, unknown>[] = /\.jsonl?$/i.test(data) ? await readJsonl(data) : (await readCsv(data)).rows;
  return rows.map((r, i) => {
    const { source, target } = r;
    if (typeof source !== "string" || typeof target !== "string")
      throw new FlambeauError(
        "E_FORMAT",
        `text pairs: ${data} row ${i + 1} needs string fields "source" and "target", got ${JSON.stringify(r).slice(0, 120)}`,
      );
    if (!source.trim()) throw new FlambeauError("E_FORMAT", `text pairs: ${data} row ${i + 1} has an empty source`);
    return { source, target, group: String(i) };
  });
}
