// Column options for the pair tasks (translation, summarization: --source-column/--target-column;
// information-retrieval: --query-column/--document-column) on the files users bring, through the
// one column reader in src/data/table-columns.ts; a missing column names the file, the line and
// the columns there are.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as fl from "flambeau";
import { readStringColumns } from "../../src/data/table-columns.js";
import { loadCollection, loadDocuments, loadRows } from "../../src/text/retrieval/collection.js";
import { loadPairs } from "../../src/text/seq2seq/pairs.js";
import { summarization, translation } from "../../src/text/seq2seq/task.js";
import { informationRetrieval, type RetrievalPrediction } from "../../src/text/tasks/information-retrieval.js";
import { failsWith, tempFiles } from "../helpers/temp-files.js";

fl.setNumThreads(1);
const { dir, write } = tempFiles("fl-text-columns-");
const fails = failsWith;

describe("the column reader", () => {
  test("named columns as strings; numbers as their text; missing, empty and non-text cells name the line", async () => {
    const p = write("t.csv", "id,en,fr\n1,cat,chat\n2,dog,chien\n");
    const r = await readStringColumns(p, { source: "en", target: "fr", key: "id" }, "op");
    assert.deepEqual(r.rows, [
      { source: "cat", target: "chat", key: "1" },
      { source: "dog", target: "chien", key: "2" },
    ]);
    assert.deepEqual(r.where, [`${p}:2`, `${p}:3`]);
    await assert.rejects(readStringColumns(p, { source: "de" }, "op"), fails(/^op: .*t\.csv:1: no column "de"; columns are: id, en, fr$/));
    const j = write("t.jsonl", '{"q":"a","d":4}\n{"q":"b","d":{"x":1}}\n');
    assert.deepEqual((await readStringColumns(j, { q: "q" }, "op")).rows, [{ q: "a" }, { q: "b" }]);
    await assert.rejects(readStringColumns(j, { d: "d" }, "op"), fails(/t\.jsonl:2: "d" must be text, got \{"x":1\}/));
    await assert.rejects(readStringColumns(write("e.tsv", "a\tb\nx\t \n"), { b: "b" }, "op"), fails(/e\.tsv:2: empty "b"/));
    await assert.rejects(readStringColumns(write("h.csv", "a,b\n"), { a: "a" }, "op"), fails(/h\.csv: no rows/));
  });
});

describe("translation and summarization columns", () => {
  test("--source-column/--target-column pick the pair out of CSV, JSONL and Arrow files", async () => {
    const csv = write("en-fr.csv", "id,english,french\n1,the cat,le chat\n2,the dog,le chien\n");
    const pairs = await loadPairs(csv, "train", { source: "english", target: "french" });
    assert.deepEqual(
      pairs.map((p) => [p.source, p.target]),
      [
        ["the cat", "le chat"],
        ["the dog", "le chien"],
      ],
    );
    const jsonl = write("sum.jsonl", '{"article":"A long text. More.","highlights":"A text."}\n');
    assert.deepEqual((await loadPairs(jsonl, "test", { source: "article", target: "highlights" }))[0]!.target, "A text.");
    const arrow = await import("apache-arrow");
    const table = arrow.tableFromArrays({ de: ["der Hund", "die Katze"], en: ["the dog", "the cat"] });
    const a = await loadPairs(write("de-en.arrow", arrow.tableToIPC(table, "file")), "train", { source: "de", target: "en" });
    assert.deepEqual(
      a.map((p) => p.source),
      ["der Hund", "die Katze"],
    );
    await assert.rejects(
      loadPairs(csv, "train"),
      fails(/text pairs: .*en-fr\.csv:1: no column "source"; columns are: id, english, french/),
    );
    await assert.rejects(
      loadPairs(csv, "train", { source: "english", target: "german" }),
      fails(/en-fr\.csv:1: no column "german"; columns are: id, english, french/),
    );
  });

  test("the options reach train and eval, and are declared for the CLI", async () => {
    for (const t of [translation, summarization]) {
      const flags = t.options as Record<string, { phases: readonly string[]; default?: unknown }>;
      assert.deepEqual([flags.sourceColumn?.default, flags.targetColumn?.default], ["source", "target"], t.name);
      assert.deepEqual(flags.sourceColumn?.phases, ["train", "eval"]);
    }
    const rows = ["en,fr"];
    for (let i = 0; i < 30; i++) rows.push(`the thing ${i % 5},la chose ${i % 5}`);
    const data = write("pairs.csv", `${rows.join("\n")}\n`);
    await assert.rejects(
      translation.train({ data, out: join(dir, "none"), epochs: 1, seed: 0 }),
      fails(/no column "source"; columns are: en, fr/),
    );
    const out = join(dir, "tr");
    await translation.train({ data, out, epochs: 1, seed: 0, sourceColumn: "en", targetColumn: "fr" } as never);
    const m = await translation.evaluate(out, data, { limit: 3, sourceColumn: "en", targetColumn: "fr" } as never);
    assert.equal(m.examples, 3);
    assert.ok(typeof m.baselineBleu === "number");
    await assert.rejects(translation.evaluate(out, data, { limit: 3 }), fails(/no column "source"/));
  });
});

describe("information-retrieval columns", () => {
  const rows = Array.from({ length: 12 }, (_, i) => ({ question: `where is topic${i}`, passage: `topic${i} lives here, id ${i}` }));
  test("--query-column/--document-column in train, eval and a predict corpus", async () => {
    const data = write("qa.jsonl", rows.map((r) => JSON.stringify(r)).join("\n"));
    const cols = { query: "question", document: "passage" };
    assert.deepEqual((await loadRows(data, "train", cols))[3], { query: "where is topic3", document: "topic3 lives here, id 3" });
    assert.equal((await loadCollection(data, "test", cols)).documents.length, 12);
    await assert.rejects(loadRows(data, "train"), fails(/qa\.jsonl:1: no column "query"; columns are: question, passage/));
    const out = join(dir, "ir");
    const o = { queryColumn: "question", documentColumn: "passage" };
    await informationRetrieval.train({ data, out, epochs: 1, batchSize: 4, seed: 0, ...o } as never);
    const m = (await informationRetrieval.evaluate(out, data, o as never)) as { queries: number; bm25: { recall1: number } };
    assert.equal(m.queries, 12);
    assert.equal(m.bm25.recall1, 1);
    // A corpus to search needs only its document column (here with a duplicate, searched once).
    const corpus = write("corpus.csv", "title,body\na,topic7 lives here\nb,something else\nc,something else\n");
    assert.deepEqual(await loadDocuments(corpus, "body"), ["topic7 lives here", "something else"]);
    const [p] = (await informationRetrieval.predict(out, ["where is topic7"], {
      corpus,
      documentColumn: "body",
      method: "bm25",
      top: 1,
    } as never)) as RetrievalPrediction[];
    assert.equal(p!.results[0]!.document, "topic7 lives here");
    await assert.rejects(
      informationRetrieval.predict(out, ["x"], { corpus } as never),
      fails(/corpus\.csv:1: no column "document"; columns are: title, body/),
    );
  });
});
