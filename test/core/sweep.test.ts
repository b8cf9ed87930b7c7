// Every public core function and Tensor method, called with each argument in turn
// replaced by a bad value (sweep-child.ts), either returns or throws a FlambeauError that
// names its op: no TypeError from a missing check, no crash, no hang. The sweep runs in
// a child process; after a crash it restarts past the case that killed it, so one run
// lists every crashing case.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const CHILD = join(dirname(fileURLToPath(import.meta.url)), "sweep-child.js");

test("bad-argument sweep over src/core: only FlambeauErrors, no crash or hang", () => {
  const killed: string[] = [];
  const failures: string[] = [];
  let total = 0;
  let from = 0;
  let counts: Record<string, number> | undefined;
  for (let attempt = 0; attempt < 8 && counts === undefined; attempt++) {
    const r = spawnSync(process.execPath, [CHILD, String(from)], { encoding: "utf8", timeout: 60_000, maxBuffer: 256 * 2 ** 20 });
    let last: string | undefined;
    for (const line of r.stdout.split("\n")) {
      if (line.startsWith("TOTAL ")) total = Number(line.slice(6));
      else if (line.startsWith("BEGIN ")) last = line.slice(6);
      else if (line.startsWith("{")) {
        const f = JSON.parse(line) as { name: string; outcome: string };
        failures.push(`${f.name}: ${f.outcome}`);
      } else if (line.startsWith("DONE ")) counts = JSON.parse(line.slice(5)) as Record<string, number>;
    }
    if (counts !== undefined) break;
    if (last === undefined) assert.fail(`the sweep child did not start: ${r.stderr}`);
    killed.push(`${last.slice(last.indexOf(" ") + 1)}: ${r.signal ?? `exit ${r.status}`}`);
    from = Number(last.split(" ")[0]) + 1;
  }
  assert.deepEqual(killed, [], `cases that killed the process (signal) or hung (SIGTERM at the timeout):\n${killed.join("\n")}`);
  assert.deepEqual(failures.slice(0, 40), [], `${failures.length} cases threw something other than a FlambeauError naming its op`);
  assert.ok(counts !== undefined, "the sweep did not finish");
  // The sweep must keep its reach: a refactor that empties the target list would pass silently.
  assert.ok(total > 20_000, `only ${total} cases`);
  assert.ok((counts.E_ARG ?? 0) > 10_000 && (counts.ok ?? 0) > 1_000, `outcomes ${JSON.stringify(counts)}`);
});
