import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Bm25Index } from "../../../src/text/retrieval/bm25.js";

const close = (a: ArrayLike<number>, b: readonly number[], tol = 1e-6) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < tol, `score ${i}: ${a[i]} vs ${b[i]}`);
};

// rank_bm25's README (BM25Okapi, k1 1.5, b 0.75, ε 0.25), tokenized by split(" ").
const README = ["Hello there good man!", "It is quite windy in London", "How is the weather today?"].map((d) => d.split(" "));

describe("Okapi BM25", () => {
  test("rank_bm25's published example: 'windy London' scores [0, 0.93729472, 0]", () => {
    const idx = new Bm25Index(README);
    assert.equal(idx.avgdl, 5);
    close(idx.scores(["windy", "London"]), [0, 0.93729472, 0], 5e-9);
  });

  test("a negative idf is floored at ε × the mean idf (hand-computed)", () => {
    // 14 distinct tokens: 13 in one document, idf ln(2.5/1.5); "is" in two, idf ln(1.5/2.5) < 0.
    const idx = new Bm25Index(README);
    const one = Math.log(2.5 / 1.5);
    const eps = (0.25 * (13 * one - one)) / 14;
    assert.ok(Math.abs(idx.idf("is") - eps) < 1e-12);
    // Document 1 has 6 tokens (avgdl 5): tf 1 weighs 2.5 / (1 + 1.5 (0.25 + 0.75 · 6/5)); document 2 has 5: weight 1.
    const w1 = 2.5 / (1 + 1.5 * (0.25 + 0.75 * 1.2));
    close(idx.scores(["is", "windy"]), [0, eps * w1 + one * w1, eps]);
  });

  test("Lucene idf, k1 1.2, term frequency 2 and 3 (hand-computed)", () => {
    const docs = [
      ["a", "b"],
      ["a", "a", "c"],
      ["b", "c", "c", "c"],
    ];
    const idx = new Bm25Index(docs, { k1: 1.2, b: 0.75, idf: "lucene" });
    // Every term is in 2 of 3 documents: idf = ln(1 + 1.5/2.5) = ln 1.6; avgdl = 3.
    const idf = Math.log(1.6);
    const w = (tf: number, len: number) => (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * len) / 3));
    const s = idx.scores(["a", "c"]);
    close(s, [w(1, 2), w(2, 3) + w(1, 3), w(3, 4)]);
    close(s, [0.5442147286003255, 1.1162586194586221, 0.6893386562270789], 1e-12);
    // A repeated query term counts twice; an unknown one adds nothing.
    close(idx.scores(["a", "a", "zzz"]), [2 * w(1, 2), 2 * w(2, 3), 0]);
  });

  test("b = 0 ignores length; bad parameters are clear errors", () => {
    const idx = new Bm25Index([["x"], ["x", "y", "z", "w"]], { b: 0, idf: "lucene" });
    const s = idx.scores(["x"]);
    assert.ok(Math.abs(s[0]! - s[1]!) < 1e-12);
    assert.throws(() => new Bm25Index([["x"]], { b: 2 }), /b must be in \[0, 1\], got 2/);
    assert.throws(() => new Bm25Index([["x"]], { k1: -1 }), /k1 must be a finite number ≥ 0, got -1/);
    assert.throws(() => new Bm25Index([]), /no documents to index/);
  });
});
