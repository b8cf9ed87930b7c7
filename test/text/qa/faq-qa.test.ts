// Retrieval QA over the FAQs: the data set built from the installed FAQs (sizes, a split by
// answer that puts no question or answer in two splits), the re-ranker's kernel pooling
// (known soft counts, gradient against central finite differences), its listwise loss and
// idf table (known values), and a tiny-budget train → eval → predict through the task whose
// BM25 figures match an independent BM25 ranking of the same test questions.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as fl from "flambeau";
import { DEBIAN_FAQ } from "../../../src/text/chat/faq.js";
import { FAQ_QA_DATA, type FaqCollection, faqCollection, faqSplitOf, loadFaqQa } from "../../../src/text/qa/faq-data.js";
import type { FaqReport } from "../../../src/text/qa/faq-retrieval.js";
import { idfTable, KERNEL_MUS, kernelPooling, listwiseLoss } from "../../../src/text/qa/reranker.js";
import { Bm25Index } from "../../../src/text/retrieval/bm25.js";
import { bm25Tokens } from "../../../src/text/retrieval/collection.js";
import { reciprocalRank, topK } from "../../../src/text/retrieval/metrics.js";
import { type QaPrediction, questionAnswering } from "../../../src/text/tasks/question-answering.js";

fl.setNumThreads(1);
const dir = mkdtempSync(join(tmpdir(), "fl-faqqa-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const noFaq = existsSync(DEBIAN_FAQ) ? false : `needs the debian-faq package (${DEBIAN_FAQ})`;
const F64 = { dtype: "float64" as const };

describe("debian-faq-qa", { skip: noFaq }, () => {
  test("splits the installed FAQs by answer: every question once, no answer in two splits, one pool", async () => {
    const train = await loadFaqQa(FAQ_QA_DATA, "train");
    const val = await loadFaqQa(FAQ_QA_DATA, "val");
    const testSet = await loadFaqQa(FAQ_QA_DATA, "test");
    const n = train.questions.length + val.questions.length + testSet.questions.length;
    // 530 pairs from the Debian FAQ and the /usr/share/doc FAQs (the chat task's count), 529 distinct answers.
    assert.ok(n >= 150, `${n} questions`);
    assert.equal(train.answers.length, new Set(train.answers).size);
    assert.deepEqual(val.answers, train.answers);
    assert.deepEqual(testSet.answers, train.answers);
    assert.ok(testSet.questions.length >= 0.15 * n && testSet.questions.length <= 0.35 * n, `test ${testSet.questions.length} of ${n}`);
    assert.ok(val.questions.length >= 0.07 * n && val.questions.length <= 0.25 * n, `val ${val.questions.length} of ${n}`);
    const key = (c: FaqCollection, i: number) => `${c.questions[i]}\u0000${c.positive[i]}`;
    const seen = new Map<string, string>();
    const splits: [string, FaqCollection][] = [
      ["train", train],
      ["val", val],
      ["test", testSet],
    ];
    for (const [name, c] of splits) {
      c.questions.forEach((_, i) => {
        assert.equal(seen.get(key(c, i)), undefined, `"${c.questions[i]}" in ${seen.get(key(c, i))} and ${name}`);
        seen.set(key(c, i), name);
        assert.equal(c.answerSplit[c.positive[i]!], name);
        assert.equal(faqSplitOf(c.answers[c.positive[i]!]!), name);
      });
    }
    const trainAnswers = new Set(train.positive);
    for (const a of testSet.positive) assert.ok(!trainAnswers.has(a), "a test answer is a training answer");
  });

  test("questions sharing an answer stay together", () => {
    const pairs = [
      { question: "q1", answer: "shared answer text", source: "x" },
      { question: "q2", answer: "shared answer text", source: "x" },
      { question: "q3", answer: "another answer", source: "x" },
    ];
    const s = faqSplitOf("shared answer text");
    const c = faqCollection(pairs, s);
    assert.deepEqual(c.answers, ["shared answer text", "another answer"]);
    assert.deepEqual(c.questions.slice(0, 2), ["q1", "q2"]);
    assert.deepEqual(c.positive.slice(0, 2), [0, 0]);
    assert.deepEqual(c.answerSplit, [s, faqSplitOf("another answer")]);
    assert.equal(c.questions.length, faqSplitOf("another answer") === s ? 3 : 2);
  });
});

describe("kernel-pooling re-ranker", () => {
  test("kernel pooling counts exact and soft matches", () => {
    // One question word against four answer words: cosines 1, 1, 0.9, 0.3; the last is padding.
    const sim = fl.tensor([1, 1, 0.9, 0.3], { ...F64, shape: [1, 4] });
    const mask = fl.tensor([1, 1, 1, 0], { ...F64, shape: [4] });
    const k = Array.from(kernelPooling(sim, mask).data() as Float64Array);
    assert.equal(k.length, KERNEL_MUS.length);
    // The exact kernel (σ 1e-3) counts the two exact matches; 0.9 is 100σ away.
    assert.ok(Math.abs(k[0]! - 2) < 1e-12, `exact ${k[0]}`);
    // μ 0.9, σ 0.1: exp(-(1 - 0.9)² / 0.02) twice + exp(0) once; the masked 0.3 adds nothing.
    assert.ok(Math.abs(k[1]! - (2 * Math.exp(-0.5) + 1)) < 1e-12, `0.9 kernel ${k[1]}`);
    // μ 0.3 would count the padded word fully: it must not.
    assert.ok(k[4]! < 1e-4, `0.3 kernel ${k[4]}`);
  });

  test("kernel pooling's gradient matches central finite differences", () => {
    const vals = [0.85, 0.2, -0.4, 0.65, 0.05, 0.33];
    const weights = Array.from({ length: 2 * KERNEL_MUS.length }, (_, i) => Math.sin(i + 1));
    const mask = fl.tensor([1, 1, 1], { ...F64, shape: [3] });
    const f = (x: fl.Tensor) =>
      kernelPooling(x, mask)
        .log1p()
        .mul(fl.tensor(weights, { ...F64, shape: [2, KERNEL_MUS.length] }))
        .sum();
    const x = fl.tensor(vals, { ...F64, shape: [2, 3] }).requiresGrad_(true);
    f(x).backward();
    const got = Array.from(x.grad!.data() as Float64Array);
    const h = 1e-6;
    vals.forEach((_, i) => {
      const at = (d: number) =>
        f(
          fl.tensor(
            vals.map((v, j) => (j === i ? v + d : v)),
            { ...F64, shape: [2, 3] },
          ),
        ).item() as number;
      const want = (at(h) - at(-h)) / (2 * h);
      assert.ok(Math.abs(got[i]! - want) < 1e-5 * Math.max(1, Math.abs(want)), `d/dsim[${i}]: ${got[i]} vs ${want}`);
    });
    assert.ok(
      got.some((g) => Math.abs(g) > 1e-3),
      "the gradient is not all zero",
    );
  });

  test("the listwise loss is the positive's softmax cross-entropy, its gradient softmax − one-hot", () => {
    const logits = fl.tensor([2, 0, -1, 0.5, 0.5, 0.5], { ...F64, shape: [2, 3] }).requiresGrad_(true);
    const loss = listwiseLoss(logits);
    const row1 = Math.log(Math.exp(2) + 1 + Math.exp(-1)) - 2;
    const row2 = Math.log(3);
    assert.ok(Math.abs((loss.item() as number) - (row1 + row2) / 2) < 1e-12);
    loss.backward();
    const g = Array.from(logits.grad!.data() as Float64Array);
    const z = Math.exp(2) + 1 + Math.exp(-1);
    const want = [Math.exp(2) / z - 1, 1 / z, Math.exp(-1) / z, 1 / 3 - 1, 1 / 3, 1 / 3].map((v) => v / 2);
    g.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-12, `grad[${i}] ${v} vs ${want[i]}`));
  });

  test("idf is 1 for a word no answer holds and falls with document frequency", () => {
    const idf = idfTable([[2, 3, 3], [3], [3, 4]], 5);
    const top = Math.log(1 + 3.5 / 0.5);
    assert.ok(Math.abs(idf[0]! - 1) < 1e-6);
    assert.ok(Math.abs(idf[2]! - Math.log(1 + 2.5 / 1.5) / top) < 1e-6);
    assert.ok(Math.abs(idf[3]! - Math.log(1 + 0.5 / 3.5) / top) < 1e-6);
    assert.ok(idf[2]! > idf[3]!);
  });
});

