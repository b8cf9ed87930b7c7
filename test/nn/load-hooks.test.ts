// Load hooks: work attached to a state dict runs once, on the model that loads it (or a copy of
// its tensors), and a watcher sees only the loads of its own async chain, so two watched
// evaluations running at once do not see each other's models.
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Linear } from "../../src/nn/linear.js";
import { afterStateDictLoad, watchStateDictLoads } from "../../src/nn/load-hooks.js";
import type { Module } from "../../src/nn/module.js";

test("afterStateDictLoad runs once, on the model that loads the map or a copy of its tensors", () => {
  const a = new Linear(2, 2);
  const sd = a.stateDict();
  const seen: Module[] = [];
  afterStateDictLoad(sd, (m) => seen.push(m));
  const b = new Linear(2, 2);
  b.loadStateDict(new Map(sd));
  const c = new Linear(2, 2);
  c.loadStateDict(sd);
  assert.deepEqual(seen, [b]);
});

test("two watched chains running at once each see only their own loads", async () => {
  const src = new Linear(3, 1).stateDict();
  const load = async (delay: number): Promise<Module> => {
    await sleep(delay);
    const m = new Linear(3, 1);
    m.loadStateDict(src);
    await sleep(delay);
    return m;
  };
  const first: Module[] = [];
  const second: Module[] = [];
  const outer: Module[] = [];
  const [m1, m2] = await watchStateDictLoads(
    (m) => outer.push(m),
    () =>
      Promise.all([
        watchStateDictLoads(
          (m) => first.push(m),
          () => load(20),
        ),
        watchStateDictLoads(
          (m) => second.push(m),
          () => load(5),
        ),
      ]),
  );
  assert.deepEqual(first, [m1]);
  assert.deepEqual(second, [m2]);
  // A watcher also sees the loads of the chains it started.
  assert.deepEqual(outer, [m2, m1]);
  // Outside every chain nothing is watched.
  new Linear(3, 1).loadStateDict(src);
  assert.equal(first.length + second.length + outer.length, 4);
});
