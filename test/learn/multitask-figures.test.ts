// The README's two multi-task figures run end to end at a tiny budget: every arm trains and
// reports its metrics (the pipeline, not the figure: a few steps are all a test can afford).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const script = (name: string) => new URL(`../../../scripts/${name}`, import.meta.url).pathname;

/** The JSON lines a figure script prints. */
async function lines(name: string, args: string[]): Promise<Record<string, unknown>[]> {
  const { stdout } = await run(process.execPath, [script(name), ...args], {
    env: { ...process.env, FLAMBEAU_NUM_THREADS: "1" },
    maxBuffer: 1 << 24,
  });
  return stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const inUnit = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 1;

test("multitask-scenes: class + box + segmentation apart, joint and uncertainty-weighted", async () => {
  const [head, ...runs] = await lines("multitask-scenes.mjs", ["64", "32", "1", "0"]);
  assert.equal(head!.classes, 10);
  assert.deepEqual(
    runs.map((r) => r.run),
    ["apart", "joint", "uncertainty"],
  );
  for (const r of runs) for (const k of ["accuracy", "meanIou", "mIoU"]) assert.ok(inUnit(r[k]), `${r.run} ${k}: ${r[k]}`);
  // Apart trains three networks; the joint one shares its trunk.
  const apart = runs[0]!.params as Record<string, number>;
  const joint = (runs[1]!.params as Record<string, number>).joint!;
  assert.ok(apart.class! + apart.box! + apart.seg! > joint);
  const w = runs[2]!.finalWeights as Record<string, number>;
  assert.deepEqual(Object.keys(w).sort(), ["box", "class", "seg"]);
});

test("multitask-brown: POS + entities apart, joint and GradNorm", async () => {
  const [, ...runs] = await lines("multitask-brown.mjs", ["48", "16", "1", "0"]);
  assert.deepEqual(
    runs.map((r) => r.run),
    ["apart", "joint", "gradnorm"],
  );
  for (const r of runs) {
    assert.ok(inUnit(r.posAccuracy), `${r.run} posAccuracy: ${r.posAccuracy}`);
    assert.ok(inUnit(r.entityF1), `${r.run} entityF1: ${r.entityF1}`);
  }
  const w = runs[2]!.finalWeights as Record<string, number>;
  // GradNorm renormalises its weights to sum to the number of tasks.
  assert.ok(Math.abs(w.pos! + w.ent! - 2) < 1e-4, JSON.stringify(w));
});
