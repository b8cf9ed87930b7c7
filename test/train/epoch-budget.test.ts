// The epochs of the classification recipes sized to the data (src/train/epoch-budget.ts): the
// recipe's count on large data, raised on small data to a floor of optimizer steps (text, token)
// or of examples seen (image), under a ceiling; and text-classification following it.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as fl from "flambeau";
import { textClassification } from "../../src/text/tasks/text-classification.js";
import { EPOCH_RULES, epochsForData } from "../../src/train/epoch-budget.js";
import { failsWith, tempFiles } from "../helpers/temp-files.js";

fl.setNumThreads(1);
const { dir, write } = tempFiles("fl-epoch-budget-");

describe("epochs sized to the data", () => {
  test("the rules, case by case", () => {
    const rows: [string, number, number, ReturnType<typeof epochsForData>][] = [
      // image: ~500,000 images seen within 6–50 epochs (MNIST's 60,000 → 9; 240 shapes → 50).
      ["image", 60000, 128, { epochs: 9, reason: "9 epochs (≥ 500,000 examples seen on 60000 examples)" }],
      ["image", 100000, 128, { epochs: 6, reason: "6 epochs" }],
      ["image", 240, 32, { epochs: 50, reason: "50 epochs (≥ 500,000 examples seen on 240 examples, capped at 50)" }],
      // text: wide-deep's 6 epochs unless that is under 250 batches; bert's 20 on 10 % of SpamAssassin (436 e-mails) stay 20.
      ["text", 4800, 32, { epochs: 6, reason: "6 epochs" }],
      ["text", 270, 32, { epochs: 28, reason: "28 epochs (≥ 250 optimizer steps on 270 examples)" }],
      ["text", 54, 32, { epochs: 40, reason: "40 epochs (≥ 250 optimizer steps on 54 examples, capped at 40)" }],
      // token: 2 epochs unless under 300 batches.
      ["token", 20000, 32, { epochs: 2, reason: "2 epochs" }],
      ["token", 300, 32, { epochs: 30, reason: "30 epochs (≥ 300 optimizer steps on 300 examples)" }],
      ["token", 100, 32, { epochs: 30, reason: "30 epochs (≥ 300 optimizer steps on 100 examples, capped at 30)" }],
    ];
    for (const [kind, n, batch, want] of rows) {
      const rule = kind === "image" ? EPOCH_RULES.image : kind === "text" ? EPOCH_RULES.text(6) : EPOCH_RULES.token;
      assert.deepEqual(epochsForData(n, batch, rule), want, `${kind} n=${n}`);
    }
    // The rule image-classification always had: min(50, max(6, ceil(500000 / n))).
    for (const n of [10, 1000, 9999, 50000, 83334, 1e6])
      assert.equal(epochsForData(n, 64, EPOCH_RULES.image).epochs, Math.min(50, Math.max(6, Math.ceil(500_000 / n))));
    // A model whose own count is above the ceiling keeps it (bert: 20 epochs).
    assert.equal(epochsForData(10000, 32, EPOCH_RULES.text(20)).epochs, 20);
    assert.equal(epochsForData(436, 32, EPOCH_RULES.text(20)).epochs, 20);
    assert.equal(epochsForData(10, 32, { epochs: 50, minSteps: 300, maxEpochs: 40 }).epochs, 50);
    assert.throws(
      () => epochsForData(0, 32, EPOCH_RULES.token),
      failsWith(/number of training examples must be a positive integer, got 0/),
    );
    assert.throws(() => epochsForData(10, 0, EPOCH_RULES.token), failsWith(/batchSize must be a positive integer, got 0/));
  });

  test("text-classification on a tiny file trains the rule's epochs and says why", async () => {
    const words = ["apple", "pear", "plum", "bus", "tram", "van"];
    const rows = Array.from(
      { length: 60 },
      (_, k) => `"text ${k}: a ${words[k % 6]} and a ${words[(k + 3) % 6]}",${k % 6 < 3 ? "fruit" : "car"}`,
    );
    const data = write("tiny.csv", `text,label\n${rows.join("\n")}\n`);
    const lines: string[] = [];
    const r = await textClassification.train({ data, out: join(dir, "m"), model: "bow-logistic", seed: 0, log: (s) => lines.push(s) });
    // 54 training rows after the 10% validation carve: 2 batches of 32 an epoch, so 125 epochs would reach 250 steps; capped at 40.
    assert.equal(r.history.epochs.length, 40);
    assert.ok(
      lines.some((l) => /40 epochs \(≥ 250 optimizer steps on 54 examples, capped at 40\)/.test(l)),
      lines.join("\n"),
    );
    const given = await textClassification.train({ data, out: join(dir, "m2"), model: "bow-logistic", seed: 0, epochs: 2 });
    assert.equal(given.history.epochs.length, 2);
  });
});
