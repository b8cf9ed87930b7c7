import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { toIds, topicTokens, topicVocabulary } from "../../../src/text/topics/bow.js";
import { ldaGibbs } from "../../../src/text/topics/lda-gibbs.js";
import { CooccurrenceCounts, npmi, npmiCoherence, topicDiversity } from "../../../src/text/topics/npmi.js";

const near = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

// Four reference documents (word sets).
const REF = [["cat", "dog"], ["cat", "dog", "fish"], ["cat"], ["fish", "bird"]];

describe("NPMI coherence (hand values)", () => {
  test("pairs: co-occurring, independent-ish, never together", () => {
    const c = new CooccurrenceCounts(REF);
    // P(cat) 3/4, P(dog) 2/4, P(cat, dog) 2/4: ln((1/2)/(3/8)) / −ln(1/2) = ln(4/3)/ln 2.
    near(npmi(c, "cat", "dog"), Math.log(4 / 3) / Math.log(2));
    near(npmi(c, "cat", "dog"), 0.41503749927884376);
    // P(cat, fish) 1/4, P(fish) 2/4: ln((1/4)/(3/8)) / ln 4 = ln(2/3)/ln 4.
    near(npmi(c, "cat", "fish"), Math.log(2 / 3) / Math.log(4));
    // dog and bird never share a document; an unknown word neither.
    assert.equal(npmi(c, "dog", "bird"), -1);
    assert.equal(npmi(c, "cat", "zebra"), -1);
    // Words in every document together: NPMI 1.
    assert.equal(
      npmi(
        new CooccurrenceCounts([
          ["a", "b"],
          ["a", "b"],
        ]),
        "a",
        "b",
      ),
      1,
    );
  });

  test("a topic's coherence is the mean over its top words' pairs; the model's the mean over topics", () => {
    const c = new CooccurrenceCounts(REF);
    const t1 = (Math.log(4 / 3) / Math.log(2) + Math.log(2 / 3) / Math.log(4) + Math.log(1 / 4 / (2 / 4) ** 2) / Math.log(4)) / 3;
    const r = npmiCoherence(
      [
        ["cat", "dog", "fish", "ignored"],
        ["dog", "bird"],
      ],
      c,
      3,
    );
    near(r.perTopic[0]!, t1);
    assert.equal(r.perTopic[1], -1);
    near(r.mean, (t1 - 1) / 2);
    assert.throws(() => npmiCoherence([["one"]], c), /topic 0 has 1 words; pairs need 2/);
  });

  test("diversity, tokens, vocabulary", () => {
    assert.equal(
      topicDiversity(
        [
          ["a", "b"],
          ["b", "c"],
        ],
        2,
      ),
      0.75,
    );
    assert.deepEqual(topicTokens("The Cat's cats, and DOGS ran; it's a sin."), ["cats", "dogs", "ran", "sin"]);
    const docs = [["x", "y"], ["x", "y"], ["x", "z"], ["y"]];
    assert.deepEqual(topicVocabulary(docs, { minDf: 2, maxDf: 0.8 }), ["x", "y"]);
    assert.deepEqual(toIds([["y", "q", "x"]], ["x", "y"]), [[1, 0]]);
  });

  test("collapsed Gibbs LDA separates two disjoint vocabularies", () => {
    const docs = Array.from({ length: 40 }, (_, i) => (i % 2 ? [0, 1, 2, 0, 1, 2, 0] : [3, 4, 5, 3, 4, 5, 3]));
    const phi = ldaGibbs(docs, 6, { topics: 2, iterations: 50, alpha: 0.1, beta: 0.01, seed: 0 });
    for (const row of phi)
      near(
        row.reduce((a, b) => a + b, 0),
        1,
        1e-9,
      );
    const first = phi.map((row) => (row[0]! + row[1]! + row[2]! > 0.5 ? "abc" : "def"));
    assert.deepEqual(new Set(first), new Set(["abc", "def"]));
  });
});
