import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as fl from "flambeau";
import { charTokenize, Vocab, wordTokenize } from "../../src/text/vocab.js";

const dir = mkdtempSync(join(tmpdir(), "fl-vocab-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("Vocab", () => {
  const seqs = [
    ["b", "a", "a", "c"],
    ["a", "b", "d"],
  ];
  test("frequency order, ties alphabetical, specials first", () => {
    const v = Vocab.build(seqs);
    assert.deepEqual(v.itos, ["<pad>", "<unk>", "a", "b", "c", "d"]);
    assert.deepEqual(v.encode(["a", "zzz", "d"]), [2, 1, 5]);
    assert.deepEqual(v.decode([3, 0]), ["b", "<pad>"]);
    assert.equal(v.padId, 0);
    assert.equal(v.unkId, 1);
  });
  test("minFreq and maxSize", () => {
    assert.deepEqual(Vocab.build(seqs, { minFreq: 2 }).itos, ["<pad>", "<unk>", "a", "b"]);
    assert.deepEqual(Vocab.build(seqs, { maxSize: 3 }).itos, ["<pad>", "<unk>", "a"]);
  });
  test("save/load round trip", async () => {
    const v = Vocab.build(seqs);
    const p = join(dir, "v.json");
    await v.save(p);
    assert.deepEqual(Vocab.load(p).itos, v.itos);
  });
  test("character and word tokenizers", () => {
    assert.deepEqual(charTokenize("a🙂b"), ["a", "🙂", "b"]);
    assert.deepEqual(wordTokenize("Don't stop-gap 3.5, ok?"), ["Don't", "stop-gap", "3", ".", "5", ",", "ok", "?"]);
  });
  test("errors", () => {
    const bad = (re: RegExp) => (e: unknown) => e instanceof fl.FlambeauError && re.test(e.message);
    assert.throws(() => Vocab.build(seqs, { minFreq: 0 }), bad(/minFreq must be an integer ≥ 1, got 0/));
    assert.throws(() => Vocab.build(seqs, { maxSize: 1 }), bad(/maxSize must be an integer ≥ 2/));
    assert.throws(() => new Vocab(["<pad>", "<unk>", "a", "a"]), bad(/"a" appears twice \(ids 2 and 3\)/));
    assert.throws(() => new Vocab(["<pad>"]), bad(/unknown token "<unk>" is not in the vocabulary/));
    assert.throws(() => Vocab.build(seqs).decode([42]), bad(/id 42 is outside \[0, 6\)/));
    writeFileSync(join(dir, "bad.json"), '{"tokens": 3}');
    assert.throws(() => Vocab.load(join(dir, "bad.json")), bad(/bad\.json is not a vocabulary/));
  });
});
