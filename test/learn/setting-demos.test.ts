// The demo's learning-setting sections (issue 27): continual learning's accuracy matrices and
// zero-shot naming of held-out letters, each at its quick budget.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { demoTasks } from "../../src/cli/demo.js";
import { TASKS } from "../../src/tasks/registry.js";
import type { DemoSection, Task } from "../../src/tasks/task.js";
import { SilentProgress } from "../../src/train/progress.js";

const root = mkdtempSync(join(tmpdir(), "fl-setting-demos-"));
after(() => rmSync(root, { recursive: true, force: true }));

async function section(name: string): Promise<DemoSection> {
  const [d] = demoTasks(Object.values(TASKS) as Task[], [name]);
  return d!.demo({ full: false, out: join(root, name), progress: new SilentProgress(), log: () => {} });
}

test("continual's demo: naive, replay and joint on split digits, each accuracy matrix drawn", async () => {
  const s = await section("continual");
  assert.deepEqual(Object.keys(s.metrics), ["naiveAverage", "replayAverage", "jointAverage"]);
  for (const v of Object.values(s.metrics)) assert.ok(v >= 0 && v <= 1);
  assert.equal((s.extraHtml!.match(/<svg /g) ?? []).length, 3);
  assert.match(s.extraHtml!, /aria-label="replay accuracy matrix"/);
  assert.match(s.commands[0]!, /^flambeau continual --data digits --mode class --strategies naive,replay,joint --epochs 1/);
});

test("zero-shot's demo: 5-way accuracy beside nearest-name and chance, letters named, every held-out alphabet scored", async () => {
  const s = await section("zero-shot");
  assert.ok(Math.abs(s.metrics.chance! - 0.2) < 1e-9);
  for (const k of ["accuracy5Way", "nearestName"]) assert.ok(s.metrics[k]! >= 0 && s.metrics[k]! <= 1, k);
  assert.equal((s.extraHtml!.match(/<figure /g) ?? []).length, 8);
  assert.equal((s.extraHtml!.match(/<tr><td>/g) ?? []).length, 18);
  assert.doesNotMatch(s.extraHtml!, /<script/);
});

test("transfer's demo: scratch, fine-tuned and frozen-features arms on held-out digits, with the CLI's commands", async () => {
  const s = await section("transfer");
  assert.deepEqual(Object.keys(s.metrics), ["scratch", "fineTuned", "frozenFeatures"]);
  for (const v of Object.values(s.metrics)) assert.ok(v > 0.1 && v <= 1, JSON.stringify(s.metrics));
  assert.ok(s.commands.some((c) => c.includes("--init") && c.includes("--freeze 'features.*'")));
  assert.ok(s.history.length > 0);
});

test("multi-task's demo: three single-task networks against one with three heads, every metric of both", async () => {
  const s = await section("multi-task");
  for (const k of ["Accuracy", "BoxIou", "MaskMIoU"])
    for (const run of ["apart", "joint"]) {
      const v = s.metrics[`${run}${k}`];
      assert.ok(v !== undefined && v >= 0 && v <= 1, `${run}${k}: ${v}`);
    }
  assert.equal((s.extraHtml!.match(/<tr><td>/g) ?? []).length, 2);
});
