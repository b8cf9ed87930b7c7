// Start-up stays lazy: importing flambeau loads no libtorch (the first tensor op does), and the
// task catalog `flambeau tasks` prints without importing the tasks lists what the registry holds.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as fl from "flambeau";
import { taskCatalog, taskInfo } from "../../src/tasks/catalog.js";

const NATIVE = fileURLToPath(new URL("../../src/core/native.js", import.meta.url));

test("import loads no libtorch; the first tensor op does", () => {
  const script = `
    import * as fl from "flambeau";
    const { isNativeLoaded } = await import(${JSON.stringify(NATIVE)});
    const before = isNativeLoaded();
    const y = fl.tensor([1, 2]).add(1);
    console.log(JSON.stringify([before, isNativeLoaded(), Array.from(y.data())]));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
  // A module that calls the addon at import time (use whenNativeLoaded instead) makes `before` true.
  assert.equal(r.stdout.trim(), "[false,true,[2,3]]", r.stderr);
});

test("the task catalog lists what the registry holds", async () => {
  assert.deepEqual(await taskCatalog(), Object.values(fl.tasks.TASKS).map(taskInfo));
});
