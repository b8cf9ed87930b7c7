// The video demo sections at their quick budgets (≈ 20 s together on a loaded 2-core machine):
// well-formed metrics, a confusion matrix over every held-out clip, frame strips, and the
// tracked clip as an inline GIF beside the MOTA/IDF1 table. (depth-estimation's section renders
// scenes and takes longer: its figure helpers are tested in demo-figures.test.ts.)
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { TASKS } from "../../src/tasks/registry.js";
import type { DemoTask } from "../../src/tasks/task.js";

const dir = mkdtempSync(join(tmpdir(), "fl-video-demos-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const demoOf = (name: string) => (TASKS as unknown as Record<string, DemoTask>)[name]!;

test("video-classification's demo: accuracy, a 9 × 9 confusion matrix over the held-out clips, six frame strips", async () => {
  const s = await demoOf("video-classification").demo({ full: false, out: join(dir, "vid") });
  assert.equal(s.task, "video-classification");
  assert.ok(s.metrics.accuracy! >= 0 && s.metrics.accuracy! <= 1 && s.metrics.top5! >= s.metrics.accuracy!);
  assert.equal(s.confusion!.labels.length, 9);
  assert.equal(
    s.confusion!.matrix.flat().reduce((a, b) => a + b, 0),
    180,
  );
  assert.equal((s.extraHtml!.match(/<img /g) ?? []).length, 6);
  // 8 frames of 32 px side by side, drawn at 2×.
  assert.match(s.extraHtml!, /width="512" height="64"/);
  assert.match(s.extraHtml!, /predicted [\w-]+ \(\d+ %\), true move-left/);
  assert.equal(s.history.length, 15);
});

test("object-tracking's demo: SORT and the IoU-only baseline scored on held-out clips; the swap clip as a GIF", async () => {
  const s = await demoOf("object-tracking").demo({ full: false, out: join(dir, "track") });
  for (const k of ["sortMota", "iouMota"]) assert.ok(s.metrics[k]! <= 1, k);
  for (const k of ["sortIdf1", "iouIdf1"]) assert.ok(s.metrics[k]! >= 0 && s.metrics[k]! <= 1, k);
  assert.match(s.extraHtml!, /<img alt="[^"]*" src="data:image\/gif;base64,R0lGOD/);
  assert.match(s.extraHtml!, /A held-out &quot;swap&quot; clip .* SORT: MOTA -?\d\.\d\d, \d+ ID switch/);
  // Three trackers on two kinds of boxes.
  assert.equal((s.extraHtml!.match(/<tr><td/g) ?? []).length, 6);
  assert.doesNotMatch(s.extraHtml!, /<script/);
});

test("video-super-resolution's demo: PSNR beside bicubic on vtest.avi, and three rows of input | bicubic | model | original", async () => {
  const s = await demoOf("video-super-resolution").demo({ full: false, out: join(dir, "vsr") });
  assert.equal(s.task, "video-super-resolution");
  assert.ok(s.metrics.psnrY! > 15 && s.metrics.bicubicPsnrY! > 15, JSON.stringify(s.metrics));
  assert.equal(s.history.length, 2);
  assert.equal((s.extraHtml!.match(/<img /g) ?? []).length, 12);
  assert.match(s.extraHtml!, /Held-out vtest\.avi, ×4/);
  assert.match(s.extraHtml!, /model \d+\.\d\d dB/);
});
