import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { exactMatch, f1Score, normalizeAnswer, squadScores } from "../../../src/text/qa/squad-metrics.js";

// [prediction, truth, normalize_answer(prediction), exact match, F1] from the functions of the
// official evaluate-v1.1.py, run under /usr/bin/python3 (test/fixtures/squad-v1.1-reference.py prints them).
const REFERENCE: [string, string, string, number, number][] = [
  ["The Cat sat.", "cat sat", "cat sat", 1, 1],
  ["an apple a day", "Apple day", "apple day", 1, 1],
  ["Denver Broncos", "the Denver Broncos!", "denver broncos", 1, 1],
  ["theater of the absurd", "Theater, absurd", "theater of absurd", 0, 0.8],
  ["the the the", "a", "", 1, 0],
  ["Carolina Panthers 24–10", "Carolina Panthers", "carolina panthers 24–10", 0, 0.8],
  ["Saint-Étienne", "saint étienne", "saintétienne", 0, 0],
  ["1,000 people", "1000 people", "1000 people", 1, 1],
  ["an", "", "", 1, 0],
  ["x y x", "x x z", "x y x", 0, 2 / 3],
  ["Ärzte the Über", "ärzte über", "ärzte über", 1, 1],
];

describe("SQuAD v1.1 exact match and F1", () => {
  test("agree with evaluate-v1.1.py's normalize_answer, exact_match_score and f1_score", () => {
    for (const [p, t, norm, em, f1] of REFERENCE) {
      assert.equal(normalizeAnswer(p), norm, p);
      assert.equal(exactMatch(p, t), em, p);
      assert.ok(Math.abs(f1Score(p, t) - f1) < 1e-12, `${p}: ${f1Score(p, t)} vs ${f1}`);
    }
  });
  test("corpus scores take the best reference and are percentages", () => {
    const s = squadScores(["Denver Broncos", "x y x"], [["Carolina", "the Denver Broncos"], ["x x z"]]);
    assert.equal(s.exactMatch, 50);
    assert.ok(Math.abs(s.f1 - (100 * (1 + 2 / 3)) / 2) < 1e-9);
    assert.throws(() => squadScores(["a"], []), /1 predictions for 0 questions/);
  });
});
