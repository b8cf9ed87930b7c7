import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { setNumThreads } from "../../../src/core/index.js";
import { type StylePrediction, textStyleTransfer } from "../../../src/text/tasks/text-style-transfer.js";

setNumThreads(1);
const dir = mkdtempSync(join(tmpdir(), "fl-style-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("text-style-transfer (tiny budget, real KJV and State of the Union sentences)", () => {
  test("train → eval (copy, substitution, model in both directions) → predict", async () => {
    const out = join(dir, "m");
    const r = await textStyleTransfer.train({
      data: "kjv-sotu",
      out,
      limit: 40,
      epochs: 2,
      batchSize: 16,
      seed: 0,
      dModel: 32,
      layers: 1,
      lmEpochs: 1,
      valSentences: 4,
      testSentences: 6,
    });
    assert.equal(r.history.epochs.length, 2);
    const m = (await textStyleTransfer.evaluate(out, "kjv-sotu", { limit: 3 })) as Record<string, number> & { examples: unknown[] };
    assert.equal(m.testSentences, 6);
    // Copying keeps every word (self-BLEU 100) and stays in the source style.
    assert.ok(Math.abs(m.copySelfBleu! - 100) < 1e-6, `copy self-BLEU ${m.copySelfBleu}`);
    // A copy keeps SIM = 1, so its J is the share of copies the classifier puts in the target style (and finds fluent).
    assert.ok(m.copyJ! <= m.copyAccuracy! + 1e-9, `copy J ${m.copyJ} > accuracy ${m.copyAccuracy}`);
    for (const k of ["modelAccuracy", "modelSelfBleu", "substitutionSelfBleu", "modelGm", "modelJ"])
      assert.ok(m[k]! >= 0 && m[k]! <= 100, `${k} ${m[k]}`);
    assert.ok(m.modelPerplexity! > 1 && Number.isFinite(m.modelPerplexity), `perplexity ${m.modelPerplexity}`);
    assert.equal(m.examples.length, 6);
    const [p] = (await textStyleTransfer.predict(out, ["And he said unto them, Go ye into all the world."], {
      to: "modern",
    })) as StylePrediction[];
    assert.equal(p!.to, "modern");
    assert.equal(typeof p!.output, "string");
    assert.match(textStyleTransfer.formatPrediction(p), /^\[(kjv|modern) → modern\] /);
    await assert.rejects(textStyleTransfer.predict(out, ["  ...  "]), /input 1 has no words to rewrite/);
  });
});
