// PyTorch's own OpInfo suite (op_db, torch 1.13) replayed through Flambeau's public API:
// every recorded sample's outputs and input gradients against PyTorch's, at torch.testing's
// per-dtype tolerances. Fixtures: /usr/bin/python3 scripts/fixtures/opinfo_db.py. A sample that
// throws, differs or crashes the process is a failure in the report, never a skip; the test
// fails when the counts drop below the floor in test/fixtures/core/opinfo-db/floor.json.
// OPINFO_REPORT=path writes the report to a file as well.
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { runIsolated } from "../helpers/isolated-worker.js";
import { assertFloor, type Outcome, type Owner, pct, publishReport, reportText, tally } from "../helpers/replay-report.js";
import { DIR, readIndex } from "./opinfo-db-load.js";
import { callFor, fullName } from "./opinfo-db-replay.js";

type Line = Outcome & { k: number; method?: string; methodMessage?: string };
const CHILD = join(dirname(fileURLToPath(import.meta.url)), "opinfo-db-child.js");

/** Every sample's outcome, restarting the worker after the sample that crashed it. */
function runAll(total: number): { lines: Line[]; crashes: string[] } {
  const r = runIsolated<Line>(CHILD, total, (s, why) => ({
    k: s.start,
    output: s.method ? "match" : "error",
    grad: "none",
    message: why,
    ...(s.method ? { method: "error" } : {}),
  }));
  const crashes = r.crashes.map(({ started: s, why }) => `${s.op}${s.method ? " (method)" : ""} sample ${s.start}: ${why}`);
  return { lines: r.lines, crashes };
}

test("PyTorch's OpInfo suite replayed through Flambeau", () => {
  const t0 = Date.now();
  const ix = readIndex();
  const withSamples = ix.opinfos.filter((o) => o.samples.length > 0);
  const covered = withSamples.filter((o) => callFor(o));
  const missing = withSamples.filter((o) => !callFor(o));
  const owner: Owner[] = [];
  for (const o of covered)
    for (const s of o.samples) owner.push({ group: fullName(o), sample: `${fullName(o)}${s.name ? ` [${s.name}]` : ""}` });
  const { lines, crashes } = runAll(owner.length);
  const t = tally(lines, owner);
  // The method variants: outputs only, counted apart from the function variant's.
  const failingMethods = new Map<string, string>();
  let methodsReplayed = 0;
  let methods = 0;
  for (const l of lines) {
    if (l.method === undefined) continue;
    methodsReplayed++;
    const { group } = owner[l.k] as Owner;
    if (l.method === "match") methods++;
    else if (!failingMethods.has(group)) failingMethods.set(group, l.methodMessage ?? l.message ?? "");
  }
  const parts = {
    header: `PyTorch ${ix.torch} op_db: ${ix.opinfos.length + ix.excluded.length} OpInfos; ${ix.excluded.length} excluded (not public dense CPU API, listed in index.json.gz), ${ix.opinfos.length - withSamples.length} without a recordable sample`,
    groups: "OpInfos",
    covered: covered.length,
    withSamples: withSamples.length,
    missing: missing.map(fullName),
    samplesOfMissing: missing.reduce((n, o) => n + o.samples.length, 0),
    tally: t,
    labels: { matched: "outputs and input gradients", outputs: "outputs", grads: "input gradients" },
    counts: [`  method variants (outputs): ${methods} / ${methodsReplayed} (${pct(methods, methodsReplayed)})`],
    crashes,
    perGroup: new Map(covered.map((o) => [fullName(o), o.samples.length])),
    trailer: ["failing method variants (first failure):", ...[...failingMethods.entries()].map(([n, m]) => `  ${n}: ${m}`)],
    t0,
  };
  publishReport(reportText(parts), "OPINFO_REPORT");
  assertFloor(DIR, parts, { methodsMatched: [methods, "method variants matching"] });
});
