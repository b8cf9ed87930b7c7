// Model directories: a directory of another task's model is refused with both task names.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { loadModelDir, saveModelDir } from "../../src/train/model-dir.js";

test("loadModelDir checks the task when asked", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), "fl-md-")), "m");
  const config = { task: "image-classification", architecture: "mlp", hyper: {}, flambeauVersion: "0.1.0", created: "now" };
  await saveModelDir(dir, config, new Map([["w", fl.ones([2])]]));
  assert.equal((await loadModelDir(dir, "image-classification")).config.architecture, "mlp");
  assert.equal((await loadModelDir(dir)).config.task, "image-classification");
  await assert.rejects(loadModelDir(dir, "translation"), /m holds a image-classification model, not translation/);
});
