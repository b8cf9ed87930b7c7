import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import * as fl from "flambeau";
import { tempFiles } from "../helpers/temp-files.js";

const { dir, write } = tempFiles("fl-text-");
const formatError = (re: RegExp) => (e: unknown) => {
  assert.ok(e instanceof fl.FlambeauError, String(e));
  assert.equal(e.code, "E_FORMAT");
  assert.match(e.message, re);
  return true;
};

describe("CSV", () => {
  test("RFC 4180 quoting: delimiters, doubled quotes, line breaks inside quotes, CRLF, BOM", async () => {
    const text = '\ufeffid,text,label\r\n1,"hello, world",pos\r\n2,"she said ""hi""",neg\r\n3,"two\nlines",pos\r\n4,,""\r\n';
    const t = await fl.data.readCsv(write("a.csv", text));
    assert.deepEqual(t.columns, ["id", "text", "label"]);
    assert.deepEqual(t.rows, [
      { id: "1", text: "hello, world", label: "pos" },
      { id: "2", text: 'she said "hi"', label: "neg" },
      { id: "3", text: "two\nlines", label: "pos" },
      { id: "4", text: "", label: "" },
    ]);
  });

  test("TSV by extension, explicit delimiter, gzip, blank lines, no trailing newline", async () => {
    assert.deepEqual((await fl.data.readCsv(write("b.tsv", "a\tb\n1\t2,3\n\n4\t5"))).rows, [
      { a: "1", b: "2,3" },
      { a: "4", b: "5" },
    ]);
    assert.deepEqual((await fl.data.readCsv(write("c.txt", "a;b\n1;2\n"), { delimiter: ";" })).rows, [{ a: "1", b: "2" }]);
    assert.deepEqual((await fl.data.readCsv(write("d.csv.gz", gzipSync("x,y\n1,2\n")))).rows, [{ x: "1", y: "2" }]);
    assert.deepEqual(
      fl.data.parseCsv("__proto__,b\n1,2\n").rows[0],
      Object.defineProperty({ b: "2" }, "__proto__", { value: "1", enumerable: true }),
    );
  });

  test("errors give the file and line", async () => {
    const p = write("bad-count.csv", "a,b\n1,2\n\n3\n");
    await assert.rejects(fl.data.readCsv(p), formatError(/bad-count\.csv:4: 1 fields, the header has 2/));
    await assert.rejects(
      fl.data.readCsv(write("unterminated.csv", 'a,b\n1,2\n3,"open\nstill open\n')),
      formatError(/unterminated\.csv:3: unterminated quoted field/),
    );
    await assert.rejects(
      fl.data.readCsv(write("after-quote.csv", 'a,b\n"x"y,2\n')),
      formatError(/after-quote\.csv:2: unexpected "y" after a closing quote/),
    );
    await assert.rejects(fl.data.readCsv(write("stray.csv", 'a,b\n1,2\n3,4"5\n')), formatError(/stray\.csv:3: stray " in unquoted field/));
    await assert.rejects(fl.data.readCsv(write("dup.csv", "a,a\n1,2\n")), formatError(/dup\.csv:1: duplicate column name "a"/));
    await assert.rejects(fl.data.readCsv(write("empty.csv", "")), formatError(/empty\.csv:1: empty file/));
    await assert.rejects(
      fl.data.readCsv(write("latin1.csv", Buffer.from([0x61, 0x0a, 0x62, 0x0a, 0xe9, 0x0a]))),
      formatError(/latin1\.csv:3: invalid UTF-8/),
    );
    // the line of a record after a multi-line quoted field
    await assert.rejects(fl.data.readCsv(write("multi.csv", 'a,b\n1,"x\ny\nz"\n2\n')), formatError(/multi\.csv:5: 1 fields/));
    assert.throws(() => fl.data.parseCsv("a\n", { delimiter: '"' }), /delimiter must be one character/);
    await assert.rejects(fl.data.readCsv(join(dir, "missing.csv")), (e: fl.FlambeauError) => e.code === "E_IO");
  });
});

describe("JSONL", () => {
  test("objects per line; blank lines skipped; errors with line numbers", async () => {
    assert.deepEqual(await fl.data.readJsonl(write("a.jsonl", '{"text":"hi","label":1}\r\n\n{"text":"yo","label":0}')), [
      { text: "hi", label: 1 },
      { text: "yo", label: 0 },
    ]);
    await assert.rejects(fl.data.readJsonl(write("b.jsonl", '{"a":1}\n{"a":\n')), formatError(/b\.jsonl:2: invalid JSON/));
    await assert.rejects(
      fl.data.readJsonl(write("c.jsonl", '{"a":1}\n\n[1,2]\n')),
      formatError(/c\.jsonl:3: expected a JSON object, got an array/),
    );
  });
});
