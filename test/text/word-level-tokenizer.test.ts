// The tokenizer.json every word- and character-level text model saves: Hugging Face's own
// `tokenizers` (the Node binding of the Rust library) loads it and gives the ids Flambeau gives,
// for punctuation, casing, digits, unknown words, Unicode (accents, Greek final sigma, Turkish İ,
// emoji, CJK, odd spaces) and special tokens written in the text.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as fl from "flambeau";
import { Tokenizer } from "tokenizers";
import { normWord } from "../../src/text/tag-data.js";
import { textClassification } from "../../src/text/tasks/text-classification.js";
import { tokenClassification } from "../../src/text/tasks/token-classification.js";
import { loadDirTokenizer, WordLevelTokenizer } from "../../src/text/tokenizers/word-level.js";
import { Vocab, wordTokenize } from "../../src/text/vocab.js";

fl.setNumThreads(1);
const dir = mkdtempSync(join(tmpdir(), "fl-wordlevel-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const TEXTS = [
  "Hello, World! Don't stop — it's well-known.",
  "HELLO hello HeLLo",
  "Prices: $12.50, 3 items (100%)",
  "ΟΔΟΣ and ΣΟΦΟΣ σοφός",
  "İstanbul IRMAK ıi",
  "café vs cafe\u0301 naïve Übermensch",
  "東京 と 大阪 は 日本",
  "emoji 🙂🚀 and a flag 🇫🇷",
  "tabs\tnew\nlines\r\nnbsp\u00a0bom\ufeffnel\u0085zwsp\u200bend",
  "x <unk> y <pad> z <cls> <CLS> <mask>",
  "zzqx unknownword ???",
  "a",
  "   ",
  "",
];

const corpus = [
  "hello world the quick brown fox",
  "don't stop it's well-known prices items",
  "οδοσ σοφοσ σοφός istanbul café naïve",
  "東京 日本 emoji 🙂 the the world",
];

async function hfIds(path: string, text: string, addSpecialTokens = true): Promise<number[]> {
  const tk = Tokenizer.fromFile(path);
  return (await tk.encode(text, null, { addSpecialTokens })).getIds();
}

/** Flambeau's ids, with the one documented difference (a text without tokens is [<unk>] here) undone. */
function ours(tk: WordLevelTokenizer, text: string): number[] {
  return tk.tokenize(text).length === 0 ? (tk.spec.prefix ? [tk.vocab.id(tk.spec.prefix)] : []) : tk.encode(text);
}

describe("WordLevelTokenizer → tokenizer.json → HF tokenizers", () => {
  const specs = {
    "lowercased words (text-classification)": { normalize: "lowercase", split: "words", specials: ["<pad>", "<unk>"] },
    "lowercased words, <cls> first, 6 ids at most (bert)": {
      normalize: "lowercase",
      split: "words",
      specials: ["<pad>", "<unk>", "<cls>", "<mask>"],
      prefix: "<cls>",
      maxLength: 6,
    },
    "lowercased words, digits folded (token-classification)": {
      normalize: "lowercase-digits",
      split: "words",
      specials: ["<pad>", "<unk>"],
    },
    "characters as written (token-classification's character CNN)": { normalize: "none", split: "chars", specials: ["<pad>", "<unk>"] },
  } as const;
  for (const [name, spec] of Object.entries(specs)) {
    test(name, async () => {
      const probe = new WordLevelTokenizer(new Vocab([...spec.specials]), spec);
      const vocab = Vocab.build(
        corpus.map((t) => probe.tokenize(t)),
        { specials: spec.specials },
      );
      const tk = new WordLevelTokenizer(vocab, spec);
      const path = join(dir, `${name.replace(/\W+/g, "-")}.json`);
      await tk.save(path);
      let known = 0;
      for (const text of TEXTS) {
        const mine = ours(tk, text);
        assert.deepEqual(await hfIds(path, text), mine, `${name}: ${JSON.stringify(text)}`);
        known += mine.filter((i) => i !== vocab.unkId).length;
      }
      assert.ok(known > 10, `only ${known} known ids: the comparison would be vacuous`);
      // Loading the file back gives the same tokenizer.
      const again = WordLevelTokenizer.load(path);
      assert.deepEqual(again.spec, tk.spec);
      assert.deepEqual(again.vocab.itos, vocab.itos);
    });
  }

  test("the split is the word regex; special tokens stay whole; final sigma and İ lowercase per character", () => {
    const tk = new WordLevelTokenizer(new Vocab(["<pad>", "<unk>", "<cls>"]), {
      normalize: "lowercase",
      split: "words",
      specials: ["<pad>", "<unk>", "<cls>"],
    });
    assert.deepEqual(tk.tokenize("Don't <cls>x ΟΔΟΣ"), ["don't", "<cls>", "x", "οδοσ"]);
    assert.deepEqual(tk.tokenize("İ"), ["i\u0307"]);
    assert.deepEqual(tk.tokenize("Don't <CLS>", { asWritten: true }), ["Don't", "<", "CLS", ">"]);
    assert.deepEqual(wordTokenize("a\ufeffb\u0085c"), ["a", "\ufeff", "b", "c"]);
  });

  test("a file edited to tokenize otherwise is refused, naming the field", () => {
    const tk = new WordLevelTokenizer(new Vocab(["<pad>", "<unk>", "a"]), {
      normalize: "lowercase",
      split: "words",
      specials: ["<pad>", "<unk>"],
    });
    const j = tk.toJson();
    assert.throws(
      () => WordLevelTokenizer.fromJson({ ...j, normalizer: { type: "NFKC" } }, "m/tokenizer.json"),
      /m\/tokenizer\.json: normalizer: expected/,
    );
    assert.throws(
      () => WordLevelTokenizer.fromJson({ ...j, pre_tokenizer: { type: "Whitespace" } }, "t.json"),
      /t\.json: pre_tokenizer: expected/,
    );
    assert.throws(
      () =>
        WordLevelTokenizer.fromJson(
          { ...j, model: { type: "WordLevel", vocab: { "<pad>": 0, "<unk>": 0 }, unk_token: "<unk>" } },
          "t.json",
        ),
      /t\.json: model\.vocab\["<unk>"\]: expected a distinct integer id/,
    );
    assert.throws(
      () => WordLevelTokenizer.fromJson({ ...j, model: { type: "BPE" } }, "t.json"),
      /t\.json: model\.type: expected "WordLevel"/,
    );
  });
});

describe("saved text models: tokenizer.json loads in HF tokenizers with the same ids", () => {
  const write = (name: string, content: string): string => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  const fruit = ["Apple", "banana", "cherry", "grape", "mango", "pear"];
  const car = ["truck", "Bus", "tram", "bike", "train", "van"];
  const line = (k: number, words: string[], label: string) =>
    JSON.stringify({ text: `The ${words[k % 6]}, and ${words[(k + 2) % 6]}'s ${words[(k + 3) % 6]}!`, label });
  const rows = (n: number) => Array.from({ length: n }, (_, k) => (k % 2 ? line(k, fruit, "fruit") : line(k, car, "car"))).join("\n");

  test("text-classification (bert: <cls> first, truncated to the model's length)", async () => {
    const data = write("clf.jsonl", rows(40));
    const out = join(dir, "clf");
    await textClassification.train({ data, val: data, out, model: "bert", epochs: 1, batchSize: 20 });
    const tk = WordLevelTokenizer.load(join(out, "tokenizer.json"));
    assert.equal(tk.spec.prefix, "<cls>");
    const long = Array.from({ length: 100 }, (_, i) => fruit[i % 6]).join(" ");
    for (const text of [...TEXTS, "the APPLE, and BUS's pear!", long]) {
      assert.deepEqual(await hfIds(join(out, "tokenizer.json"), text), ours(tk, text), JSON.stringify(text));
    }
    assert.equal((await hfIds(join(out, "tokenizer.json"), long)).length, 64);
    const [p] = (await textClassification.predict(out, ["a mango and a pear"])) as { labels: unknown[] }[];
    assert.equal(p!.labels.length, 2);
  });

  test("token-classification (words: lowercased, digits folded; characters as written)", async () => {
    const sent = (k: number) => (k % 2 ? "The\tDET\ncat\tNOUN\nsat\tVERB\n1999\tNUM\n" : "A\tDET\nDog\tNOUN\nran\tVERB\n,\tPUNCT\n");
    const data = write("tags.conll", Array.from({ length: 20 }, (_, k) => sent(k)).join("\n"));
    const out = join(dir, "tagger");
    await tokenClassification.train({ data, val: data, out, epochs: 1, batchSize: 10 });
    const words = loadDirTokenizer(out, "tokenizer.json", { vocabFile: "-", spec: { normalize: "none", split: "words" } });
    const chars = loadDirTokenizer(out, "char_tokenizer.json", { vocabFile: "-", spec: { normalize: "none", split: "chars" } });
    for (const text of [...TEXTS, "THE DOG sat in 2024, 1999"]) {
      const asWritten = words.tokenize(text, { asWritten: true });
      // The ids the tagger feeds its model: each word as written, normalized, looked up.
      assert.deepEqual(await hfIds(join(out, "tokenizer.json"), text), words.vocab.encode(asWritten.map(normWord)), JSON.stringify(text));
      for (const w of asWritten.filter((t) => !words.spec.specials.includes(t)))
        assert.deepEqual(await hfIds(join(out, "char_tokenizer.json"), w), chars.vocab.encode(Array.from(w)), w);
    }
    const [p] = (await tokenClassification.predict(out, ["The dog sat"])) as { tokens: string[] }[];
    assert.deepEqual(p!.tokens, ["The", "dog", "sat"]);
    await assert.rejects(tokenClassification.predict(out, ["The <pad> sat"]), /input 1 contains the padding token <pad>/);
    assert.ok(!readFileSync(join(out, "config.json"), "utf8").includes("words.json"));
  });

  test("a directory saved before tokenizer.json (vocab.json) still loads", async () => {
    const out = join(dir, "clf");
    const tk = WordLevelTokenizer.load(join(out, "tokenizer.json"));
    const old = join(dir, "old-clf");
    const { cpSync, unlinkSync } = await import("node:fs");
    cpSync(out, old, { recursive: true });
    unlinkSync(join(old, "tokenizer.json"));
    await tk.vocab.save(join(old, "vocab.json"));
    const [a] = (await textClassification.predict(out, ["a mango and a pear"])) as { labels: { probability: number }[] }[];
    const [b] = (await textClassification.predict(old, ["a mango and a pear"])) as { labels: { probability: number }[] }[];
    assert.deepEqual(b, a);
  });
});
