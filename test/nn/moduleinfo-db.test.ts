// PyTorch's own ModuleInfo suite (module_db, torch 1.13) replayed through Flambeau's nn modules:
// each recorded sample is constructed with PyTorch's arguments, given PyTorch's weights through
// loadStateDict, run in the recorded train/eval mode, and its outputs, buffers after the forward
// and gradients (every parameter, every float input) compared with PyTorch's at torch.testing's
// per-dtype tolerances. Fixtures: /usr/bin/python3 scripts/fixtures/moduleinfo_db.py. A sample
// that throws, differs or crashes the process is a failure in the report, never a skip; the test
// fails when the counts drop below the floor in test/fixtures/nn/moduleinfo-db/floor.json.
// MODULEINFO_REPORT=path writes the report to a file as well.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { runIsolated } from "../helpers/isolated-worker.js";
import { DIR, readModuleIndex, sampleName } from "./moduleinfo-db-load.js";
import { moduleClass, type Outcome } from "./moduleinfo-db-replay.js";

interface Floor {
  covered: number;
  samplesMatched: number;
  outputsMatched: number;
  gradsMatched: number;
}
type Line = Outcome & { k: number };
const CHILD = join(dirname(fileURLToPath(import.meta.url)), "moduleinfo-db-child.js");

test("PyTorch's ModuleInfo suite replayed through Flambeau's nn modules", () => {
  const t0 = Date.now();
  const ix = readModuleIndex();
  const withSamples = ix.moduleinfos.filter((o) => o.samples.length > 0);
  const covered = withSamples.filter((o) => moduleClass(o));
  const missing = withSamples.filter((o) => !moduleClass(o));
  const owner: { info: string; sample: string }[] = [];
  for (const o of covered) for (const s of o.samples) owner.push({ info: o.name, sample: sampleName(o, s) });
  const { lines, crashes } = runIsolated<Line>(CHILD, owner.length, (s, why) => ({
    k: s.start,
    output: "error",
    grad: "none",
    message: why,
  }));
  const failing = new Map<string, { n: number; first: string }>();
  let matched = 0;
  let outputs = 0;
  let gradsReplayed = 0;
  let grads = 0;
  for (const l of lines) {
    const { info, sample } = owner[l.k] as { info: string; sample: string };
    if (l.output === "match") outputs++;
    if (l.grad !== "none") {
      gradsReplayed++;
      if (l.grad === "match") grads++;
    }
    if (l.output === "match" && (l.grad === "match" || l.grad === "none")) matched++;
    else {
      const f = failing.get(info) ?? { n: 0, first: `${sample.slice(info.length + 1)} ${l.message ?? ""}`.trim() };
      f.n++;
      failing.set(info, f);
    }
  }
  const replayed = lines.length;
  const samplesOfMissing = missing.reduce((n, o) => n + o.samples.length, 0);
  const perInfo = new Map(covered.map((o) => [o.name, o.samples.length]));
  const pct = (a: number, b: number) => `${((100 * a) / Math.max(b, 1)).toFixed(1)} %`;
  const tol = Object.entries(ix.tolerances).map(([d, [r, a]]) => `${d} rtol ${r} atol ${a}`);
  const report = [
    `PyTorch ${ix.torch} module_db: ${ix.moduleinfos.length + ix.excluded.length} ModuleInfos; ${ix.excluded.length} excluded, ${ix.moduleinfos.length - withSamples.length} without a recordable sample; float64 on CPU, up to ${ix.cap} samples per ModuleInfo and mode; tolerances: ${tol.join(", ")}`,
    `ModuleInfos covered: ${covered.length} / ${withSamples.length} (${pct(covered.length, withSamples.length)}); not in Flambeau: ${missing.length} (${samplesOfMissing} samples)`,
    `samples matching (outputs, buffers and gradients): ${matched} / ${replayed} replayed (${pct(matched, replayed)}); of all ${replayed + samplesOfMissing} recorded: ${pct(matched, replayed + samplesOfMissing)}`,
    `  outputs and buffers after the forward: ${outputs} / ${replayed} (${pct(outputs, replayed)})`,
    `  parameter and input gradients: ${grads} / ${gradsReplayed} (${pct(grads, gradsReplayed)})`,
    `  crashes (worker killed, sample counted as failed): ${crashes.length}`,
    ...crashes.map((c) => `    ${owner[c.started.start]?.sample}: ${c.why}`),
    `not in Flambeau: ${missing.map((o) => o.name).join(", ") || "none"}`,
    `excluded: ${ix.excluded.map((e) => `${e.name} (${e.reason})`).join(", ") || "none"}`,
    "failing ModuleInfos (failed / samples: first failure):",
    ...[...failing.entries()].sort((a, b) => b[1].n - a[1].n).map(([n, f]) => `  ${n} ${f.n}/${perInfo.get(n)}: ${f.first}`),
    `(${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  ].join("\n");
  console.log(report);
  if (process.env.MODULEINFO_REPORT) writeFileSync(process.env.MODULEINFO_REPORT, `${report}\n`);
  const floor = JSON.parse(readFileSync(join(DIR, "floor.json"), "utf8")) as Floor;
  assert.ok(covered.length >= floor.covered, `ModuleInfos covered ${covered.length} < floor ${floor.covered}`);
  assert.ok(matched >= floor.samplesMatched, `samples matching ${matched} < floor ${floor.samplesMatched}`);
  assert.ok(outputs >= floor.outputsMatched, `outputs matching ${outputs} < floor ${floor.outputsMatched}`);
  assert.ok(grads >= floor.gradsMatched, `gradients matching ${grads} < floor ${floor.gradsMatched}`);
});
