// Translation and summarization metrics against published reference values.
import assert from "node:assert/strict";
import { test } from "node:test";
import { corpusBleu, tokenize13a } from "../../src/text/seq2seq/bleu.js";
import { corpusChrf } from "../../src/text/seq2seq/chrf.js";
import { corpusRouge, lcsLength, rouge } from "../../src/text/seq2seq/rouge.js";

// sacreBLEU's README example: two reference streams.
const REFS = [
  ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
  ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
];
const SYS = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];

test("corpus BLEU equals sacreBLEU's: 48.53 82.4/50.0/45.5/37.5 (BP = 0.943, 17/18)", () => {
  const b = corpusBleu(SYS, REFS);
  assert.equal(b.score.toFixed(2), "48.53");
  assert.deepEqual(
    b.precisions.map((p) => p.toFixed(1)),
    ["82.4", "50.0", "45.5", "37.5"],
  );
  assert.equal(b.bp.toFixed(3), "0.943");
  assert.deepEqual([b.sysLen, b.refLen], [17, 18]);
  // A perfect system scores 100; an empty one 0; zero 4-gram matches are smoothed, not fatal.
  assert.ok(Math.abs(corpusBleu(REFS[0]!, [REFS[0]!]).score - 100) < 1e-9);
  assert.equal(corpusBleu(["", "", ""], REFS).score, 0);
  assert.ok(corpusBleu(["the dog man bit"], [["the man bit the dog"]]).score > 0);
  assert.throws(() => corpusBleu(SYS, [REFS[0]!.slice(0, 2)]), /reference stream 0 has 2 sentences, hypotheses 3/);
});

test("13a tokenization splits punctuation but keeps decimals, apostrophes and unescapes entities", () => {
  assert.equal(tokenize13a("It wasn't surprising, 3.5-4 items &amp; &quot;x&quot;."), `It wasn't surprising , 3.5 - 4 items & " x " .`);
  assert.equal(tokenize13a("end-\nof line\nnext"), "endof line next");
});

test("chrF equals sacreBLEU's 59.73 on the same example", () => {
  assert.equal(corpusChrf(SYS, REFS).toFixed(2), "59.73");
  assert.equal(corpusChrf(["abc"], [["abc"]]), 100);
  assert.equal(corpusChrf(["xyz"], [["abc"]]), 0);
});

test("ROUGE-1/2/L F-measures, by hand", () => {
  // hyp: the cat sat on the mat (6) ref: the cat lay on the mat (6)
  // unigrams: overlap the×2, cat, on, mat = 5 → F = 5/6; bigrams: the cat, on the, the mat = 3 of 5 → 0.6
  // LCS: the cat on the mat = 5 → 5/6.
  const r = rouge("The cat sat on the mat.", "the cat lay on the MAT");
  assert.ok(Math.abs(r.rouge1 - 5 / 6) < 1e-12 && Math.abs(r.rouge2 - 0.6) < 1e-12 && Math.abs(r.rougeL - 5 / 6) < 1e-12);
  assert.equal(lcsLength(["a", "b", "c", "d"], ["b", "d", "a"]), 2);
  const c = corpusRouge(["a b", "x"], ["a b", "y"]);
  assert.equal(c.rouge1, 0.5);
  assert.deepEqual(rouge("", "a"), { rouge1: 0, rouge2: 0, rougeL: 0 });
});
