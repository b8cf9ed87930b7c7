import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { qaRankingReport } from "../../../src/text/qa/faq-retrieval.js";
import { convexFusion, reciprocalRankFusion } from "../../../src/text/retrieval/fusion.js";
import { meanOverQueries, ndcgAt, rankingReport, recallAt, reciprocalRank, topK } from "../../../src/text/retrieval/metrics.js";

const near = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);
const rel = (o: Record<number, number>) => new Map(Object.entries(o).map(([k, v]) => [Number(k), v]));

describe("ranking metrics (hand values)", () => {
  test("MRR, recall and binary nDCG of one ranking", () => {
    const r = [3, 1, 2, 0];
    const q = rel({ 1: 1, 2: 1 });
    assert.equal(reciprocalRank(r, q, 10), 1 / 2);
    assert.equal(reciprocalRank(r, q, 1), 0);
    assert.equal(recallAt(r, q, 1), 0);
    assert.equal(recallAt(r, q, 2), 0.5);
    assert.equal(recallAt(r, q, 3), 1);
    // DCG = 1/log2(3) + 1/log2(4); ideal = 1 + 1/log2(3).
    near(ndcgAt(r, q, 10), (1 / Math.log2(3) + 0.5) / (1 + 1 / Math.log2(3)));
    near(ndcgAt(r, q, 10), 0.6934264036172708);
    near(ndcgAt(r, q, 2), 1 / Math.log2(3) / (1 + 1 / Math.log2(3)));
  });

  test("graded nDCG uses linear gains; unjudged and missing relevant documents count 0", () => {
    // DCG = 1/log2 3 + 2/log2 4 = 1.63093; ideal 2 + 1/log2 3 = 2.63093.
    near(ndcgAt([3, 2, 1], rel({ 1: 2, 2: 1 }), 10), (1 / Math.log2(3) + 1) / (2 + 1 / Math.log2(3)));
    near(ndcgAt([3, 2, 1], rel({ 1: 2, 2: 1 }), 10), 0.61990623328);
    near(ndcgAt([1, 2], rel({ 1: 2, 2: 1 }), 10), 1);
    assert.equal(recallAt([0], rel({ 5: 1 }), 10), 0);
    assert.ok(Number.isNaN(ndcgAt([0], rel({}), 10)));
  });

  test("report averages over queries; topK breaks ties by index", () => {
    const rep = rankingReport(
      [
        [0, 1],
        [0, 1],
      ],
      [rel({ 0: 1 }), rel({ 1: 1 })],
    );
    assert.equal(rep.mrr10, 0.75);
    assert.equal(rep.recall1, 0.5);
    assert.equal(rep.recall10, 1);
    near(rep.ndcg10, (1 + 1 / Math.log2(3)) / 2);
    assert.deepEqual(topK([0.1, 0.5, 0.5, 0.9], 3), [3, 1, 2]);
    assert.throws(() => reciprocalRank([0], rel({ 0: 1 }), 0), /k must be a positive integer, got 0/);
    assert.throws(() => rankingReport([[0]], []), /1 rankings for 0 judged queries/);
  });

  test("the mean over queries leaves out a query whose measure is NaN; QA's report shares it", () => {
    const rankings = [[0, 1], [0, 1], [1]];
    const qrels = [rel({ 0: 1 }), rel({ 1: 1 }), rel({})];
    const m = meanOverQueries(rankings, qrels, { r1: (r, q) => recallAt(r, q, 1), mrr: (r, q) => reciprocalRank(r, q, 10) });
    assert.deepEqual(Object.keys(m), ["r1", "mrr"]);
    assert.equal(m.r1, 0.5);
    // The third query has no relevant document: its reciprocal rank 0 counts, its NaN recall does not.
    assert.equal(m.mrr, 0.5);
    assert.ok(Number.isNaN(meanOverQueries([], [], { mrr: (r, q) => reciprocalRank(r, q, 10) }).mrr));
    const qa = qaRankingReport(rankings.slice(0, 2), qrels.slice(0, 2));
    assert.deepEqual(qa, { questions: 2, mrr10: 0.75, recall1: 0.5, recall5: 1, recall10: 1 });
    assert.deepEqual(qaRankingReport([], []), { questions: 0, mrr10: 0, recall1: 0, recall5: 0, recall10: 0 });
  });

  test("reciprocal rank fusion (k = 60)", () => {
    // Doc 7: 1/61 + 1/62; doc 8: 1/62 + 1/61 (a tie, lower index first); doc 9: 1/63.
    assert.deepEqual(
      reciprocalRankFusion(
        [
          [7, 8, 9],
          [8, 7],
        ],
        10,
      ),
      [7, 8, 9],
    );
    assert.deepEqual(reciprocalRankFusion([[1, 2], [3]], 2), [1, 3]);
  });

  test("topK by insertion equals a full sort (ties by index) on random scores with ties, and leaves skipped indices out", () => {
    let x = 7;
    const next = () => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x / 2147483648;
    };
    for (let trial = 0; trial < 20; trial++) {
      const scores = Array.from({ length: 200 }, () => Math.round(next() * 40) / 4);
      const k = 1 + Math.floor(next() * 60);
      const sorted = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
      assert.deepEqual(topK(scores, k), sorted.slice(0, k));
      assert.deepEqual(
        topK(scores, k, (i) => i % 3 === 0),
        sorted.filter((i) => i % 3 !== 0).slice(0, k),
      );
    }
    assert.deepEqual(topK([1, 2], 5), [1, 0]);
  });

  test("convex fusion: min-max normalised per query, then (1 − α)·a + α·b", () => {
    // a normalises to [0, 0.5, 1], b to [1, 0, 0.25].
    const f = convexFusion([2, 4, 6], [0.9, 0.1, 0.3], 0.4);
    const want = [0.6 * 0 + 0.4 * 1, 0.6 * 0.5 + 0.4 * 0, 0.6 * 1 + 0.4 * 0.25];
    f.forEach((v, i) => near(v, want[i]!));
    // α = 0 ranks by a alone; a constant vector contributes nothing.
    assert.deepEqual(Array.from(convexFusion([1, 3, 2], [5, 5, 5], 0)), [0, 1, 0.5]);
    assert.throws(() => convexFusion([1], [1, 2], 0.5), /differ in length \(1 vs 2\)/);
    assert.throws(() => convexFusion([1], [1], 1.5), /alpha must be in \[0, 1\], got 1.5/);
  });
});
