// The text files users bring: named columns, sniffed delimiters, multi-label cells, Parquet
// (a committed fixture written like a Hugging Face export) and Arrow IPC, and multi-label
// training scored by micro/macro F1 against hand-computed values.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as fl from "flambeau";
import { sniffDelimiter } from "../../src/data/csv.js";
import { hfClassNames } from "../../src/data/parquet.js";
import { readTableFile } from "../../src/data/table-file.js";
import { indexLabels, readTaggedSentences, readTextRecords } from "../../src/text/readers.js";
import { textClassification } from "../../src/text/tasks/text-classification.js";
import { multiLabelScores } from "../../src/train/multilabel-meter.js";
import { FIXTURES } from "../helpers/fixtures.js";
import { failsWith, tempFiles } from "../helpers/temp-files.js";

fl.setNumThreads(1);
const { dir, write } = tempFiles("fl-text-formats-");
const fails = failsWith;

describe("text files with named columns", () => {
  test("--text-column/--label-column, a sniffed delimiter and quoted line breaks", async () => {
    const p = write("reviews.csv", 'id;review;sentiment\n1;"good;\nvery good";pos\n2;bad;neg\n');
    assert.equal(sniffDelimiter('id;review;"a,b"\n', "x.csv"), ";");
    assert.equal(sniffDelimiter("a,b\tc\n", "x.tsv"), "\t");
    const r = await readTextRecords(p, { text: "review", label: "sentiment" });
    assert.deepEqual(r.texts, ["good;\nvery good", "bad"]);
    assert.deepEqual(r.labels, ["pos", "neg"]);
    assert.deepEqual(r.where, [`${p}:2`, `${p}:4`]);
    assert.equal(r.labelSets, undefined);
  });
  test("a missing column names the file, the line and the columns there are", async () => {
    const p = write("train.csv", "text,sentiment\nfine,pos\n");
    await assert.rejects(readTextRecords(p), fails(/train\.csv:1: no column "label"; columns are: text, sentiment/));
    const j = write(
      "train.jsonl",
      `${Array.from({ length: 16 }, () => '{"text":"a","label":"x"}').join("\n")}\n{"text":"b","sentiment":"y"}\n`,
    );
    await assert.rejects(readTextRecords(j), fails(/train\.jsonl:17: no column "label"; columns are: text, sentiment/));
  });
  test("label lists (a|b in CSV, arrays in JSONL) make multi-label records", async () => {
    const c = await readTextRecords(write("m.csv", "text,label\nx,sport|politics\ny,sport\n"));
    assert.deepEqual(c.labelSets, [["sport", "politics"], ["sport"]]);
    const j = await readTextRecords(
      write("m.jsonl", '{"text":"x","label":["b","a"]}\n{"text":"y","label":[]}\n{"text":"z","label":"c"}\n'),
    );
    assert.deepEqual(j.labelSets, [["b", "a"], [], ["c"]]);
    const d = indexLabels(j);
    assert.deepEqual(d.classes, ["a", "b", "c"]);
    assert.deepEqual(d.targets, [[1, 0], [], [2]]);
    assert.deepEqual(d.labels, [1, -1, 2]);
    await assert.rejects(readTextRecords(write("e.csv", "text,label\nx,a||b\n")), fails(/e\.csv:2: an empty label in "a\|\|b"/));
  });
  test("Parquet (a Hugging Face export: ClassLabel integers read as names) and Arrow IPC", async () => {
    const pq = join(FIXTURES, "text", "hf-reviews.parquet");
    const t = await readTableFile(pq);
    assert.deepEqual(t.columns, ["review", "stars"]);
    assert.equal(t.rows.length, 6);
    assert.deepEqual(t.rows[0], { review: "a wonderful film", stars: "pos" });
    assert.equal(t.where[1], `${pq} row 2`);
    const r = await readTextRecords(pq, { text: "review", label: "stars" });
    assert.deepEqual(r.labels, ["pos", "neg", "pos", "neg", "pos", "neg"]);
    await assert.rejects(readTextRecords(pq), fails(/hf-reviews\.parquet:1: no column "text"; columns are: review, stars/));
    await assert.rejects(readTableFile(write("bad.parquet", "not parquet at all")), fails(/bad\.parquet: not a readable file/));

    const arrow = await import("apache-arrow");
    const table = arrow.tableFromArrays({ text: ["red apple", "fast car"], label: ["fruit", "car"] });
    const a = await readTextRecords(write("x.arrow", arrow.tableToIPC(table, "file")));
    assert.deepEqual(
      [a.texts, a.labels],
      [
        ["red apple", "fast car"],
        ["fruit", "car"],
      ],
    );
    const s = await readTextRecords(write("x-stream.arrow", arrow.tableToIPC(table, "stream")));
    assert.deepEqual(s.labels, ["fruit", "car"]);
  });
});

