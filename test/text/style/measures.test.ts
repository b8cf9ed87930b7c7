import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Random } from "../../../src/data/random.js";
import { detokenize, type StyleSentence, styleTokens } from "../../../src/text/style/corpora.js";
import {
  geometricMean,
  jScore,
  perplexity,
  quantile,
  scoreTransfer,
  selfBleu,
  sentenceBleu,
  styleAccuracy,
} from "../../../src/text/style/measures.js";
import { mineDictionary, salience, styleCounts, styleMarkers, substitute } from "../../../src/text/style/substitution.js";
import { noise, replaceUnknowns } from "../../../src/text/style/system.js";
import { Vocab } from "../../../src/text/vocab.js";

const close = (a: number, b: number, tol = 1e-4) => assert.ok(Math.abs(a - b) < tol, `${a} ≠ ${b}`);

describe("style measures (hand-computed)", () => {
  test("self-BLEU: a copy scores 100; one changed word of four scores (¾·⅔·½·½)^¼ = 59.46", () => {
    const src = [["and", "he", "said", "unto", "them"]];
    close(selfBleu(src, src), 100);
    // 1-grams 3/4, 2-grams 2/3, 3-grams 1/2, 4-grams 0/1 → sacreBLEU's exp smoothing gives 100/(2·1) = 50%.
    close(sentenceBleu(["a", "b", "c", "d"], ["a", "b", "c", "e"]), 100 * 0.125 ** 0.25);
  });

  test("accuracy, perplexity, quantile, GM and J", () => {
    assert.equal(styleAccuracy(["kjv", "modern", "kjv", "kjv"], "kjv"), 75);
    close(perplexity(3 * Math.log(8), 3), 8);
    close(quantile([5, 1, 4, 2, 3], 0.9), 4.6); // numpy.quantile's linear rule
    close(geometricMean(81, 100), 90);
    // Only the first sentence is in style and fluent: 100 · 0.5 / 3.
    close(jScore([true, true, false], [0.5, 1, 1], [true, false, true]), 50 / 3);
    assert.throws(() => perplexity(1, 0), /at least one token/);
  });

  test("scoreTransfer glues them: two outputs, one in style, one copy", () => {
    const s = scoreTransfer({
      target: "modern",
      outputs: [
        ["you", "are", "here"],
        ["thou", "art", "there"],
      ],
      sources: [
        ["thou", "art", "here"],
        ["thou", "art", "there"],
      ],
      predicted: ["modern", "kjv"],
      nll: [
        { total: 2 * Math.log(4), tokens: 2 },
        { total: 2 * Math.log(16), tokens: 2 },
      ],
      fluencyThreshold: 5,
    });
    assert.equal(s.accuracy, 50);
    close(s.perplexity, 8); // exp((2 ln 4 + 2 ln 16) / 4)
    // Corpus BLEU over 6 hypothesis tokens: 1-grams 4/6, 2-grams 2/4, 3-grams 1/2, 4-grams: none counted.
    close(
      s.selfBleu,
      selfBleu(
        [
          ["you", "are", "here"],
          ["thou", "art", "there"],
        ],
        [
          ["thou", "art", "here"],
          ["thou", "art", "there"],
        ],
      ),
    );
    close(s.gm, Math.sqrt(50 * s.selfBleu));
    // Sentence 1: in style, perplexity 4 ≤ 5 → its sentence BLEU; sentence 2 not in style.
    close(s.j, sentenceBleu(["you", "are", "here"], ["thou", "art", "here"]) / 2);
  });

  test("tokens: lowercased words and . , ; : ! ?, joined back without space before punctuation", () => {
    assert.deepEqual(styleTokens("And God said, Let there be light: and there was light."), [
      "and",
      "god",
      "said",
      ",",
      "let",
      "there",
      "be",
      "light",
      ":",
      "and",
      "there",
      "was",
      "light",
      ".",
    ]);
    assert.equal(detokenize(["thou", "art", ",", "lord", "."]), "thou art, lord.");
  });
});

describe("word substitution baseline", () => {
  const rep = (n: number, style: "kjv" | "modern", text: string): StyleSentence[] =>
    Array.from({ length: n }, () => ({ style, tokens: text.split(" ") }));
  const corpus = [
    ...rep(6, "kjv", "he hath given it ."),
    ...rep(6, "kjv", "she hath taken them ."),
    ...rep(6, "kjv", "thou art here ."),
    ...rep(6, "modern", "he has given it ."),
    ...rep(6, "modern", "she has taken them ."),
    ...rep(6, "modern", "you are here ."),
  ];

  test("salience ratio (count + 1) / (other count + 1) and markers", () => {
    const c = styleCounts(corpus);
    assert.equal(salience(c, "hath", "kjv"), 13); // (12 + 1) / (0 + 1)
    assert.equal(salience(c, "he", "kjv"), 1);
    assert.deepEqual(styleMarkers(c, "kjv"), ["hath", "art", "thou"]);
  });

  test("pairs markers by their neutral neighbours and substitutes them", () => {
    const d = mineDictionary(corpus);
    assert.deepEqual(d.toModern, { hath: "has", art: "are", thou: "you" });
    assert.deepEqual(d.toKjv, { has: "hath", are: "art", you: "thou" });
    assert.deepEqual(substitute(["thou", "art", "there"], d, "modern"), ["you", "are", "there"]);
  });
});

describe("rewriting glue", () => {
  test("noise drops some words and moves none more than k = 3 places", () => {
    const ids = Array.from({ length: 30 }, (_, i) => 100 + i);
    const rng = new Random(0, 1);
    for (let t = 0; t < 20; t++) {
      const n = noise(ids, rng);
      assert.ok(n.length >= 1 && n.length <= 30);
      const kept = ids.filter((x) => n.includes(x));
      n.forEach((x, i) => assert.ok(Math.abs(kept.indexOf(x) - i) <= 3, `moved ${x}`));
    }
    assert.deepEqual(noise(ids, rng, 0, 0), ids);
  });

  test("unknown words come back from the source in order", () => {
    const v = new Vocab(["<pad>", "<unk>", "the", "of"]);
    assert.deepEqual(replaceUnknowns(["the", "<unk>", "of", "<unk>", "<unk>"], ["moses", "of", "egypt"], v), [
      "the",
      "moses",
      "of",
      "egypt",
      "<unk>",
    ]);
  });
});
