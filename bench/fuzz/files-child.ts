// Runs file-reader fuzz cases (files.ts) in this process; the parent (run.ts --files) runs it
// under limits and reads which case was running when it died.
// Usage: node files-child.js --seed S --from A --to B   (generated cases A..B-1)
//        node files-child.js --replay DIR               (every <format>/*.bin under DIR)
// Prints "B <i>" before case i, and "DONE <json>" with outcome counts and non-Flambeau errors.
import { readdirSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { caseBytes, cleanScratch, FORMATS, type Format, readCase, seedFiles } from "./files.js";

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (k: string) => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const out = (s: string) => writeSync(1, `${s}\n`);
  const counts: Record<string, number> = {};
  const jsErrors: { i: number; op: string; outcome: string }[] = [];
  const record = (i: number, format: string, o: string) => {
    const key = o.startsWith("JS:") ? "JS" : o;
    counts[key] = (counts[key] ?? 0) + 1;
    if (key === "JS" && jsErrors.length < 50) jsErrors.push({ i, op: format, outcome: o });
  };
  const replay = opt("--replay");
  if (replay) {
    let i = 0;
    for (const format of FORMATS)
      for (const f of (() => {
        try {
          return readdirSync(join(replay, format)).sort();
        } catch {
          return [];
        }
      })()) {
        out(`B ${i}`);
        record(i++, `${format}/${f}`, await readCase(format as Format, readFileSync(join(replay, format, f))));
      }
  } else {
    const seeds = await seedFiles();
    const seed = Number(opt("--seed") ?? 1);
    const from = Number(opt("--from") ?? 0);
    const to = Number(opt("--to") ?? from + 100);
    for (let i = from; i < to; i++) {
      out(`B ${i}`);
      const c = caseBytes(seeds, seed, i);
      record(i, c.format, await readCase(c.format, c.bytes, c.variant));
    }
  }
  cleanScratch();
  out(`DONE ${JSON.stringify({ counts, jsErrors })}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
