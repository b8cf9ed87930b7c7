// The translation task end to end on a small TSV (plumbing, files, metrics ranges, errors);
// the quality figures come from `flambeau demo` and the README's commands, not from tests.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadPairs } from "../../src/text/seq2seq/pairs.js";
import { summarization, translation } from "../../src/text/seq2seq/task.js";

const dir = mkdtempSync(join(tmpdir(), "fl-s2s-"));
const WORDS = ["red", "green", "blue", "small", "large", "cat", "dog", "house", "tree", "river"];
const FR = ["rouge", "vert", "bleu", "petit", "grand", "chat", "chien", "maison", "arbre", "rivière"];

test("translation: train → eval → predict on a TSV of pairs", async () => {
  const rows = ["source\ttarget"];
  for (let i = 0; i < 80; i++) {
    const a = i % 10;
    const b = (i * 7 + 3) % 10;
    rows.push(`the ${WORDS[a]} ${WORDS[b]}\tle ${FR[a]} ${FR[b]}`);
  }
  const file = join(dir, "pairs.tsv");
  writeFileSync(file, `${rows.join("\n")}\n`);
  const out = join(dir, "model");
  const r = await translation.train({ data: file, out, epochs: 2, seed: 0 });
  assert.ok(existsSync(join(out, "tokenizer.json")) && existsSync(join(out, "model.safetensors")));
  assert.equal(r.history.epochs.length, 2);
  const [e1, e2] = r.history.epochs.map((e) => e.loss ?? Number.NaN);
  assert.ok(Number.isFinite(e2!) && e2! < e1! + 1, `losses ${e1}, ${e2}`);
  const m = await translation.evaluate(out, file, { limit: 4 });
  assert.equal(m.examples, 4);
  for (const k of ["bleu", "chrf"]) assert.ok((m[k] as number) >= 0 && (m[k] as number) <= 100, `${k} ${m[k]}`);
  const p = (await translation.predict(out, ["the red cat"])) as { input: string; output: string }[];
  assert.equal(p[0]!.input, "the red cat");
  assert.equal(typeof p[0]!.output, "string");
  // Any Unicode encodes (byte-level BPE: no unknown tokens); empty inputs are refused;
  // over-long inputs are cut with a warning naming the input.
  const odd = (await translation.predict(out, ["the 猫 😺 ümlaut"])) as { output: string }[];
  assert.equal(typeof odd[0]!.output, "string");
  await assert.rejects(translation.predict(out, ["the red cat", "  "]), /translation: input 2 is empty/);
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on("warning", onWarning);
  await translation.predict(out, [Array(300).fill("the red cat").join(" ")]);
  await new Promise((r) => setImmediate(r));
  process.off("warning", onWarning);
  assert.ok(
    warnings.some((w) => /translation: input 1 has \d+ tokens; the model reads 127, so the rest is cut/.test(w)),
    warnings.join("; "),
  );
});

test("summarization: the pointer model trains on truncated sources, saves, and decodes with length and n-gram constraints", async () => {
  const rows = ["source\ttarget"];
  for (let i = 0; i < 40; i++) {
    const [a, b] = [WORDS[i % 10]!, WORDS[(i * 3 + 1) % 10]!];
    rows.push(`The ${a} ${b} tool. It has ${WORDS[(i + 5) % 10]} options and a ${WORDS[(i + 7) % 10]} manual.\t${a} ${b} tool`);
  }
  const file = join(dir, "summaries.tsv");
  writeFileSync(file, `${rows.join("\n")}\n`);
  const out = join(dir, "pointer");
  await summarization.train({ data: file, out, model: "pointer", maxSource: 8, epochs: 1, seed: 0 });
  const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
  assert.equal(config.architecture, "seq2seq-pointer");
  assert.equal(config.hyper.pointer, true);
  assert.equal(config.preprocessing.maxSource, 8);
  const m = await summarization.evaluate(out, file, { limit: 3, beam: 2, minLength: 4, blockNgram: 2, lengthPenalty: 1 });
  for (const k of ["rouge1", "rouge2", "rougeL", "baselineRougeL"])
    assert.ok((m[k] as number) >= 0 && (m[k] as number) <= 1, `${k} ${m[k]}`);
  const p = (await summarization.predict(out, ["The red cat tool."], { minLength: 3 })) as { output: string }[];
  assert.equal(typeof p[0]!.output, "string");
  await assert.rejects(
    summarization.train({ data: file, out, model: "pointer", maxSource: 1, epochs: 1 }),
    /--max-source must be at least 2/,
  );
});

test("text pairs: missing fields, empty sources and missing files get clear errors", async () => {
  const bad = join(dir, "bad.jsonl");
  writeFileSync(bad, `{"source": "a", "target": "b"}\n{"src": "a", "tgt": "b"}\n`);
  await assert.rejects(loadPairs(bad, "train"), /bad\.jsonl:2: no column "source"; columns are: src, tgt/);
  const empty = join(dir, "empty.tsv");
  writeFileSync(empty, "source\ttarget\n \tx\n");
  await assert.rejects(loadPairs(empty, "train"), /empty\.tsv:2: empty "source"/);
  await assert.rejects(loadPairs(join(dir, "nope.tsv"), "train"), /no such file .*built-in data: ddtp-en-fr/);
});
