// The benchmark suite in smoke mode (one tiny iteration of every workload on every side):
// proves each workload still runs in Flambeau, PyTorch and tfjs and that the results file
// and table are written. No timing is asserted.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseBenchArgs } from "../../bench/run.js";
import { runSuite, WORKLOADS } from "../../bench/suite.js";
import { FlambeauError } from "../../src/core/errors.js";
import { FIXTURES } from "../helpers/fixtures.js";

const ROOT = join(FIXTURES, "..", "..");
const hasTorch = spawnSync(process.env.FLAMBEAU_PYTHON ?? "/usr/bin/python3", ["-c", "import torch"]).status === 0;

interface ResultRow {
  workload: string;
  flambeau: number | null;
  pytorch: number | null;
  tfjs: number | null;
  tfjsNote?: string;
  ort?: number | null;
  ortNote?: string;
  rssMB: { flambeau: number | null };
}

test("bench --smoke runs every workload on every side and writes the results", { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-bench-smoke-"));
  const out = join(dir, "smoke.json");
  const r = spawnSync(process.execPath, [join(ROOT, "dist", "bench", "run.js"), "--smoke", "--out", out], {
    encoding: "utf8",
    env: { ...process.env, FLAMBEAU_NUM_THREADS: "1" },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\| workload \| unit \| Flambeau \| PyTorch \| tfjs \| vs PyTorch \| vs tfjs \|/);
  const text = readFileSync(out, "utf8");
  rmSync(dir, { recursive: true, force: true });
  const j = JSON.parse(text) as {
    smoke: boolean;
    commit: string;
    machine: { cores: number };
    threads: { flambeau: number; pytorch: number };
    rows: ResultRow[];
    errors: string[];
  };
  assert.equal(j.smoke, true);
  assert.equal(j.threads.flambeau, 1);
  assert.equal(j.threads.pytorch, 1);
  assert.ok(j.machine.cores >= 1);
  assert.deepEqual(j.errors, hasTorch ? [] : j.errors);
  assert.equal(
    j.rows.length,
    WORKLOADS.reduce((n, w) => n + w.rows.length, 0),
  );
  for (const row of j.rows) {
    assert.ok(Number.isFinite(row.flambeau) && row.flambeau! >= 0, `${row.workload}: Flambeau ${row.flambeau}`);
    assert.ok(row.rssMB.flambeau! > 50, `${row.workload}: peak RSS ${row.rssMB.flambeau}`);
  }
  const w = (name: string) => WORKLOADS.find((x) => x.name === name)!;
  // Rows of workloads without a tfjs twin (the RotatE step) have no tfjs figure.
  const withoutTfjs = new Set(WORKLOADS.filter((x) => !x.tfjs && x.pytorch).flatMap((x) => x.rows.map((r) => r.label)));
  for (const row of j.rows.filter((x) => !x.workload.startsWith("event-loop") && !x.workload.includes("serve"))) {
    if (hasTorch) assert.ok(Number.isFinite(row.pytorch), `${row.workload}: PyTorch ${row.pytorch}`);
    if (row.workload.startsWith("GCN")) assert.match(row.tfjsNote!, /^— \(no usable scatter-add/);
    // tfjs has no worker-backed loader, so no separate first-epoch figure.
    else if (!row.workload.includes("require grad") && !row.workload.includes("first epoch") && !withoutTfjs.has(row.workload))
      assert.ok(Number.isFinite(row.tfjs), `${row.workload}: tfjs ${row.tfjs} (${row.tfjsNote})`);
  }
  assert.equal(w("event-loop").pytorch, false);
  // onnxruntime-node runs the CNN inference rows (the same weights, exported by Flambeau's ONNX writer).
  const inference = j.rows.filter((x) => x.workload.startsWith("CNN inference"));
  assert.equal(inference.length, 6); // eager and in oneDNN's layout
  for (const row of inference) assert.ok(Number.isFinite(row.ort), `${row.workload}: onnxruntime ${row.ort} (${row.ortNote})`);
  assert.ok(j.rows.filter((x) => x.ort !== undefined).every((x) => x.workload.startsWith("CNN inference")));
});

test("bench arguments are checked", async () => {
  assert.deepEqual(parseBenchArgs(["--smoke", "--only", "engine,lstm", "--threads", "2", "--no-tfjs"]), {
    kvCache: true,
    smoke: true,
    only: ["engine", "lstm"],
    threads: 2,
    tfjs: false,
  });
  assert.throws(
    () => parseBenchArgs(["--threads", "0"]),
    (e: unknown) => e instanceof FlambeauError && /--threads must be a positive integer, got 0/.test(e.message),
  );
  assert.throws(() => parseBenchArgs(["--only"]), /--only needs a value/);
  assert.throws(() => parseBenchArgs(["--fast"]), /unknown option --fast/);
  await assert.rejects(
    runSuite({ only: ["engine", "nope"] }),
    (e: unknown) =>
      e instanceof FlambeauError && e.code === "E_ARG" && /unknown workload\(s\) nope; workloads: engine, mlp/.test(e.message),
  );
});
