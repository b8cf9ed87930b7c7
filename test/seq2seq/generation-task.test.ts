// text-generation end to end on a small labelled CSV: topic tokens, perplexity, streaming
// predict, and errors for unknown topics.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { textGeneration } from "../../src/text/seq2seq/generation-task.js";

test("text-generation: train (topics) → eval perplexity → streamed predict", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-lm-"));
  const rows = ["text,label"];
  for (let i = 0; i < 60; i++) {
    rows.push(i % 2 ? `the cat sat on the mat number ${i % 7},cats` : `the dog ran in the park number ${i % 5},dogs`);
  }
  const file = join(dir, "docs.csv");
  writeFileSync(file, `${rows.join("\n")}\n`);
  const out = join(dir, "model");
  const r = await textGeneration.train({ data: file, out, epochs: 3, model: "tiny", seed: 0 });
  const ppl = r.metrics.valPerplexity as number;
  assert.ok(Number.isFinite(ppl) && ppl > 1, `perplexity ${ppl}`);
  const m = await textGeneration.evaluate(out, file);
  assert.ok((m.perplexity as number) > 1 && Math.abs(Math.log(m.perplexity as number) - (m.loss as number)) < 1e-9);
  const chunks: string[] = [];
  const p = (await textGeneration.predict(out, ["the"], { topic: "cats", maxNewTokens: 8, onText: (t) => chunks.push(t) })) as {
    text: string;
  }[];
  assert.equal(chunks.join(""), p[0]!.text);
  await assert.rejects(textGeneration.predict(out, ["the"], { topic: "birds" }), /unknown topic "birds"; topics: cats, dogs/);
  // A prompt longer than the model's 512 positions keeps its end, with a warning.
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on("warning", onWarning);
  const long = (await textGeneration.predict(out, [Array(400).fill("the cat sat").join(" ")], { maxNewTokens: 2 })) as { text: string }[];
  await new Promise((r) => setImmediate(r));
  process.off("warning", onWarning);
  assert.equal(typeof long[0]!.text, "string");
  assert.ok(
    warnings.some((w) => /text-generation: the prompt has \d+ tokens; the model reads 510, so only its last 510 are kept/.test(w)),
    warnings.join("; "),
  );
});
