// `flambeau train node-classification --nproc 2`: full-graph training data-parallel (each rank
// takes its part of the training nodes) finishes, and `flambeau eval` reads the model it wrote.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { trainTwoProcessesThenEval } from "../helpers/nproc.js";

test("node-classification trains with 2 worker processes; eval reads the model", () => {
  const out = mkdtempSync(join(tmpdir(), "flambeau-graph-nproc-"));
  try {
    const r = trainTwoProcessesThenEval("node-classification", ["--data", "karate", "--epochs", "3"], join(out, "model"), [
      "--data",
      "karate",
    ]);
    assert.equal(r.eval.nodes, 32);
    assert.ok((r.eval.accuracy as number) >= 0 && (r.eval.accuracy as number) <= 1);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
