// Runs every compiled test file (dist/test/**/*.test.js) with node:test.
//
// Files run two at a time with one libtorch thread each (FLAMBEAU_NUM_THREADS=1, inherited by
// the CLI and worker processes the tests start): most of a test file's time is its process
// start-up, imports and small ops, which one thread serves as fast as two, so on a 2-core
// machine two files side by side finish in about two thirds of the time one file at a time
// with two threads took. FLAMBEAU_TEST_CONCURRENCY and FLAMBEAU_NUM_THREADS override both.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith(".test.js")) out.push(p);
  }
  return out;
}
const filter = process.argv.slice(2);
const files = find("dist/test")
  .filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)))
  .sort();
const concurrency = Number(process.env.FLAMBEAU_TEST_CONCURRENCY) || Math.min(2, availableParallelism());
const env = { ...process.env };
if (concurrency > 1) {
  env.FLAMBEAU_NUM_THREADS ??= "1";
  env.OMP_NUM_THREADS ??= env.FLAMBEAU_NUM_THREADS;
}
const r = spawnSync(process.execPath, ["--test", `--test-concurrency=${concurrency}`, ...files], { stdio: "inherit", env });
process.exit(r.status ?? 1);
