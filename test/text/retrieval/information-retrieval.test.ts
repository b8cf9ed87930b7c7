import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as fl from "flambeau";
import { informationRetrieval, type RetrievalPrediction } from "../../../src/text/tasks/information-retrieval.js";

fl.setNumThreads(1);
const dir = mkdtempSync(join(tmpdir(), "fl-ir-"));
after(() => rmSync(dir, { recursive: true, force: true }));

// 60 topics; a query names its topic by a synonym the document also uses, among shared filler
// words, so both BM25 and a trained bi-encoder can find it.
const FILLER = ["tool", "library", "program", "data", "files", "support", "simple", "fast"];
const rows = Array.from({ length: 60 }, (_, i) => ({
  query: `what handles topic${i} ${FILLER[i % 8]}`,
  document: `this ${FILLER[(i + 3) % 8]} ${FILLER[(i + 5) % 8]} package handles topic${i} and syn${i} for the ${FILLER[i % 8]} users`,
}));
const data = join(dir, "pairs.jsonl");
writeFileSync(data, rows.map((r) => JSON.stringify(r)).join("\n"));

describe("information-retrieval", () => {
  test("trains a bi-encoder, evaluates dense / BM25 / hybrid, predicts ranked documents", async () => {
    const out = join(dir, "m");
    const r = await informationRetrieval.train({ data, out, epochs: 30, batchSize: 16, lr: 1e-2, seed: 0 });
    assert.equal(r.history.epochs.length, 30);
    const m = await informationRetrieval.evaluate(out, data);
    const rep = m as { queries: number; documents: number; dense: { mrr10: number }; bm25: { mrr10: number; recall1: number } };
    assert.equal(rep.queries, 60);
    assert.equal(rep.documents, 60);
    // Each query's topic word is in its document alone: BM25 ranks it first.
    assert.equal(rep.bm25.recall1, 1);
    assert.ok(rep.dense.mrr10 > 0.5, `dense MRR@10 ${rep.dense.mrr10}`);
    // The hybrid's dense weight was chosen on validation queries, from the grid 0, 0.05, …, 1.
    const w = (m as { hybridWeight: number }).hybridWeight;
    assert.ok(w >= 0 && w <= 1 && Math.abs(w * 20 - Math.round(w * 20)) < 1e-9, `hybrid weight ${w}`);
    const cfg = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    assert.equal(cfg.preprocessing.hybridWeight, w);
    assert.equal(cfg.metrics.hardNegatives, 8);
    assert.ok((m as { rrf: { mrr10: number } }).rrf.mrr10 > 0);
    const corpus = join(dir, "docs.txt");
    writeFileSync(corpus, rows.map((x) => x.document).join("\n"));
    const [p] = (await informationRetrieval.predict(out, ["what handles topic7 library"], {
      corpus,
      method: "bm25",
      top: 3,
    })) as RetrievalPrediction[];
    assert.equal(p!.results.length, 3);
    assert.equal(p!.results[0]!.document, rows[7]!.document);
    assert.match(informationRetrieval.formatPrediction(p), /1\. this .* \(\d+\.\d{3}\)/);
    const [h] = (await informationRetrieval.predict(out, ["what handles topic7 library"], {
      corpus,
      method: "hybrid",
      top: 3,
    })) as RetrievalPrediction[];
    const scores = h!.results.map((x) => x.score);
    assert.equal(scores.length, 3);
    assert.ok(scores[0]! >= scores[1]! && scores[1]! >= scores[2]! && scores[0]! <= 1 && scores[2]! >= 0, JSON.stringify(scores));
    // HNSW: eval reports it beside exact search; predict through it returns what exact search returns here.
    const mh = (await informationRetrieval.evaluate(out, data, { index: "hnsw" })) as { hnsw: { recall10VsExact: number; mrr10: number } };
    assert.ok(mh.hnsw.recall10VsExact >= 0.95, `HNSW recall@10 vs exact ${mh.hnsw.recall10VsExact}`);
    const ask = (index: "exact" | "hnsw") =>
      informationRetrieval.predict(out, ["what handles topic7 library"], { corpus, method: "dense", top: 3, index }) as Promise<
        RetrievalPrediction[]
      >;
    const [ex] = await ask("exact");
    const [hn] = await ask("hnsw");
    assert.deepEqual(
      hn!.results.map((x) => x.document),
      ex!.results.map((x) => x.document),
    );
    await assert.rejects(informationRetrieval.predict(out, [" "], { corpus }), /query 1 is empty/);
  });

  test("bad rows name the file and row", async () => {
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, `${JSON.stringify({ query: "q", document: "d" })}\n${JSON.stringify({ query: "q" })}\n`);
    await assert.rejects(
      informationRetrieval.train({ data: bad, out: join(dir, "x") }),
      /bad\.jsonl:2: no column "document"; columns are: query/,
    );
  });
});
