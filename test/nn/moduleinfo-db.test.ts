// PyTorch's own ModuleInfo suite (module_db, torch 1.13) replayed through Flambeau's nn modules:
// each recorded sample is constructed with PyTorch's arguments, given PyTorch's weights through
// loadStateDict, run in the recorded train/eval mode, and its outputs, buffers after the forward
// and gradients (every parameter, every float input) compared with PyTorch's at torch.testing's
// per-dtype tolerances. Fixtures: /usr/bin/python3 scripts/fixtures/moduleinfo_db.py. A sample
// that throws, differs or crashes the process is a failure in the report, never a skip; the test
// fails when the counts drop below the floor in test/fixtures/nn/moduleinfo-db/floor.json.
// MODULEINFO_REPORT=path writes the report to a file as well.
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { runIsolated } from "../helpers/isolated-worker.js";
import { assertFloor, type Outcome, type Owner, publishReport, reportText, tally } from "../helpers/replay-report.js";
import { DIR, readModuleIndex, sampleName } from "./moduleinfo-db-load.js";
import { moduleClass } from "./moduleinfo-db-replay.js";

type Line = Outcome & { k: number };
const CHILD = join(dirname(fileURLToPath(import.meta.url)), "moduleinfo-db-child.js");

test("PyTorch's ModuleInfo suite replayed through Flambeau's nn modules", () => {
  const t0 = Date.now();
  const ix = readModuleIndex();
  const withSamples = ix.moduleinfos.filter((o) => o.samples.length > 0);
  const covered = withSamples.filter((o) => moduleClass(o));
  const missing = withSamples.filter((o) => !moduleClass(o));
  const owner: Owner[] = [];
  for (const o of covered) for (const s of o.samples) owner.push({ group: o.name, sample: sampleName(o, s) });
  const { lines, crashes } = runIsolated<Line>(CHILD, owner.length, (s, why) => ({
    k: s.start,
    output: "error",
    grad: "none",
    message: why,
  }));
  const t = tally(lines, owner);
  const tol = Object.entries(ix.tolerances).map(([d, [r, a]]) => `${d} rtol ${r} atol ${a}`);
  const parts = {
    header: `PyTorch ${ix.torch} module_db: ${ix.moduleinfos.length + ix.excluded.length} ModuleInfos; ${ix.excluded.length} excluded, ${ix.moduleinfos.length - withSamples.length} without a recordable sample; float64 on CPU, up to ${ix.cap} samples per ModuleInfo and mode; tolerances: ${tol.join(", ")}`,
    groups: "ModuleInfos",
    covered: covered.length,
    withSamples: withSamples.length,
    missing: missing.map((o) => o.name),
    samplesOfMissing: missing.reduce((n, o) => n + o.samples.length, 0),
    tally: t,
    labels: {
      matched: "outputs, buffers and gradients",
      outputs: "outputs and buffers after the forward",
      grads: "parameter and input gradients",
    },
    crashes: crashes.map((c) => `${owner[c.started.start]?.sample}: ${c.why}`),
    notes: [`excluded: ${ix.excluded.map((e) => `${e.name} (${e.reason})`).join(", ") || "none"}`],
    perGroup: new Map(covered.map((o) => [o.name, o.samples.length])),
    t0,
  };
  publishReport(reportText(parts), "MODULEINFO_REPORT");
  assertFloor(DIR, parts);
});
