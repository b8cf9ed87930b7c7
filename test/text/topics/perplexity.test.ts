import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as fl from "flambeau";
import { completionPerplexity, completionSplit, ldaFoldIn, mixtureLogProbs } from "../../../src/text/topics/perplexity.js";
import { ProdLda } from "../../../src/text/topics/prodlda.js";

const near = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

describe("held-out perplexity by document completion (hand values)", () => {
  test("the halves alternate word positions", () => {
    assert.deepEqual(completionSplit([[5, 6, 7, 8, 9], [1]]), { observed: [[5, 7, 9], [1]], evaluated: [[6, 8], []] });
  });

  test("perplexity: a uniform model scores V; a hand mixture", () => {
    const V = 4;
    const uniform = new Float64Array(2 * V).fill(Math.log(1 / V));
    near(completionPerplexity(uniform, V, [[0, 1], [3]]), 4);
    // Document 0 gives its two words p 1/2 and 1/8, document 1 its word 1/4: exp(−(ln ½ + ln ⅛ + ln ¼)/3) = 4.
    const logp = Float64Array.from([0.5, 0.125, 0.25, 0.125, 0.25, 0.25, 0.25, 0.25], Math.log);
    near(completionPerplexity(logp, V, [[0, 1], [3]]), 4);
    near(completionPerplexity(logp, V, [[0], []]), 2);
    assert.throws(() => completionPerplexity(logp, V, [[], []]), /no evaluated words/);
    assert.throws(() => completionPerplexity(logp, 3, [[0]]), /8 log-probabilities for 1 documents × 3 words/);
  });

  test("LDA fold-in: with disjoint topics every token's topic is forced, θ = (n + α)/(n + Kα)", () => {
    const phi = [Float64Array.from([0.5, 0.5, 0, 0]), Float64Array.from([0, 0, 0.5, 0.5])];
    const [a, b, c] = ldaFoldIn(
      [
        [0, 1, 0],
        [2, 3, 2, 3, 2],
        [0, 3],
      ],
      phi,
      { alpha: 0.5, iterations: 20, seed: 3 },
    );
    near(a![0]!, 3.5 / 4);
    near(a![1]!, 0.5 / 4);
    near(b![1]!, 5.5 / 6);
    near(c![0]!, 1.5 / 3);
    // p(w | θ) = Σ_k θ_k φ_kw: document 0 gives word 0 0.875 · 0.5 and word 2 0.125 · 0.5.
    const lp = mixtureLogProbs([a!], phi);
    near(lp[0]!, Math.log(0.4375));
    near(lp[2]!, Math.log(0.0625));
    near(completionPerplexity(lp, 4, [[0, 2]]), 1 / Math.sqrt(0.4375 * 0.0625));
  });

  test("ProdLDA's decoder is softmax(BN(θβ)) and θ the softmax of the posterior mean", () => {
    fl.manualSeed(0);
    const m = new ProdLda({ vocabSize: 5, topics: 3, hidden: 4 });
    m.eval();
    const theta = [0.2, 0.3, 0.5, 1, 0, 0];
    const logp = fl.noGrad(() => m.decode(fl.tensor(Float32Array.from(theta), { shape: [2, 3] }))).data() as Float32Array;
    const beta = m.topicWord(); // [K][V]
    for (let b = 0; b < 2; b++) {
      // A fresh batch norm in eval mode: running mean 0, variance 1, ε 1e-5.
      const z = Array.from(
        { length: 5 },
        (_, w) =>
          (theta[b * 3]! * beta[0]![w]! + theta[b * 3 + 1]! * beta[1]![w]! + theta[b * 3 + 2]! * beta[2]![w]!) / Math.sqrt(1 + 1e-5),
      );
      const lse = Math.log(z.reduce((s, v) => s + Math.exp(v), 0));
      z.forEach((v, w) => near(logp[b * 5 + w]!, v - lse, 1e-5));
    }
    const bow = fl.tensor(Float32Array.from([1, 0, 2, 0, 1, 0, 3, 0, 0, 1]), { shape: [2, 5] });
    const th = fl.noGrad(() => m.theta(bow)).data() as Float32Array;
    const mu = fl.noGrad(() => m.encode(bow).mu).data() as Float32Array;
    for (let b = 0; b < 2; b++) {
      const e = [0, 1, 2].map((k) => Math.exp(mu[b * 3 + k]!));
      const s = e[0]! + e[1]! + e[2]!;
      e.forEach((v, k) => near(th[b * 3 + k]!, v / s, 1e-6));
    }
    m.dispose();
  });
});
