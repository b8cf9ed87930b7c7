// WorkerRunner / runInWorker: jobs run in a worker thread with libtorch, results and
// FlambeauError codes come back, and bad jobs fail with a clear message, not a crash.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as fl from "flambeau";
import { FlambeauError } from "../../src/core/errors.js";
import { ModuleWorker, runInWorker, WorkerRunner } from "../../src/worker/index.js";

const JOBS = fileURLToPath(new URL("./jobs.js", import.meta.url));

test("a job computes with libtorch in a worker thread and streams log lines", async () => {
  const w = await WorkerRunner.start();
  try {
    const lines: string[] = [];
    const r = await w.run<{ sum: number; gram: number[]; threads: number }>(JOBS, "tensorJob", [[1, 2, 3]], (l) => lines.push(l));
    assert.equal(r.sum, 6);
    assert.deepEqual(r.gram, [1, 2, 3, 2, 4, 6, 3, 6, 9]);
    // libtorch's thread count is process-wide: the worker must not change the owner's.
    assert.equal(r.threads, fl.getNumThreads());
    assert.deepEqual(lines, ["summing 3 values"]);
    // Two jobs in flight on one worker run one after the other, both answered.
    const [a, b] = await Promise.all([
      w.run<{ sum: number }>(JOBS, "tensorJob", [[1]]),
      w.run<{ sum: number }>(JOBS, "tensorJob", [[2, 2]]),
    ]);
    assert.deepEqual([a.sum, b.sum], [1, 4]);
  } finally {
    await w.close();
  }
});

test("errors keep their FlambeauError code and message; bad jobs are E_ARG", async () => {
  await assert.rejects(runInWorker(JOBS, "failingJob"), (e: unknown) => {
    assert.ok(e instanceof FlambeauError);
    assert.equal(e.code, "E_SHAPE");
    assert.match(e.message, /shapes \[2\] and \[3\]/);
    return true;
  });
  await assert.rejects(runInWorker(JOBS, "noSuchJob"), /has no exported function "noSuchJob"/);
  const w = await WorkerRunner.start();
  await assert.rejects(w.run(JOBS, "tensorJob", [[1], () => 1]), /cannot be sent to a worker/);
  await w.close();
  await assert.rejects(w.run(JOBS, "tensorJob", [[1]]), /closed/);
});

test("ModuleWorker: a model with saved weights gives the same forward off the main thread", async () => {
  fl.manualSeed(3);
  const ref = new fl.nn.Linear(4, 2);
  const dir = mkdtempSync(join(tmpdir(), "fl-module-worker-"));
  const file = join(dir, "linear.safetensors");
  await fl.save(ref.stateDict(), file);
  const x = fl.randn([5, 4]);
  const expected = Array.from(fl.noGrad(() => ref.forward(x)).data() as Float32Array);
  const mw = await ModuleWorker.start({ module: JOBS, export: "makeLinear", args: [4, 2], weights: file });
  try {
    const [a, b] = await Promise.all([mw.forward<fl.Tensor>(x), mw.forward<fl.Tensor>(x.narrow(0, 0, 2))]);
    assert.deepEqual(a.shape, [5, 2]);
    assert.deepEqual(Array.from(a.data() as Float32Array), expected);
    assert.deepEqual(Array.from(b.data() as Float32Array), expected.slice(0, 4));
    // The caller's input is untouched (its bytes were copied, not moved).
    assert.deepEqual(x.shape, [5, 4]);
    await assert.rejects(mw.forward(fl.randn([5, 3])), (e: unknown) => e instanceof FlambeauError && /5x3|\[5, 3\]|shape/.test(e.message));
  } finally {
    await mw.close();
    rmSync(dir, { recursive: true, force: true });
  }
  await assert.rejects(ModuleWorker.start({ module: JOBS, export: "notAModule" }), /did not produce a Module/);
});
