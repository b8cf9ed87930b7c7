// `flambeau demo --only a,b`: just the named demo tasks, in the order named; an unknown name
// fails at once (before any training) with the list of demo tasks.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { demoTasks, parseOnly } from "../../src/cli/demo.js";
import { FlambeauError } from "../../src/core/errors.js";
import { TASKS } from "../../src/tasks/registry.js";
import type { Task } from "../../src/tasks/task.js";
import { FIXTURES } from "../helpers/fixtures.js";

const all = Object.values(TASKS) as Task[];

test("demoTasks: every demo task by default, including depth, tracking and video classification", () => {
  const names = demoTasks(all).map((t) => t.name);
  for (const n of ["depth-estimation", "object-tracking", "video-classification", "image-classification", "zero-shot"])
    assert.ok(names.includes(n), n);
  // Learning settings that are commands, not tasks, come after the tasks.
  assert.deepEqual(names.slice(-3), ["transfer", "multi-task", "continual"]);
  assert.ok(names.length < all.length, "tasks without demo() are left out");
});

test("demoTasks --only: the named ones in the order given, each once", () => {
  const only = parseOnly(" object-tracking,depth-estimation,, object-tracking ");
  assert.deepEqual(only, ["object-tracking", "depth-estimation", "object-tracking"]);
  assert.deepEqual(
    demoTasks(all, only).map((t) => t.name),
    ["object-tracking", "depth-estimation"],
  );
});

test("demoTasks --only: unknown or non-demo names are a FlambeauError listing the demo tasks", () => {
  const noDemo = all.find((t) => typeof (t as { demo?: unknown }).demo !== "function")!.name;
  assert.throws(
    () => demoTasks(all, ["depth-estimation", "nope", noDemo]),
    (e: unknown) =>
      e instanceof FlambeauError &&
      e.code === "E_ARG" &&
      e.message.includes(`"nope", "${noDemo}" are not demo tasks`) &&
      e.message.includes("demo tasks: image-classification") &&
      e.message.includes("object-tracking"),
  );
  assert.throws(() => demoTasks(all, []), /names no task/);
});

test("flambeau demo --only with a typo exits 2 with one line, before training anything", () => {
  const bin = join(FIXTURES, "..", "..", "bin", "flambeau.js");
  const r = spawnSync(process.execPath, [bin, "demo", "--only", "depth-estimaton", "--out", join(tmpdir(), "flambeau-demo-never")], {
    encoding: "utf8",
  });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^flambeau: demo --only: "depth-estimaton" is not a demo task; demo tasks: .*depth-estimation/);
  assert.equal(r.stderr.trim().split("\n").length, 1);
});
