// The process settings behind --deterministic, named as PyTorch names them, and the runtime
// option itself: what it turns on during a run, what it puts back, and its errors.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";

const isFl = (code: string, re: RegExp) => (e: unknown) => e instanceof fl.FlambeauError && e.code === code && re.test(e.message);

test("useDeterministicAlgorithms, its warn-only mode and the debug mode read back as set", () => {
  assert.equal(fl.areDeterministicAlgorithmsEnabled(), false);
  assert.equal(fl.getDeterministicDebugMode(), 0);
  fl.useDeterministicAlgorithms(true, { warnOnly: true });
  assert.equal(fl.areDeterministicAlgorithmsEnabled(), true);
  assert.equal(fl.isDeterministicAlgorithmsWarnOnlyEnabled(), true);
  assert.equal(fl.getDeterministicDebugMode(), 1);
  fl.setDeterministicDebugMode("error");
  assert.equal(fl.getDeterministicDebugMode(), 2);
  assert.equal(fl.isDeterministicAlgorithmsWarnOnlyEnabled(), false);
  // Ops still run (libtorch 1.13's CPU kernels are deterministic at a fixed thread count).
  assert.equal(
    fl
      .tensor([1, 2, 3])
      .indexAdd(0, fl.tensor([0, 0], { dtype: "int64" }), fl.tensor([1, 1]))
      .sum()
      .item(),
    8,
  );
  fl.setDeterministicDebugMode(0);
  assert.equal(fl.areDeterministicAlgorithmsEnabled(), false);
  assert.throws(() => fl.useDeterministicAlgorithms(1 as unknown as boolean), isFl("E_ARG", /mode must be a boolean, got 1/));
  assert.throws(
    () => fl.useDeterministicAlgorithms(true, { warnOnly: "yes" as unknown as boolean }),
    isFl("E_ARG", /warnOnly must be a boolean/),
  );
  assert.throws(() => fl.setDeterministicDebugMode("loud" as "warn"), isFl("E_ARG", /"default", "warn", "error", 0, 1 or 2, got "loud"/));
});

test("seeds: manualSeed → initialSeed, seed() picks one that replays", () => {
  fl.manualSeed(1234);
  assert.equal(fl.initialSeed(), 1234);
  fl.manualSeed(2n ** 63n + 5n);
  assert.equal(fl.initialSeed(), 2n ** 63n + 5n);
  const s = fl.seed();
  assert.equal(fl.initialSeed(), s);
  const a = fl.rand([4]).data();
  fl.manualSeed(s);
  assert.deepEqual(fl.rand([4]).data(), a);
  assert.equal(typeof fl.setFlushDenormal(false), "boolean");
  assert.throws(() => fl.setFlushDenormal("on" as unknown as boolean), isFl("E_ARG", /mode must be a boolean/));
});

test("inter-op threads: set once before inter-op work, an error after", () => {
  assert.ok(fl.getNumInteropThreads() >= 1);
  assert.throws(() => fl.setNumInteropThreads(0), isFl("E_ARG", /n must be in \[1, 1024\], got 0/));
  fl.setNumInteropThreads(1);
  assert.equal(fl.getNumInteropThreads(), 1);
  assert.throws(() => fl.setNumInteropThreads(2), isFl("E_STATE", /cannot set number of interop threads/));
});

test("the deterministic run turns the settings on while it trains and puts them back", async () => {
  const { enterDeterministicRun, describeDeterministicRun } = await import("../../src/tasks/deterministic.js");
  const threads = fl.getNumThreads();
  const run = enterDeterministicRun(5);
  assert.equal(fl.areDeterministicAlgorithmsEnabled(), true);
  assert.equal(fl.initialSeed(), 5);
  assert.equal(run.settings.threads, fl.getNumThreads());
  assert.match(
    describeDeterministicRun("t", run.settings),
    /^t: deterministic run: seed 5, \d+ intra-op threads?, deterministic algorithms on/,
  );
  run.restore();
  assert.equal(fl.areDeterministicAlgorithmsEnabled(), false);
  assert.equal(fl.getNumThreads(), threads);
  assert.ok(fl.tasks.RUNTIME_OPTIONS.train.includes("deterministic"));
});
