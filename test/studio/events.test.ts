// The studio's reading of a runs folder and of a growing event log, without a server: lines
// that are not JSON objects, half-written and over-long lines, a log that restarts, and run
// names that are not entries of the folder.
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { JsonlTail, MAX_LINE, parseEventLines } from "../../src/studio/events.js";
import { findRun, listRuns, type RunEvent, readEvents, runDetail } from "../../src/studio/runs.js";

const root = mkdtempSync(join(tmpdir(), "fl-studio-events-"));
after(() => rmSync(root, { recursive: true, force: true }));

test("event lines: objects only, numbers and (cut) strings kept, the rest skipped", () => {
  const text = [
    '{"epoch":1,"loss":0.5,"time":"t"}',
    "not json",
    "[1,2]",
    "null",
    '{"epoch":2,"bad":{"x":1},"nan":"NaN"}',
    "x".repeat(MAX_LINE + 1),
  ].join("\n");
  assert.deepEqual(parseEventLines(text), [
    { epoch: 1, loss: 0.5, time: "t" },
    { epoch: 2, nan: "NaN" },
  ]);
});

test("a tail hands on whole lines only, skips an over-long line, and starts again when the log is replaced", async () => {
  const file = join(root, "events.jsonl");
  writeFileSync(file, '{"epoch":1}\n');
  const got: RunEvent[] = [];
  // A poll interval that never fires here: the test polls itself.
  const tail = new JsonlTail(file, { from: readEvents(file).end, pollMs: 60_000, onEvents: (e) => got.push(...e) });
  try {
    await tail.poll();
    assert.equal(got.length, 0);
    appendFileSync(file, '{"epoch":2,"lo');
    await tail.poll();
    assert.equal(got.length, 0);
    appendFileSync(file, 'ss":1}\n');
    await tail.poll();
    assert.deepEqual(got, [{ epoch: 2, loss: 1 }]);
    appendFileSync(file, `{"epoch":3,"junk":"${"y".repeat(MAX_LINE + 100)}`);
    await tail.poll();
    appendFileSync(file, `${"y".repeat(100)}"}\n{"epoch":4}\n`);
    await tail.poll();
    assert.deepEqual(
      got.map((e) => e.epoch),
      [2, 4],
    );
    writeFileSync(file, '{"epoch":1,"loss":9}\n');
    await tail.poll();
    assert.deepEqual(got.at(-1), { epoch: 1, loss: 9 });
    // Replaced by another file, longer than what was read: still read from its start.
    writeFileSync(join(root, "other.jsonl"), `${'{"epoch":1,"loss":7}\n'.repeat(3)}`);
    renameSync(join(root, "other.jsonl"), file);
    await tail.poll();
    assert.deepEqual(got.slice(-3), [
      { epoch: 1, loss: 7 },
      { epoch: 1, loss: 7 },
      { epoch: 1, loss: 7 },
    ]);
  } finally {
    tail.stop();
  }
});

test("runs are folders with a log or a model; a name is found among the entries or refused", () => {
  const runs = join(root, "runs");
  mkdirSync(join(runs, "a"), { recursive: true });
  writeFileSync(join(runs, "a", "events.jsonl"), '{"epoch":1,"loss":1}\n{"epoch":2,"loss":0.5}\n');
  mkdirSync(join(runs, "empty"));
  mkdirSync(join(runs, ".hidden"));
  writeFileSync(join(runs, ".hidden", "events.jsonl"), "{}\n");
  symlinkSync("/etc", join(runs, "link"));
  assert.deepEqual(
    listRuns(runs).map((r) => [r.name, r.epochs, r.last?.loss]),
    [["a", 2, 0.5]],
  );
  assert.equal(findRun(runs, "a").dir, join(runs, "a"));
  // A half-written eval.json (a shell redirect in progress) is named; the run still shows.
  writeFileSync(join(runs, "a", "eval.json"), '{"confusionMatrix": [[1, 0], [0');
  const detail = runDetail(runs, "a");
  assert.match(detail.problem ?? "", /eval\.json is not JSON/);
  assert.equal(detail.events.length, 2);
  for (const [name, status] of [
    ["../a", 400],
    ["/etc", 400],
    [".hidden", 400],
    ["a/..", 400],
    ["link", 404],
    ["empty", 404],
    ["", 400],
  ] as const)
    assert.throws(
      () => findRun(runs, name),
      (e: Error & { status?: number }) => e.status === status,
      name,
    );
});
