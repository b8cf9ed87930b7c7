// TF-IDF: scikit-learn's smooth idf and L2 rows, by hand on a three-document corpus.
import assert from "node:assert/strict";
import { test } from "node:test";
import { TfidfVectorizer } from "../../src/text/features/tfidf.js";

test("TfidfVectorizer: smooth idf, sublinear tf, L2-normalised rows, vocabulary by document frequency", () => {
  const docs = ["the cat the cat", "the dog", "a bird"];
  const v = new TfidfVectorizer({ ngramRange: [1, 1], minDf: 1, sublinearTf: true }).fit(docs);
  // df: the 2, cat 1, dog 1, a 1, bird 1 → "the" first, then alphabetical.
  assert.deepEqual([...v.vocabulary.keys()], ["the", "a", "bird", "cat", "dog"]);
  const idf = (df: number) => Math.log(4 / (1 + df)) + 1;
  const x = v.transform(["the cat the cat", "unknown words only"]).toArray() as number[][];
  // doc 0: the ×2, cat ×2 → tf 1 + ln 2 each; weights (1+ln2)·idf(2), (1+ln2)·idf(1), then L2.
  const a = idf(2);
  const b = idf(1);
  const n = Math.hypot(a, b);
  assert.ok(Math.abs(x[0]![0]! - a / n) < 1e-6 && Math.abs(x[0]![3]! - b / n) < 1e-6);
  assert.deepEqual(x[1], [0, 0, 0, 0, 0], "texts with no known n-gram are all zeros");
  const bi = new TfidfVectorizer({ ngramRange: [1, 2], minDf: 2 }).fit(["red cat", "red cat", "blue dog"]);
  assert.deepEqual([...bi.vocabulary.keys()].sort(), ["cat", "red", "red cat"]);
  assert.throws(() => new TfidfVectorizer({ ngramRange: [2, 1] }), /ngramRange must be \[lo, hi\]/);
  assert.throws(() => new TfidfVectorizer().transform(["x"]), /fit it first/);
});
