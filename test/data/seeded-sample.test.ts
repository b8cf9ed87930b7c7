import assert from "node:assert/strict";
import { test } from "node:test";
import { holdOutTenth, permutation, seededSample } from "../../src/data/random.js";

test("seededSample draws n in the seeded permutation's order, or keeps everything in order", () => {
  const xs = Array.from({ length: 20 }, (_, i) => `x${i}`);
  const perm = permutation(20, 5, 1);
  assert.deepEqual(
    seededSample(xs, 4, 5, 1),
    Array.from(perm.subarray(0, 4), (i) => xs[i]),
  );
  assert.deepEqual(seededSample(xs, undefined, 5), xs);
  assert.deepEqual(seededSample(xs, 20, 5), xs);
  assert.notEqual(seededSample(xs, 30, 5), xs, "a copy, not the input");
});

test("holdOutTenth holds out the permutation's first tenth (at least one) and keeps the rest", () => {
  const xs = Array.from({ length: 25 }, (_, i) => i);
  const perm = Array.from(permutation(25, 3));
  const { train, val } = holdOutTenth(xs, 3);
  assert.deepEqual(val, perm.slice(0, 3));
  assert.deepEqual(train, perm.slice(3));
  assert.equal(holdOutTenth([7, 8], 0).val.length, 1);
});
