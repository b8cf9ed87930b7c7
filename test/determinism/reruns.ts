// Trains a task three times through the task runtime with `deterministic: true` (seed 1, seed 1
// again, seed 2) and returns what each run saved: the weights file's bytes, the validation
// metrics and the per-epoch losses. Timings are left out: they are the one thing a
// deterministic run does not repeat.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as fl from "flambeau";

export interface Run {
  /** sha256 of model.safetensors (tensor bytes and header). */
  weights: string;
  metrics: string;
  losses: string;
}

type Args = Omit<fl.tasks.TrainArgs, "out" | "seed" | "deterministic"> & Record<string, unknown>;

export async function trainRun(taskName: string, args: Args, seed: number): Promise<Run> {
  const out = mkdtempSync(join(tmpdir(), `fl-det-${taskName}-`));
  try {
    const r = await fl.tasks.getTask(taskName).train({ ...args, out, seed, deterministic: true });
    const weights = createHash("sha256")
      .update(readFileSync(join(out, "model.safetensors")))
      .digest("hex");
    const losses = JSON.stringify(r.history.epochs.map(({ seconds: _s, ...e }) => e));
    return { weights, metrics: JSON.stringify(r.metrics), losses };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Seed 1 twice gives identical weights, metrics and losses; seed 2 gives other weights. */
export async function assertReproducible(taskName: string, args: Args): Promise<void> {
  const before = { mode: fl.areDeterministicAlgorithmsEnabled(), threads: fl.getNumThreads() };
  const a = await trainRun(taskName, args, 1);
  const b = await trainRun(taskName, args, 1);
  const c = await trainRun(taskName, args, 2);
  assert.equal(b.weights, a.weights, `${taskName}: seed 1 twice saved different weights`);
  assert.equal(b.metrics, a.metrics, `${taskName}: seed 1 twice gave different metrics`);
  assert.equal(b.losses, a.losses, `${taskName}: seed 1 twice gave different epoch losses`);
  assert.notEqual(c.weights, a.weights, `${taskName}: seeds 1 and 2 saved the same weights`);
  // The run puts the process settings back for whatever the program does next.
  assert.deepEqual({ mode: fl.areDeterministicAlgorithmsEnabled(), threads: fl.getNumThreads() }, before);
}
