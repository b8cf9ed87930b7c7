import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as fl from "flambeau";
import { CROSS_LINGUAL_DATA, loadCollection, loadRows, RETRIEVAL_DATA } from "../../../src/text/retrieval/collection.js";
import type { RankingReport } from "../../../src/text/retrieval/metrics.js";
import { informationRetrieval, type RetrievalPrediction, type RetrievalReport } from "../../../src/text/tasks/information-retrieval.js";

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
    // The bow encoder hashes character n-grams by default.
    assert.equal(cfg.preprocessing.ngramBuckets, 32768);
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

  test("ddtp-retrieval-xl: French and German synopses of held-out packages search the English test documents", async () => {
    const xl = await loadCollection(CROSS_LINGUAL_DATA, "test");
    const en = await loadCollection(RETRIEVAL_DATA, "test");
    // The same documents as the English collection (the ones no translated query needs stay as distractors).
    assert.deepEqual(xl.documents, en.documents);
    const count = (lang: string) => xl.languages!.filter((l) => l === lang).length;
    assert.equal(count("fr") + count("de"), xl.queries.length);
    assert.ok(count("fr") > 500 && count("de") > 300, `fr ${count("fr")}, de ${count("de")}`);
    // 2ping (a held-out package): its French synopsis finds its English description.
    const q = xl.queries.indexOf("Utilitaire de ping pour déterminer la direction de perte des paquets");
    assert.ok(q >= 0);
    assert.match(xl.documents[xl.positive[q]!]!, /2ping/);
    // Training keeps the English synopses beside the translated ones. The split is by package, so
    // a held-out description is trained on only where other packages share it word for word
    // (boilerplate such as "This is a transitional dummy package…": 262 of 84,552 rows).
    const train = await loadRows(CROSS_LINGUAL_DATA, "train");
    assert.deepEqual(new Set(train.map((r) => r.language)), new Set(["en", "fr", "de"]));
    const held = new Set(en.documents);
    const shared = train.filter((r) => held.has(r.document)).length;
    assert.ok(shared < 0.005 * train.length, `${shared} of ${train.length} training rows hold a test description`);
  });

  test("a mixed-language collection is also scored per language, each share weighted by its queries", async () => {
    const out = join(dir, "m");
    const m = (await informationRetrieval.evaluate(out, CROSS_LINGUAL_DATA)) as unknown as RetrievalReport;
    const by = m.byLanguage!;
    assert.deepEqual(Object.keys(by).sort(), ["de", "fr"]);
    const weighted = (pick: (r: { dense: RankingReport; bm25: RankingReport; hybrid: RankingReport }) => RankingReport) =>
      (pick(by.fr!).mrr10 * pick(by.fr!).queries + pick(by.de!).mrr10 * pick(by.de!).queries) / m.queries;
    assert.ok(Math.abs(weighted((r) => r.bm25) - m.bm25.mrr10) < 1e-9);
    assert.ok(Math.abs(weighted((r) => r.dense) - m.dense.mrr10) < 1e-9);
    assert.ok(Math.abs(weighted((r) => r.hybrid) - m.hybrid.mrr10) < 1e-9);
    // Exact term matching still finds some: package names and technical words cross languages.
    assert.ok(m.bm25.mrr10 > 0.3, `BM25 MRR@10 ${m.bm25.mrr10}`);
  });

  test("--char-ngrams sets the bow encoder's hashed character n-gram buckets (0: words alone)", async () => {
    const out = join(dir, "ng");
    await informationRetrieval.train({ data, out, epochs: 2, batchSize: 16, seed: 0, charNgrams: 64 });
    const cfg = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    const words = Object.keys(JSON.parse(readFileSync(join(out, "tokenizer.json"), "utf8")).model.vocab).length;
    assert.equal(cfg.preprocessing.ngramBuckets, 64);
    assert.equal(cfg.hyper.vocabSize, words + 64);
    const m = (await informationRetrieval.evaluate(out, data)) as unknown as RetrievalReport;
    assert.equal(m.queries, 60);
    assert.ok(m.dense.mrr10 > 0, `dense MRR@10 ${m.dense.mrr10}`);
    await assert.rejects(
      informationRetrieval.train({ data, out: join(dir, "ng-t"), model: "transformer", charNgrams: 64 }),
      /--char-ngrams needs the bow encoder/,
    );
    const words0 = join(dir, "ng0");
    await informationRetrieval.train({ data, out: words0, epochs: 1, batchSize: 16, seed: 0, charNgrams: 0 });
    const cfg0 = JSON.parse(readFileSync(join(words0, "config.json"), "utf8"));
    assert.equal(cfg0.preprocessing.ngramBuckets, undefined);
    assert.equal(cfg0.hyper.vocabSize, words);
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
