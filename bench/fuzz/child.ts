// Runs fuzz cases in this process and reports outcomes; the parent (run.ts) runs it under
// a memory budget, `ulimit -v` and a timeout, and reads which case was running when it died.
// Usage: node child.js --seed S --from A --to B      (generated cases A..B-1)
//        node child.js --cases file.json              (a JSON array of CaseSpec)
// Prints "B <i>" before case i, and "DONE <json>" with outcome counts and non-Flambeau errors.
import { readFileSync, writeSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as fl from "flambeau";
import { type CaseSpec, generateCase, materialize } from "./cases.js";
import { invoke, TARGETS } from "./targets.js";

export type Outcome = string;

/** Runs one case: "ok", a FlambeauError code, or "JS:<name>: <message>" for anything else thrown. */
export function runCase(c: CaseSpec): Outcome {
  try {
    fl.tidy(() => {
      const args = c.args.map((a) => materialize(fl, a));
      const r = invoke(c.op, args);
      touch(r);
    });
    return "ok";
  } catch (e) {
    if (e instanceof fl.FlambeauError) return e.code;
    const err = e as Error;
    return `JS:${err?.name}: ${String(err?.message).split("\n")[0]!.slice(0, 200)}`;
  } finally {
    if (!fl.isGradEnabled()) fl.autograd.setGradEnabled(true);
  }
}

/** Reads a result's data (small ones), so a kernel that wrote garbage metadata is exercised too. */
function touch(r: unknown, depth = 0): void {
  if (r instanceof fl.Tensor) {
    if (!r.disposed && r.numel <= 4096) r.toArray();
  } else if (Array.isArray(r) && depth < 2) for (const x of r.slice(0, 8)) touch(x, depth + 1);
  else if (r !== null && typeof r === "object" && depth < 2) for (const x of Object.values(r).slice(0, 8)) touch(x, depth + 1);
}

function main(): void {
  const argv = process.argv.slice(2);
  const opt = (k: string) => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const out = (s: string) => writeSync(1, `${s}\n`);
  const counts: Record<string, number> = {};
  const jsErrors: { i: number; op: string; outcome: string }[] = [];
  const record = (i: number, c: CaseSpec, o: Outcome) => {
    const key = o.startsWith("JS:") ? "JS" : o;
    counts[key] = (counts[key] ?? 0) + 1;
    if (key === "JS" && jsErrors.length < 50) jsErrors.push({ i, op: c.op, outcome: o });
  };
  const file = opt("--cases");
  if (file) {
    const cases = JSON.parse(readFileSync(file, "utf8")) as CaseSpec[];
    cases.forEach((c, i) => {
      out(`B ${i}`);
      record(i, c, runCase(c));
    });
  } else {
    const seed = Number(opt("--seed") ?? 1);
    const from = Number(opt("--from") ?? 0);
    const to = Number(opt("--to") ?? from + 100);
    for (let i = from; i < to; i++) {
      out(`B ${i}`);
      const c = generateCase(seed, i, TARGETS);
      record(i, c, runCase(c));
    }
  }
  out(`DONE ${JSON.stringify({ counts, jsErrors })}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
