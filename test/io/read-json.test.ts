// readJsonFile: the one reader of whole JSON files (vocabularies, word-level tokenizers, model
// configs, COCO annotations, graph files): a missing file is E_IO, bad JSON is E_FORMAT with
// the parser's own message, both naming the op and the file.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { readJsonFile } from "../../src/io/read-json.js";
import { WordLevelTokenizer } from "../../src/text/tokenizers/word-level.js";

const fails = (code: string, op: string, re: RegExp) => (e: unknown) =>
  e instanceof fl.FlambeauError && e.code === code && e.op === op && re.test(e.message);

test("readJsonFile: the value, E_IO for a missing file, E_FORMAT with the parser's message for bad JSON", () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-read-json-"));
  try {
    const good = join(dir, "good.json");
    writeFileSync(good, '{"a": [1, 2.5, null], "b": "x"}');
    assert.deepEqual(readJsonFile("op", good), { a: [1, 2.5, null], b: "x" });
    const missing = join(dir, "missing.json");
    assert.throws(() => readJsonFile("op", missing), fails("E_IO", "op", /^op: cannot read .*missing\.json: ENOENT/));
    const broken = join(dir, "broken.json");
    const text = '{"a": [1, 2';
    writeFileSync(broken, text);
    let parser = "";
    try {
      JSON.parse(text);
    } catch (e) {
      parser = (e as Error).message;
    }
    const message = `op: ${broken}: invalid JSON (${parser})`;
    assert.throws(
      () => readJsonFile("op", broken),
      (e: unknown) => e instanceof fl.FlambeauError && e.code === "E_FORMAT" && e.message === message,
    );
    // Its callers name themselves.
    assert.throws(() => fl.text.Vocab.load(broken), fails("E_FORMAT", "Vocab.load", /^Vocab\.load: .*broken\.json: invalid JSON/));
    assert.throws(() => fl.text.Vocab.load(missing), fails("E_IO", "Vocab.load", /^Vocab\.load: cannot read .*missing\.json/));
    assert.throws(
      () => WordLevelTokenizer.load(broken),
      fails("E_FORMAT", "WordLevelTokenizer.load", /^WordLevelTokenizer\.load: .*broken\.json: invalid JSON/),
    );
    const model = join(dir, "model");
    mkdirSync(model);
    writeFileSync(join(model, "config.json"), text);
    writeFileSync(join(model, "model.safetensors"), "");
    assert.throws(
      () => fl.train.readModelConfig(model),
      fails("E_FORMAT", "readModelConfig", /^readModelConfig: .*config\.json: invalid JSON/),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
