// The API fuzzer (bench/fuzz): a short seeded smoke pass, the replay of every regression
// case it ever saved (test/fixtures/core/fuzz-regressions/*.json), and a self-test of the
// harness: a dying case is noticed, shrunk and saved. Cases run in child processes, so a
// crash fails a test instead of killing the runner.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { type CaseSpec, generateCase } from "../../bench/fuzz/cases.js";
import { DEFAULT_LIMITS, died, REGRESSIONS, runChild, runSpecs, saveRegression, shrink } from "../../bench/fuzz/run.js";
import { TARGETS } from "../../bench/fuzz/targets.js";

const LIMITS = { ...DEFAULT_LIMITS, timeoutMs: 60_000 };

test("fuzz smoke pass: 400 seeded cases, no crash or hang", async (t) => {
  const r = await runChild(["--seed", "12", "--from", "0", "--to", "400"], LIMITS);
  assert.ok(
    r.done,
    `the child died at case ${r.last} (${r.timedOut ? "timeout" : r.signal}): ${JSON.stringify(generateCase(12, r.last, TARGETS))}`,
  );
  const c = r.done.counts;
  assert.equal(
    Object.values(c).reduce((a, b) => a + b, 0),
    400,
  );
  // Calls must reach libtorch as well as the validators, or the pass proves little (over the
  // generated surface's ~1,300 ops about 15 % of random calls succeed: 58 of these 400).
  assert.ok((c.ok ?? 0) > 40 && (c.E_ARG ?? 0) > 60, JSON.stringify(c));
  // A JS error other than a FlambeauError is not a crash, but it is a missing check: list it.
  for (const e of r.done.jsErrors) t.diagnostic(`non-Flambeau error: ${e.op} (case ${e.i}): ${e.outcome}`);
});

test("fuzz cases are a pure function of (seed, index)", () => {
  assert.deepEqual(generateCase(5, 42, TARGETS), generateCase(5, 42, TARGETS));
  assert.notDeepEqual(generateCase(5, 42, TARGETS), generateCase(5, 43, TARGETS));
  assert.ok(TARGETS.length > 300, `only ${TARGETS.length} ops in the table`);
  assert.ok(TARGETS.some((t) => t.name === "F.conv2d") && TARGETS.some((t) => t.name === "T.sum"));
});

test("every saved fuzz regression runs to an error or a result, not a signal", async () => {
  const files = existsSync(REGRESSIONS) ? readdirSync(REGRESSIONS).filter((f) => f.endsWith(".json")) : [];
  assert.ok(files.length > 0, "no regression cases");
  const cases = files.map((f) => (JSON.parse(readFileSync(join(REGRESSIONS, f), "utf8")) as { case: CaseSpec }).case);
  const r = await runSpecs(cases, LIMITS);
  assert.ok(r.done, `regression ${files[r.last]} killed the child (${r.timedOut ? "timeout" : r.signal})`);
  assert.equal(
    Object.values(r.done.counts).reduce((a, b) => a + b, 0),
    files.length,
  );
});

test("the harness notices a dying case and saves it", async () => {
  process.env.FLAMBEAU_FUZZ_SELFTEST = "1";
  try {
    const c: CaseSpec = { op: "test.segv", args: [{ k: "t", dtype: "int32", shape: [2, 3], view: "none", fill: "zeros", seed: 3 }] };
    const r = await runSpecs([c], LIMITS);
    assert.ok(died(r) && r.signal === "SIGSEGV", `expected a SIGSEGV, got ${r.signal ?? r.status}`);
    const name = saveRegression(c, "SIGSEGV", 0, 0);
    const saved = JSON.parse(readFileSync(join(REGRESSIONS, name), "utf8")) as { case: CaseSpec };
    rmSync(join(REGRESSIONS, name));
    assert.deepEqual(saved.case, c);
  } finally {
    delete process.env.FLAMBEAU_FUZZ_SELFTEST;
  }
});

test("shrinking keeps the simplest variant that still crashes", async () => {
  const big: CaseSpec = {
    op: "x",
    args: [
      { k: "t", dtype: "int32", shape: [2, 3, 4], view: "transpose", fill: "randn", seed: 3 },
      { k: "n", v: 5 },
      { k: "obj", entries: [["dim", { k: "big", v: "-9223372036854775808" }]] },
    ],
  };
  // Stands in for a child run: the "crash" needs a tensor of rank >= 2 first.
  const crashes = async (c: CaseSpec) => c.args[0]?.k === "t" && c.args[0].shape.length >= 2;
  const small = await shrink(big, LIMITS, 200, crashes);
  assert.deepEqual(small, { op: "x", args: [{ k: "t", dtype: "float32", shape: [1, 1], view: "none", fill: "zeros", seed: 3 }] });
});
