// data inspect for labelled texts (CSV/TSV/JSONL) and CoNLL: read by the task's own readers,
// whose first error (file:line) becomes the problem; token lengths as the tasks tokenize.
import { exampleKey } from "../../data/split-keys.js";
import { readConll, readTextRecords } from "../../text/readers.js";
import { textTokens } from "../../text/text-data.js";
import { addProblem, type Scan } from "./scan.js";

export async function scanTextFile(path: string): Promise<Scan> {
  const scan: Scan = { path, format: "CSV/TSV/JSONL text,label", items: [], problems: [] };
  try {
    const r = await readTextRecords(path);
    r.texts.forEach((t, i) =>
      scan.items.push({
        key: exampleKey(t),
        where: r.where[i]!,
        label: r.labels[i]!,
        tokens: textTokens(t, Number.MAX_SAFE_INTEGER).length,
      }),
    );
  } catch (e) {
    addProblem(scan, (e as Error).message);
  }
  return scan;
}

export async function scanConll(path: string): Promise<Scan> {
  const scan: Scan = { path, format: "CoNLL token<TAB>tag", items: [], problems: [] };
  try {
    const sentences = await readConll(path);
    sentences.forEach((s, i) =>
      scan.items.push({ key: exampleKey(s.tokens.join("\t")), where: `${path} sentence ${i + 1}`, tags: s.tags, tokens: s.tokens.length }),
    );
  } catch (e) {
    addProblem(scan, (e as Error).message);
  }
  return scan;
}
