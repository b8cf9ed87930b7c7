import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { indexLabels, parseConll, readConll, readTextRecords } from "../../src/text/readers.js";
import { failsWith, tempFiles } from "../helpers/temp-files.js";

const { dir, write } = tempFiles("fl-text-readers-");
const fails = failsWith;

describe("text/label readers", () => {
  test("CSV with quoted multi-line text, TSV and JSONL", async () => {
    const csv = await readTextRecords(write("a.csv", 'label,text\nspam,"win ""now""\nclick"\nham,hello\n'));
    assert.deepEqual(csv.texts, ['win "now"\nclick', "hello"]);
    assert.deepEqual(csv.labels, ["spam", "ham"]);
    assert.deepEqual(csv.where, [`${dir}/a.csv:2`, `${dir}/a.csv:4`]);
    const tsv = await readTextRecords(write("a.tsv", "text\tlabel\nfoo bar\t1\n"));
    assert.deepEqual([tsv.texts, tsv.labels], [["foo bar"], ["1"]]);
    const jl = await readTextRecords(write("a.jsonl", '{"text":"x y","label":"a"}\n\n{"text":"z","label":2}\n'));
    assert.deepEqual(
      [jl.texts, jl.labels, jl.where],
      [
        ["x y", "z"],
        ["a", "2"],
        [`${dir}/a.jsonl:1`, `${dir}/a.jsonl:3`],
      ],
    );
  });
  test("labels are indexed in sorted order", async () => {
    const r = await readTextRecords(write("b.jsonl", '{"text":"a","label":"z"}\n{"text":"b","label":"m"}\n'));
    const d = indexLabels(r);
    assert.deepEqual(d.classes, ["m", "z"]);
    assert.deepEqual(d.labels, [1, 0]);
  });
  test("malformed rows name the file and line", async () => {
    await assert.rejects(readTextRecords(write("c.csv", "text,label\nok,a\nbad,a,extra\n")), fails(/c\.csv:3: 3 fields, the header has 2/));
    await assert.rejects(readTextRecords(write("d.csv", "txt,label\nx,a\n")), fails(/d\.csv:1: no column "text"; columns are: txt, label/));
    await assert.rejects(
      readTextRecords(write("e.jsonl", '{"text":"a","label":"x"}\n{"text": oops}\n')),
      fails(/e\.jsonl:2: invalid JSON/),
    );
    await assert.rejects(readTextRecords(write("f.jsonl", '{"text":"a"}\n')), fails(/f\.jsonl:1: no column "label"; columns are: text/));
    await assert.rejects(readTextRecords(write("g.jsonl", "[1,2]\n")), fails(/g\.jsonl:1: expected a JSON object/));
    await assert.rejects(readTextRecords(write("h.txt", "x")), fails(/unknown extension "\.txt"/));
    await assert.rejects(readTextRecords(write("i.csv", "text,label\n")), fails(/i\.csv: no records/));
  });
  test("empty texts and labels are errors with file:line", async () => {
    await assert.rejects(readTextRecords(write("j.csv", 'text,label\nfine,a\n"  ",b\n')), fails(/j\.csv:3: empty text/));
    await assert.rejects(readTextRecords(write("k.tsv", "text\tlabel\nfine\t\n")), fails(/k\.tsv:2: empty label/));
  });
  test("an unknown label at evaluation names the line and the known labels", async () => {
    const r = await readTextRecords(write("l.jsonl", '{"text":"a","label":"ham"}\n{"text":"b","label":"eggs"}\n'));
    assert.throws(() => indexLabels(r, ["ham", "spam"]), fails(/l\.jsonl:2: unknown label "eggs"; the model knows "ham", "spam"/));
  });
});

describe("CoNLL", () => {
  test("sentences split on blank lines; extra columns and comments ignored", async () => {
    const s = await readConll(write("a.conll", "# doc\nThe\tDT\ndog\tNN\n\n\nRuns\tx\tVBZ\n"));
    assert.deepEqual(s, [
      { tokens: ["The", "dog"], tags: ["DT", "NN"] },
      { tokens: ["Runs"], tags: ["VBZ"] },
    ]);
  });
  test("a line without a tab, an empty tag, an empty file", () => {
    assert.throws(() => parseConll("a\tB\nno-tab-here\n", "x.conll"), fails(/x\.conll:2: expected "token<TAB>tag", got "no-tab-here"/));
    assert.throws(() => parseConll("a\t \n", "y.conll"), fails(/y\.conll:1: empty tag for token "a"/));
    assert.throws(() => parseConll("\n\n", "z.conll"), fails(/z\.conll: no sentences/));
  });
});
