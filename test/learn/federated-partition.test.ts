// Partitions by speaker or writer: one client per group key, numbered in sorted key order
// (every process that cuts the same set numbers clients alike), each holding exactly its
// key's examples; a set without keys is refused with the reason.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";

const { federated: fed } = fl.learn;

test("speaker partition: one client per voice, in sorted order, covering every example once", () => {
  const groups = ["flite:slt", "espeak-ng:m1", "flite:slt", "espeak-ng:f2", "espeak-ng:m1", "espeak-ng:m1"];
  const labels = [0, 1, 2, 0, 1, 2];
  const { keys, parts } = fed.partitionByGroup(groups);
  assert.deepEqual(keys, ["espeak-ng:f2", "espeak-ng:m1", "flite:slt"]);
  assert.deepEqual(parts, [[3], [1, 4, 5], [0, 2]]);
  // `clients` does not apply: there is one client per key.
  assert.deepEqual(fed.partition("speaker", labels, { clients: 100, groups }), parts);
  assert.deepEqual(fed.partition("writer", labels, { clients: 2, groups }), parts);
  assert.throws(() => fed.partition("speaker", labels, { clients: 3 }), /needs a data set that names each example's speaker/);
  assert.throws(() => fed.partition("speaker", labels, { clients: 3, groups: groups.slice(1) }), /5 group keys for 6 examples/);
});
