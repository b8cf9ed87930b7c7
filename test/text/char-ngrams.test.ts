import assert from "node:assert/strict";
import { test } from "node:test";
import { charNgrams, fnv1a, ngramBuckets } from "../../src/text/char-ngrams.js";

test("FNV-1a 32-bit: the published test vectors", () => {
  // From the FNV reference test suite (Fowler, Noll, Vo): "", "a", "foobar".
  assert.equal(fnv1a(""), 0x811c9dc5);
  assert.equal(fnv1a("a"), 0xe40c292c);
  assert.equal(fnv1a("foobar"), 0xbf9cf968);
});

test("character n-grams of a boundary-marked word, 3 to 5 long", () => {
  assert.deepEqual(charNgrams("ab"), ["<ab", "ab>", "<ab>"]);
  assert.deepEqual(charNgrams("paket", 4, 4), ["<pak", "pake", "aket", "ket>"]);
  // "<paket>" has 5 trigrams, 4 four-grams and 3 five-grams.
  assert.equal(charNgrams("paket").length, 12);
});

test("a text's n-gram buckets: distinct, first-seen order, capped", () => {
  const words = ["paket", "paketverlust"];
  const all = ngramBuckets(words, 1 << 20, 1000);
  const expected = [...new Set([...charNgrams("paket"), ...charNgrams("paketverlust")].map((g) => fnv1a(g) % (1 << 20)))];
  assert.deepEqual(all, expected);
  // The compound shares every n-gram of "<paket" with the word it starts with.
  const shared = charNgrams("paket").filter((g) => !g.endsWith(">"));
  assert.ok(shared.every((g) => charNgrams("paketverlust").includes(g)));
  assert.deepEqual(ngramBuckets(words, 1 << 20, 5), expected.slice(0, 5));
  assert.ok(ngramBuckets(words, 7, 1000).every((b) => b >= 0 && b < 7));
  assert.throws(() => ngramBuckets(words, 0, 10), /ngramBuckets: buckets must be a positive integer, got 0/);
});
