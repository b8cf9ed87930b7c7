// File-reader fuzzing (bench/fuzz/files.ts): a seeded smoke pass over mutated safetensors,
// checkpoints, IDX (plain and gzip), CSV, JSONL and images, and the replay of the kept
// corpus (test/io/fuzz-corpus/<format>/*.bin: hand-made lying headers and any file the full
// run found). Readers must return or throw a FlambeauError: a signal, a hang or any other
// error (a RangeError is a read past the buffer) fails. Cases run in child processes.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { FORMATS } from "../../bench/fuzz/files.js";
import { CORPUS, DEFAULT_LIMITS, FILES_CHILD, runChild } from "../../bench/fuzz/run.js";

const LIMITS = { ...DEFAULT_LIMITS, timeoutMs: 60_000 };

test("file fuzz smoke pass: 660 seeded cases over every format", async () => {
  const r = await runChild(["--seed", "5", "--from", "0", "--to", String(60 * FORMATS.length)], LIMITS, FILES_CHILD);
  assert.ok(r.done, `the child died at case ${r.last} (${r.timedOut ? "timeout" : r.signal}): seed 5, index ${r.last}\n${r.stderr}`);
  const c = r.done.counts;
  assert.deepEqual(r.done.jsErrors, [], "errors other than FlambeauError");
  assert.equal(
    Object.values(c).reduce((a, b) => a + b, 0),
    60 * FORMATS.length,
  );
  // Mutations must leave some files readable, or the pass only exercises the first check.
  assert.ok((c.ok ?? 0) > 30 && (c.E_FORMAT ?? 0) > 200, JSON.stringify(c));
});

test("the kept fuzz corpus is rejected cleanly", async () => {
  const n = FORMATS.reduce((a, f) => {
    try {
      return a + readdirSync(join(CORPUS, f)).length;
    } catch {
      return a;
    }
  }, 0);
  assert.ok(n >= 10, `only ${n} corpus files`);
  const r = await runChild(["--replay", CORPUS], LIMITS, FILES_CHILD);
  assert.ok(r.done, `corpus file #${r.last} killed the child (${r.timedOut ? "timeout" : r.signal})`);
  assert.deepEqual(r.done.jsErrors, []);
  assert.equal(
    Object.values(r.done.counts).reduce((a, b) => a + b, 0),
    n,
  );
  assert.ok((r.done.counts.E_FORMAT ?? 0) >= n - 2, JSON.stringify(r.done.counts));
});
