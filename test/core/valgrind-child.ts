// The regression suite's native calls in one process, for valgrind (not a test file):
// every crash-class snippet (crash-cases.ts), every saved fuzz regression, the first fuzz
// smoke cases and the kept file-reader corpus. Exits 0 when every snippet was rejected
// with a FlambeauError; valgrind's --error-exitcode reports invalid reads and writes.
// Run: valgrind --error-exitcode=99 --suppressions=native/valgrind.supp \
//        node --jitless dist/test/core/valgrind-child.js [smokeCases]
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as fl from "flambeau";
import { type CaseSpec, generateCase } from "../../bench/fuzz/cases.js";
import { runCase } from "../../bench/fuzz/child.js";
import { FORMATS, type Format, readCase } from "../../bench/fuzz/files.js";
import { CORPUS, REGRESSIONS } from "../../bench/fuzz/run.js";
import { TARGETS } from "../../bench/fuzz/targets.js";
import { aten } from "../../src/core/aten.js";
import { callT, callTs } from "../../src/core/dispatch.js";
import { CRASH_GROUPS } from "./crash-cases.js";

let bad = 0;
let n = 0;
for (const g of CRASH_GROUPS)
  for (const [name, code, errCode] of g.cases) {
    n++;
    try {
      fl.tidy(() => new Function("fl", "A", "callT", "callTs", code)(fl, aten, callT, callTs));
      console.log(`NOT REJECTED: ${name}`);
      bad++;
    } catch (e) {
      if (!(e instanceof fl.FlambeauError) || e.code !== errCode) {
        console.log(`WRONG ERROR: ${name}: ${(e as Error).message}`);
        bad++;
      }
    }
  }
for (const f of readdirSync(REGRESSIONS).filter((x) => x.endsWith(".json"))) {
  n++;
  runCase((JSON.parse(readFileSync(join(REGRESSIONS, f), "utf8")) as { case: CaseSpec }).case);
}
const smoke = Number(process.argv[2] ?? 200);
// empty() hands out uninitialised memory by design: converting or printing it is what
// valgrind calls "depends on uninitialised value(s)", so those cases are left out here.
const UNINITIALISED = new Set(["fl.empty", "fl.emptyLike"]);
for (let i = 0; i < smoke; i++) {
  const c = generateCase(12, i, TARGETS);
  if (UNINITIALISED.has(c.op)) continue;
  runCase(c);
  n++;
}
for (const format of FORMATS) {
  let files: string[] = [];
  try {
    files = readdirSync(join(CORPUS, format));
  } catch {}
  for (const f of files) {
    n++;
    await readCase(format as Format, readFileSync(join(CORPUS, format, f)));
  }
}
console.log(`valgrind-child: ${n} cases, ${bad} not rejected as expected`);
process.exitCode = bad === 0 ? 0 : 1;
