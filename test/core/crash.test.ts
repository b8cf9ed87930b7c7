// Argument classes that crash (SIGFPE, SIGSEGV) or hang libtorch 1.13 itself
// (shared/RELIABILITY.md) are rejected before dispatch. Each group of cases runs in a child
// process: a regression kills that child and fails its tests, not the runner.
import { describe, test } from "node:test";
import { assertRejected, type Case, runInChildAsync } from "./child.js";
import { CRASH_GROUPS } from "./crash-cases.js";

// One child per group: the cases should all throw, so a crash kills the child at the case
// that caused it (its test and the ones after it fail, naming the signal), never the runner.
function isolated(cases: Case[]): void {
  const pending = runInChildAsync(
    cases.map((c) => c[1]),
    60_000,
  );
  cases.forEach((c, i) => {
    test(c[0], async () => {
      const run = await pending;
      assertRejected(c, run.outcomes[i], run);
    });
  });
}

for (const g of CRASH_GROUPS) describe(g.title, () => isolated(g.cases));
