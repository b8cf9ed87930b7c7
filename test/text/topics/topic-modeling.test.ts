import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as fl from "flambeau";
import { type TopicPrediction, topicModeling } from "../../../src/text/tasks/topic-modeling.js";

fl.setNumThreads(1);
const dir = mkdtempSync(join(tmpdir(), "fl-topics-"));
after(() => rmSync(dir, { recursive: true, force: true }));

// Two themes of 10 words, each document holding all of its theme's: a topic that is one theme
// scores NPMI 1 (its words always together), a topic mixing both far less.
const SEA = ["ocean", "waves", "sailor", "ship", "harbor", "anchor", "tide", "deck", "mast", "storm"];
const CODE = ["compiler", "kernel", "debugger", "linker", "syntax", "parser", "module", "thread", "socket", "buffer"];
const docs = Array.from({ length: 120 }, (_, i) => {
  const words = i % 2 ? SEA : CODE;
  return Array.from({ length: 12 }, (_, k) => words[(i * 7 + k * 3) % 10]).join(" ");
});
const data = join(dir, "docs.txt");
writeFileSync(data, docs.join("\n\n"));

describe("topic-modeling", () => {
  test("ProdLDA and the LDA baseline find the two themes; NPMI is computed on the reference texts", async () => {
    const out = join(dir, "m");
    const r = await topicModeling.train({ data, out, epochs: 30, batchSize: 16, lr: 1e-2, topics: 2, ldaIterations: 30, seed: 0 });
    assert.equal(r.history.epochs.length, 30);
    const m = (await topicModeling.evaluate(out, data)) as {
      prodlda: { npmi: number; diversity: number };
      lda: { npmi: number };
      prodldaTopics: string[];
    };
    // Each theme's words always co-occur and never meet the other's: a perfect split scores NPMI > 0.
    assert.ok(m.lda.npmi > 0.2, `LDA NPMI ${m.lda.npmi}`);
    assert.ok(m.prodlda.npmi > 0.2, `ProdLDA NPMI ${m.prodlda.npmi}: ${m.prodldaTopics.join(" / ")}`);
    const [p] = (await topicModeling.predict(out, [docs[1]!])) as TopicPrediction[];
    assert.ok(
      p!.topics[0]!.words.some((w) => SEA.includes(w)),
      topicModeling.formatPrediction(p),
    );
    await assert.rejects(topicModeling.predict(out, ["zzz qqq"]), /input 1 has no word of the model's vocabulary/);
  });
});
