import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as fl from "flambeau";
import { maxFrequencyAnswer, slidingWindowAnswer } from "../../../src/text/qa/baselines.js";
import { clozeExample, PLACEHOLDER, qaTokens } from "../../../src/text/qa/cloze.js";
import { bestSpan } from "../../../src/text/qa/span-model.js";
import { type QaPrediction, questionAnswering } from "../../../src/text/tasks/question-answering.js";

fl.setNumThreads(1);
const dir = mkdtempSync(join(tmpdir(), "fl-qa-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("cloze questions and baselines", () => {
  test("blanks the longest content word the description also holds", () => {
    const x = clozeExample(
      "fast image viewer for the terminal",
      "Viewer shows images in a terminal window; a terminal emulator is needed.",
    )!;
    // "terminal" (8 letters) beats "viewer" (6); "image" is not in the description ("images").
    assert.deepEqual(x.question, ["fast", "image", "viewer", "for", "the", PLACEHOLDER]);
    assert.equal(x.context[x.start], "terminal");
    assert.equal(x.start, 5);
    assert.deepEqual(x.answers, ["terminal"]);
    assert.equal(clozeExample("a b c", "nothing shared here"), null);
    assert.deepEqual(qaTokens("who wrote @placeholder?"), ["who", "wrote", PLACEHOLDER, "?"]);
  });

  test("max frequency and sliding window (hand cases)", () => {
    const q = qaTokens("library for @placeholder parsing");
    const c = "the library does json parsing ; yaml support comes with yaml schemas and yaml files".split(" ");
    // Candidates: words of ≥ 4 letters, not stop words ("does", "with"), not in the question: json,
    // yaml ×3, support, comes, schemas, files; "yaml" is the most frequent, first at 6.
    assert.equal(maxFrequencyAnswer(q, c), 6);
    // "json" sits between "library" and "parsing" (each once in the context: log 2 each).
    assert.equal(c[slidingWindowAnswer(q, c, 2)], "json");
    assert.deepEqual(bestSpan([0, 5, 1], [0, 1, 9], 3, 10), [1, 2]);
    assert.deepEqual(bestSpan([0, 5, 1], [0, 1, 9], 3, 1), [2, 2]);
  });
});

describe("question-answering", () => {
  test("trains the span reader on a tiny set, beats its baselines there, and predicts spans", async () => {
    const colours = ["red", "green", "blue", "yellow", "purple", "orange", "black", "white"];
    const rows = Array.from({ length: 120 }, (_, i) => {
      const c = colours[i % 8]!;
      const other = colours[(i * 3 + 1) % 8]!;
      return {
        question: `which colour paints item${i % 30}`,
        context: `the ${other} brush paints nothing here while the ${c} paint paints item${i % 30} very well`,
        answer: c,
      };
    });
    const data = join(dir, "qa.jsonl");
    writeFileSync(data, rows.map((r) => JSON.stringify(r)).join("\n"));
    const out = join(dir, "m");
    const r = await questionAnswering.train({ data, out, epochs: 6, batchSize: 16, lr: 1e-2, seed: 0 });
    assert.equal(r.history.epochs.length, 6);
    const m = (await questionAnswering.evaluate(out, data)) as { model: { exactMatch: number }; maxFrequency: { exactMatch: number } };
    assert.ok(m.model.exactMatch > 90, `EM ${m.model.exactMatch}`);
    assert.ok(m.model.exactMatch > m.maxFrequency.exactMatch);
    const [p] = (await questionAnswering.predict(out, [
      "which colour paints item3 ||| the red brush paints nothing here while the blue paint paints item3 very well",
    ])) as QaPrediction[];
    assert.equal(p!.answer, "blue");
    await assert.rejects(questionAnswering.predict(out, ["no separator"]), /input 1 must be "question \|\|\| context"/);
  });
});
