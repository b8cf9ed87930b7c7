// Runs snippets of Flambeau code in a child process, so that a crash (a signal) or a hang
// (killed at the timeout) fails a test instead of killing the runner. A snippet passes
// when it throws a FlambeauError with the expected code and a message naming the op.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { FIXTURES } from "../helpers/fixtures.js";

const ROOT = join(FIXTURES, "..", "..");

/** [name, code run as a statement with `fl`, `A` (aten), `callT` and `callTs` in scope, expected error code, expected message]. */
export type Case = [name: string, code: string, errCode: string, message: RegExp];

export interface Outcome {
  thrown: boolean;
  name?: string;
  code?: string;
  op?: string;
  message?: string;
}

export interface ChildRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** One outcome per snippet, in order; fewer when the child died part-way. */
  outcomes: Outcome[];
}

function script(codes: string[]): string {
  const body = codes
    .map(
      (code) => `try { ${code}; out({ thrown: false }); }
catch (e) { out({ thrown: true, name: e?.name, code: e?.code, op: e?.op, message: String(e?.message) }); }`,
    )
    .join("\n");
  // A and callT reach raw ATen operators, as code inside the library does (the schema guard's cases).
  return `import * as fl from "flambeau";
import { aten as A } from "./dist/src/core/aten.js";
import { callT, callTs } from "./dist/src/core/dispatch.js";
import { writeSync } from "node:fs";
const out = (o) => writeSync(1, JSON.stringify(o) + "\\n");
${body}`;
}
const parse = (stdout: string): Outcome[] =>
  stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Outcome);

/** Runs the snippets one after another in one child; each prints its outcome as a JSON line. */
export function runInChild(codes: string[], timeoutMs = 20_000): ChildRun {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script(codes)], { cwd: ROOT, encoding: "utf8", timeout: timeoutMs });
  return { status: r.status, signal: r.signal, stderr: r.stderr, outcomes: parse(r.stdout) };
}

// Children mostly wait on loading libtorch (~0.7 s), so a few at a time finish sooner.
const MAX_CHILDREN = 3;
let running = 0;
const waiting: (() => void)[] = [];

/** runInChild without blocking: at most MAX_CHILDREN children run at once. */
export async function runInChildAsync(codes: string[], timeoutMs = 20_000): Promise<ChildRun> {
  if (running >= MAX_CHILDREN) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await new Promise<ChildRun>((resolve) => {
      const child = spawn(process.execPath, ["--input-type=module", "-e", script(codes)], { cwd: ROOT, timeout: timeoutMs });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.on("close", (status, signal) => resolve({ status, signal, stderr, outcomes: parse(stdout) }));
    });
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Asserts that a snippet ended in the expected FlambeauError. */
export function assertRejected(c: Case, o: Outcome | undefined, run: ChildRun): void {
  const [name, , errCode, message] = c;
  assert.ok(o, `${name}: the child died before it (${run.signal ?? `exit ${run.status}`})\n${run.stderr.slice(-2000)}`);
  assert.ok(o.thrown, `${name}: no error was thrown`);
  assert.equal(o.name, "FlambeauError", `${name}: ${o.name}: ${o.message}`);
  assert.equal(o.code, errCode, `${name}: ${o.message}`);
  assert.ok(o.op, `${name}: the error does not name its op: ${o.message}`);
  assert.match(o.message!, message);
}
