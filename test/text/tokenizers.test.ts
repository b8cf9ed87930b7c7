import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as fl from "flambeau";
import { SubwordTokenizer } from "../../src/text/tokenizers/subword.js";
import { byteLevelAlphabet } from "../../src/text/tokenizers/subword-json.js";

const dir = mkdtempSync(join(tmpdir(), "fl-tok-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const corpus = Array.from({ length: 40 }, (_, i) =>
  [
    `the quick brown fox ${i} jumps over the lazy dog`,
    "naïve café déjà vu — Übermensch",
    "東京 と 大阪 は 日本 の 都市 です",
    "emoji 🙂🚀 and tabs\tand newlines",
  ].join("\n"),
);
const bpe = SubwordTokenizer.train("bpe", corpus, { vocabSize: 400 });
const wp = SubwordTokenizer.train("wordpiece", corpus, { vocabSize: 120 });

const isArgError = (re: RegExp) => (e: unknown) => {
  assert.ok(e instanceof fl.FlambeauError, String(e));
  assert.match(e.message, re);
  return true;
};

describe("byte-level BPE", () => {
  test("vocabulary: specials at 0…4, all 256 bytes, cut to vocabSize", () => {
    assert.equal(bpe.vocabSize, 400);
    assert.deepEqual(
      ["<pad>", "<unk>", "<s>", "</s>", "<mask>"].map((t) => bpe.tokenToId(t)),
      [0, 1, 2, 3, 4],
    );
    const v = bpe.getVocab();
    for (const c of byteLevelAlphabet()) assert.ok(c in v, `byte symbol ${c} missing`);
    assert.equal(bpe.padId, 0);
  });
  test("lossless round trip on Unicode never seen in training", async () => {
    for (const s of ["hello wörld", "Ω≈ç√ ∫˜µ ≤≥÷", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩‍👩‍👧", "  two  spaces\r\nCRLF\u0000nul", "ﷺ עברית العربية"]) {
      const e = await bpe.encode(s, { addSpecialTokens: false });
      assert.ok(!e.ids.includes(1), "byte-level BPE never needs <unk>");
      assert.equal(await bpe.decode(e.ids), s);
    }
  });
  test("merges learned: frequent words become single tokens", async () => {
    const e = await bpe.encode("the quick brown fox", { addSpecialTokens: false });
    assert.ok(e.ids.length <= 6, `expected merged tokens, got ${e.tokens.join("|")}`);
  });
  test("template adds <s> … </s>; decode can keep or skip them", async () => {
    const e = await bpe.encode("fox");
    assert.equal(e.ids[0], 2);
    assert.equal(e.ids.at(-1), 3);
    assert.equal(await bpe.decode(e.ids), "fox");
    assert.equal(await bpe.decode(e.ids, { skipSpecialTokens: false }), "<s>fox</s>");
  });
  test("special tokens in text are never split", async () => {
    const e = await bpe.encode("a <mask> b", { addSpecialTokens: false });
    assert.ok(e.ids.includes(4));
  });
  test("batch: int64 ids padded with <pad>, attention mask, truncation keeps </s>", async () => {
    const b = await bpe.encodeBatch(["fox", "the quick brown fox jumps over the lazy dog again and again"], { maxLength: 8 });
    assert.equal(b.inputIds.dtype, "int64");
    assert.equal(b.attentionMask.dtype, "int64");
    assert.deepEqual(b.inputIds.shape, [2, 8]);
    const ids = b.inputIds.toArray() as number[][];
    const mask = b.attentionMask.toArray() as number[][];
    assert.equal(ids[1]![7], 3, "the truncated sequence still ends with </s>");
    assert.deepEqual(mask[0], [...Array(b.lengths[0]).fill(1), ...Array(8 - b.lengths[0]!).fill(0)]);
    assert.deepEqual(ids[0]!.slice(b.lengths[0]), Array(8 - b.lengths[0]!).fill(0));
    const fixed = await bpe.encodeBatch(["fox"], { maxLength: 10, padding: "max_length" });
    assert.deepEqual(fixed.inputIds.shape, [1, 10]);
  });
  test("save → tokenizer.json (HF format) → load gives the same ids", async () => {
    const p = join(dir, "bpe.json");
    bpe.save(p);
    const j = JSON.parse(readFileSync(p, "utf8"));
    assert.equal(j.model.type, "BPE");
    assert.equal(j.pre_tokenizer.type, "ByteLevel");
    assert.equal(j.decoder.type, "ByteLevel");
    assert.equal(j.post_processor.type, "TemplateProcessing");
    const back = SubwordTokenizer.fromFile(p);
    const s = "naïve 🚀 fox";
    assert.deepEqual((await back.encode(s)).ids, (await bpe.encode(s)).ids);
  });
  test("loads a hand-written HF tokenizer.json (the reverse direction)", async () => {
    const hf = {
      version: "1.0",
      added_tokens: [{ id: 0, content: "[UNK]", single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
      normalizer: null,
      pre_tokenizer: { type: "Whitespace" },
      post_processor: null,
      decoder: null,
      model: { type: "WordLevel", vocab: { "[UNK]": 0, hello: 1, world: 2 }, unk_token: "[UNK]" },
    };
    const p = join(dir, "hf.json");
    writeFileSync(p, JSON.stringify(hf));
    const t = SubwordTokenizer.fromFile(p);
    assert.deepEqual((await t.encode("hello big world")).ids, [1, 0, 2]);
  });
});

describe("WordPiece", () => {
  test("lowercases, strips accents, continues words with ##, [CLS] … [SEP]", async () => {
    assert.equal(wp.vocabSize, 120);
    const e = await wp.encode("Naïve FOXES");
    assert.equal(e.tokens[0], "[CLS]");
    assert.equal(e.tokens.at(-1), "[SEP]");
    assert.ok(
      e.tokens.some((t) => t.startsWith("##")),
      e.tokens.join(" "),
    );
    assert.equal(await wp.decode(e.ids), "naive foxes");
  });
  test("unknown characters become [UNK]", async () => {
    const e = await wp.encode("ж", { addSpecialTokens: false });
    assert.deepEqual(e.tokens, ["[UNK]"]);
  });
});

describe("tokenizer errors", () => {
  test("bad kind, tiny vocab, empty corpus, bad ids, bad file", async () => {
    assert.throws(() => SubwordTokenizer.train("unigram" as "bpe", corpus), isArgError(/kind must be/));
    assert.throws(() => SubwordTokenizer.train("bpe", corpus, { vocabSize: 100 }), isArgError(/vocabSize must be an integer ≥ 261/));
    assert.throws(() => SubwordTokenizer.train("bpe", []), isArgError(/corpus is empty/));
    assert.throws(() => SubwordTokenizer.train("bpe", { files: [join(dir, "missing.txt")] }), isArgError(/missing\.txt/));
    assert.throws(() => bpe.decode([5, 99999]), isArgError(/id 99999 is outside the vocabulary \[0, 400\)/));
    await assert.rejects(bpe.encodeBatch(["x"], { maxLength: 2 }), isArgError(/maxLength must be an integer > 2/));
    writeFileSync(join(dir, "bad.json"), "{not json");
    assert.throws(() => SubwordTokenizer.fromFile(join(dir, "bad.json")), isArgError(/bad\.json is not a valid tokenizer\.json/));
  });
});
