// PyTorch's own OpInfo suite (op_db, torch 1.13) replayed through Flambeau's public API:
// every recorded sample's outputs and input gradients against PyTorch's, at torch.testing's
// per-dtype tolerances. Fixtures: /usr/bin/python3 scripts/fixtures/opinfo_db.py. A sample that
// throws, differs or crashes the process is a failure in the report, never a skip; the test
// fails when the counts drop below the floor in test/fixtures/core/opinfo-db/floor.json.
// OPINFO_REPORT=path writes the report to a file as well.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { runIsolated } from "../helpers/isolated-worker.js";
import { DIR, readIndex } from "./opinfo-db-load.js";
import { callFor, fullName, type Outcome } from "./opinfo-db-replay.js";

interface Floor {
  covered: number;
  samplesMatched: number;
  outputsMatched: number;
  gradsMatched: number;
  methodsMatched: number;
}
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
  const owner: string[] = [];
  for (const o of covered) for (const s of o.samples) owner.push(`${fullName(o)}${s.name ? ` [${s.name}]` : ""}`);
  const { lines, crashes } = runAll(owner.length);
  const failing = new Map<string, { n: number; first: string }>();
  const failingMethods = new Map<string, string>();
  let matched = 0;
  let outputs = 0;
  let gradsReplayed = 0;
  let grads = 0;
  let methodsReplayed = 0;
  let methods = 0;
  for (const l of lines) {
    const name = (owner[l.k] as string).replace(/ \[.*$/, "");
    if (l.output === "match") outputs++;
    if (l.grad !== "none") {
      gradsReplayed++;
      if (l.grad === "match") grads++;
    }
    if (l.output === "match" && (l.grad === "match" || l.grad === "none")) matched++;
    else {
      const f = failing.get(name) ?? { n: 0, first: `${owner[l.k]?.slice(name.length + 1) ?? ""} ${l.message ?? ""}`.trim() };
      f.n++;
      failing.set(name, f);
    }
    if (l.method !== undefined) {
      methodsReplayed++;
      if (l.method === "match") methods++;
      else if (!failingMethods.has(name)) failingMethods.set(name, l.methodMessage ?? l.message ?? "");
    }
  }
  const replayed = lines.length;
  const samplesOfMissing = missing.reduce((n, o) => n + o.samples.length, 0);
  const perOp = new Map(covered.map((o) => [fullName(o), o.samples.length]));
  const pct = (a: number, b: number) => `${((100 * a) / Math.max(b, 1)).toFixed(1)} %`;
  const report = [
    `PyTorch ${ix.torch} op_db: ${ix.opinfos.length + ix.excluded.length} OpInfos; ${ix.excluded.length} excluded (not public dense CPU API, listed in index.json.gz), ${ix.opinfos.length - withSamples.length} without a recordable sample`,
    `OpInfos covered: ${covered.length} / ${withSamples.length} (${pct(covered.length, withSamples.length)}); not in Flambeau: ${missing.length} (${samplesOfMissing} samples)`,
    `samples matching (outputs and input gradients): ${matched} / ${replayed} replayed (${pct(matched, replayed)}); of all ${replayed + samplesOfMissing} recorded: ${pct(matched, replayed + samplesOfMissing)}`,
    `  outputs: ${outputs} / ${replayed} (${pct(outputs, replayed)})`,
    `  input gradients: ${grads} / ${gradsReplayed} (${pct(grads, gradsReplayed)})`,
    `  method variants (outputs): ${methods} / ${methodsReplayed} (${pct(methods, methodsReplayed)})`,
    `  crashes (worker killed, sample counted as failed): ${crashes.length}`,
    ...crashes.map((c) => `    ${c}`),
    `not in Flambeau: ${missing.map(fullName).join(", ")}`,
    "failing OpInfos (failed / samples: first failure):",
    ...[...failing.entries()].sort((a, b) => b[1].n - a[1].n).map(([n, f]) => `  ${n} ${f.n}/${perOp.get(n)}: ${f.first}`),
    "failing method variants (first failure):",
    ...[...failingMethods.entries()].map(([n, m]) => `  ${n}: ${m}`),
    `(${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  ].join("\n");
  console.log(report);
  if (process.env.OPINFO_REPORT) writeFileSync(process.env.OPINFO_REPORT, `${report}\n`);
  const floor = JSON.parse(readFileSync(join(DIR, "floor.json"), "utf8")) as Floor;
  assert.ok(covered.length >= floor.covered, `OpInfos covered ${covered.length} < floor ${floor.covered}`);
  assert.ok(matched >= floor.samplesMatched, `samples matching ${matched} < floor ${floor.samplesMatched}`);
  assert.ok(outputs >= floor.outputsMatched, `outputs matching ${outputs} < floor ${floor.outputsMatched}`);
  assert.ok(grads >= floor.gradsMatched, `gradients matching ${grads} < floor ${floor.gradsMatched}`);
  assert.ok(methods >= floor.methodsMatched, `method variants matching ${methods} < floor ${floor.methodsMatched}`);
});
