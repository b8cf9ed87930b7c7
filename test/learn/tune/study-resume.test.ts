// A study killed with SIGKILL in the middle of a trial (a real child process), with a torn
// last line in its journal, resumes to the very trials an uninterrupted run gives: finished
// trials are not run again, the interrupted one is, and TPE continues from the same seed.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import * as fl from "flambeau";

const CHILD = join(dirname(fileURLToPath(import.meta.url)), "study-child.js");
const runChild = (dir: string, ms: number) => {
  const r = spawnSync(process.execPath, [CHILD, dir, String(ms)], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
};
const journal = (dir: string) => fl.learn.tune.readStudyFile(join(dir, "study.jsonl"));
const calls = (dir: string) => readFileSync(join(dir, "calls.txt"), "utf8").trim().split("\n").map(Number);

test("a study killed mid-trial (SIGKILL) resumes: finished trials kept, the interrupted one re-run, same result", async () => {
  const whole = mkdtempSync(join(tmpdir(), "fl-study-a-"));
  runChild(whole, 0);
  const reference = journal(whole).trials;
  assert.equal(reference.length, 8);
  assert.deepEqual(calls(whole), [0, 1, 2, 3, 4, 5, 6, 7]);

  const dir = mkdtempSync(join(tmpdir(), "fl-study-b-"));
  const child = spawn(process.execPath, [CHILD, dir, "300"], { stdio: "ignore" });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const file = join(dir, "study.jsonl");
  // Killed as soon as trial 3's objective has started: it is in its first 300 ms epoch.
  for (let t = 0; t < 3000; t++) {
    if (existsSync(join(dir, "calls.txt")) && calls(dir).includes(3)) break;
    await sleep(10);
  }
  child.kill("SIGKILL");
  await exited;
  const before = journal(dir).trials;
  assert.equal(before.length, 4, "killed during trial 3");
  assert.equal(before[3]!.state, undefined, "trial 3 was interrupted");
  assert.ok(before.slice(0, 3).every((t) => t.state !== undefined));
  // A write cut short by the kill: the torn line is dropped on resume.
  appendFileSync(file, '{"type":"report","number":3,"st');

  runChild(dir, 0);
  const after = journal(dir).trials;
  const strip = (ts: readonly fl.learn.tune.TrialRecord[]) => ts.map(({ seconds: _s, ...t }) => t);
  assert.deepEqual(strip(after), strip(reference));
  // Trials 0–2 ran once; 3 twice (killed, then again); 4–7 once.
  assert.deepEqual(calls(dir), [0, 1, 2, 3, 3, 4, 5, 6, 7]);
  assert.ok(readFileSync(file, "utf8").endsWith("}\n"));
  // And the study is done: running it again runs nothing.
  runChild(dir, 0);
  assert.equal(calls(dir).length, 9);
});

test("a journal of another study is refused, naming what differs", () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-study-c-"));
  const { tune } = fl.learn;
  const open = (high: number) =>
    new tune.Study({
      file: join(dir, "study.jsonl"),
      space: { x: { type: "float", low: 1e-4, high, log: true } },
      sampler: new tune.TpeSampler(11),
      settings: { task: "t" },
    });
  open(1);
  open(1); // the same settings: resumed
  assert.throws(() => open(2), /holds a study with other settings \(space: \{"x":\{"high":1,/);
});
