import assert from "node:assert/strict";
import { test } from "node:test";
import { chunks, epochBatches, lengthBuckets } from "../../src/data/epoch-batches.js";
import { permutation } from "../../src/data/random.js";

test("chunks cuts an order into consecutive parts, the last shorter; a bad size is an error", () => {
  const parts = chunks(Int32Array.from([4, 2, 0, 1, 3]), 2).map((c) => Array.from(c));
  assert.deepEqual(parts, [[4, 2], [0, 1], [3]]);
  assert.throws(() => chunks(Int32Array.of(1), 0), /chunks: size must be a positive integer, got 0/);
});

test("epochBatches draws a new plan every pass and reports the coming epoch's length", () => {
  const seen: number[][][] = [];
  const b = epochBatches(
    (e) => chunks(permutation(7, 3 + e), 3 + e),
    (idx) => Array.from(idx),
  );
  assert.equal(b.length, 3);
  seen.push([...b]);
  assert.equal(b.length, 2);
  seen.push([...b]);
  assert.deepEqual(
    seen[0],
    chunks(permutation(7, 3), 3).map((c) => Array.from(c)),
  );
  assert.deepEqual(
    seen[1],
    chunks(permutation(7, 4), 4).map((c) => Array.from(c)),
  );
  for (const epoch of seen) assert.deepEqual(epoch.flat().sort(), [0, 1, 2, 3, 4, 5, 6]);
});

test("lengthBuckets: in order without seeds, sorted within windows; seeded batches cover every example once", () => {
  const lengths = [5, 1, 4, 2, 3, 9];
  // One window (50 batches of 2 hold all 6): sorted by length, then cut.
  assert.deepEqual(lengthBuckets(lengths, 2), [
    [1, 3],
    [4, 2],
    [0, 5],
  ]);
  const shuffled = lengthBuckets(lengths, 2, { examples: 11, batches: 18 });
  assert.deepEqual(shuffled.flat().sort(), [0, 1, 2, 3, 4, 5]);
  for (const b of shuffled) assert.ok(b.length === 2);
  // Each batch holds neighbours in length order, whatever the shuffle.
  assert.deepEqual(
    shuffled.map((b) => b.map((i) => lengths[i]!)).sort((a, b) => a[0]! - b[0]!),
    [
      [1, 2],
      [3, 4],
      [5, 9],
    ],
  );
});