describe("question-answering --data debian-faq-qa", { skip: noFaq }, () => {
  test("trains on a tiny budget, evaluates against BM25 (cross-checked) and answers from the pool", async () => {
    const out = join(dir, "faq");
    const r = await questionAnswering.train({ data: FAQ_QA_DATA, out, limit: 400, epochs: 2, pretrainEpochs: 1, rerankPairs: 64, seed: 0 });
    assert.equal(r.history.epochs.length, 2);
    const m = (await questionAnswering.evaluate(out, FAQ_QA_DATA)) as unknown as FaqReport;
    const c = await loadFaqQa(FAQ_QA_DATA, "test");
    assert.equal(m.questions, c.questions.length);
    assert.equal(m.answers, c.answers.length);
    // BM25's figures, recomputed here from the retrieval module alone.
    const index = new Bm25Index(c.answers.map(bm25Tokens));
    const rr = c.questions.map((q, i) => reciprocalRank(topK(index.scores(bm25Tokens(q)), 10), new Map([[c.positive[i]!, 1]]), 10));
    const mrr = rr.reduce((a, b) => a + b, 0) / rr.length;
    assert.ok(Math.abs(m.bm25.mrr10 - mrr) < 1e-12, `BM25 MRR@10 ${m.bm25.mrr10} vs ${mrr}`);
    assert.ok(m.bm25.mrr10 > 0.3, `BM25 finds FAQ answers: MRR@10 ${m.bm25.mrr10}`);
    for (const k of ["bm25", "dense", "hybrid", "rerankerAlone", "reranked"] as const) {
      const x = m[k];
      assert.ok(x.recall1 <= x.recall5 && x.recall5 <= x.recall10 && x.recall10 <= 1, `${k} recalls ${JSON.stringify(x)}`);
      assert.ok(x.mrr10 >= x.recall1 && x.mrr10 <= x.recall10, `${k} MRR@10 ${x.mrr10}`);
    }
    assert.equal(m.depth, 20);
    const [p] = (await questionAnswering.predict(out, ["How do I install a Debian package file with dpkg?"], { top: 3 })) as QaPrediction[];
    assert.equal(p!.ranked!.length, 3);
    assert.ok(c.answers.includes(p!.answer));
    assert.equal(p!.answer, p!.ranked![0]!.answer);
  });
});