describe("tagged sentences from tables", () => {
  test("JSONL and Arrow rows with tokens and tags (or Hugging Face ner_tags); CoNLL otherwise", async () => {
    const j = write("tags.jsonl", '{"tokens":["Ada","wrote"],"tags":["B-PER","O"]}\n{"tokens":["Paris"],"ner_tags":[3]}\n');
    assert.deepEqual(await readTaggedSentences(j), [
      { tokens: ["Ada", "wrote"], tags: ["B-PER", "O"] },
      { tokens: ["Paris"], tags: ["3"] },
    ]);
    await assert.rejects(
      readTaggedSentences(write("bad-tags.jsonl", '{"tokens":["a","b"],"tags":["O"]}\n')),
      fails(/bad-tags\.jsonl:1: 2 tokens but 1 tags/),
    );
    await assert.rejects(
      readTaggedSentences(write("no-tags.jsonl", '{"tokens":["a"],"label":"x"}\n')),
      fails(/no-tags\.jsonl:1: expected a "tokens" list/),
    );
    const arrow = await import("apache-arrow");
    const strings = new arrow.List(new arrow.Field("item", new arrow.Utf8(), true));
    const t = new arrow.Table({
      tokens: arrow.vectorFromArray([["Ada", "sat"]], strings),
      tags: arrow.vectorFromArray([["B-PER", "O"]], strings),
    });
    assert.deepEqual(await readTaggedSentences(write("tags.arrow", arrow.tableToIPC(t, "file"))), [
      { tokens: ["Ada", "sat"], tags: ["B-PER", "O"] },
    ]);
    assert.deepEqual(await readTaggedSentences(write("a.conll", "Ada\tB-PER\n")), [{ tokens: ["Ada"], tags: ["B-PER"] }]);
    // conll2003's metadata: ner_tags is a Sequence of a ClassLabel (older datasets) or a List of one (newer).
    const seq = { info: { features: { ner_tags: { _type: "Sequence", feature: { _type: "ClassLabel", names: ["O", "B-PER"] } } } } };
    assert.deepEqual(hfClassNames(JSON.stringify(seq)).get("ner_tags"), ["O", "B-PER"]);
    const list = { info: { features: { pos: [{ _type: "ClassLabel", names: ["NOUN"] }] } } };
    assert.deepEqual(hfClassNames(JSON.stringify(list)).get("pos"), ["NOUN"]);
  });
});

describe("multi-label scores", () => {
  test("micro/macro F1, subset accuracy and Hamming loss against hand values", () => {
    const truth = [
      [1, 0, 1],
      [0, 1, 0],
      [1, 1, 0],
      [0, 0, 1],
    ];
    const pred = [
      [1, 0, 0],
      [0, 1, 1],
      [1, 0, 0],
      [0, 0, 1],
    ];
    // Per class (tp, fp, fn): (2, 0, 0) → F1 1; (1, 0, 1) → 2/3; (1, 1, 1) → 1/2.
    // Micro: tp 4, fp 1, fn 2 → 8/11. sklearn f1_score(average="macro") = (1 + 2/3 + 1/2)/3.
    const s = multiLabelScores(pred, truth);
    assert.ok(Math.abs(s.microF1 - 8 / 11) < 1e-12);
    assert.ok(Math.abs(s.macroF1 - (1 + 2 / 3 + 1 / 2) / 3) < 1e-12);
    assert.deepEqual([s.microPrecision, s.microRecall, s.subsetAccuracy, s.hammingLoss], [4 / 5, 4 / 6, 1 / 4, 3 / 12]);
    // A class never present nor predicted scores 0 (sklearn's zero_division=0).
    assert.equal(multiLabelScores([[1, 0]], [[1, 0]]).macroF1, 0.5);
  });
  test("a multi-label CSV trains with a sigmoid per class and reports micro/macro F1", async () => {
    const fruit = ["apple", "pear", "plum"];
    const red = ["red", "crimson", "scarlet"];
    const rows = Array.from({ length: 60 }, (_, k) => {
      const f = k % 2 === 0;
      const r = k % 3 === 0;
      const words = [f ? fruit[k % 3] : "stone", r ? red[k % 3] : "grey", "thing"];
      const labels = [...(f ? ["fruit"] : []), ...(r ? ["red"] : [])];
      return `"${words.join(" ")}",${labels.length ? labels.join("|") : "other"}`;
    });
    const p = write("multi.csv", `text,tags\n${rows.join("\n")}\n`);
    const out = join(dir, "multi");
    await textClassification.train({
      data: p,
      val: p,
      out,
      labelColumn: "tags",
      model: "bow-logistic",
      epochs: 30,
      lr: 0.2,
      batchSize: 16,
    });
    const m = await textClassification.evaluate(out, p, { labelColumn: "tags" });
    assert.deepEqual(m.labels, ["fruit", "other", "red"]);
    assert.ok((m.microF1 as number) > 0.95, `microF1 ${m.microF1}`);
    assert.ok((m.macroF1 as number) > 0.95, `macroF1 ${m.macroF1}`);
    const [q] = (await textClassification.predict(out, ["a red apple thing"])) as { predicted?: string[] }[];
    assert.deepEqual(q!.predicted, ["fruit", "red"]);
  });
});
