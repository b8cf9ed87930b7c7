// `flambeau train <vision task> --nproc 2`: a scene task (the training run localization,
// segmentation and detection share) trains data-parallel in two processes, and the model
// directory rank 0 writes is one `flambeau eval` reads.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { trainTwoProcessesThenEval } from "../helpers/nproc.js";

test("flambeau train image-localization --nproc 2 writes a model directory flambeau eval reads", () => {
  const tmp = mkdtempSync(join(tmpdir(), "fl-vision-nproc-"));
  try {
    const args = ["--data", "scenes", "--epochs", "1", "--limit", "32", "--batch-size", "16"];
    const r = trainTwoProcessesThenEval("image-localization", args, join(tmp, "model"), ["--data", "scenes", "--limit", "16"]);
    assert.ok((r.train.meanIou as number) >= 0 && (r.train.meanIou as number) <= 1, `meanIou ${r.train.meanIou}`);
    assert.equal(r.eval.examples, 16);
    assert.ok((r.eval.accuracy as number) >= 0 && (r.eval.accuracy as number) <= 1);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
