// `compress --quantize int8` on a keyword-spotting model (kws-cnn on a small AudioFolder of
// tones): the variant is statically quantized (calibrated on the training split), its
// convolutions run libtorch's quantized kernels at eval, its logits stay within tolerance of
// the float model's, and a copied weight map still gets them.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as fl from "flambeau";
import { checkInt8Variant } from "./compress-text-audio-check.js";

const root = mkdtempSync(join(tmpdir(), "fl-compress-audio-"));
after(() => rmSync(root, { recursive: true, force: true }));

function writeTones(dir: string): void {
  fl.manualSeed(7);
  for (const [k, word] of ["low", "mid", "high"].entries()) {
    mkdirSync(join(dir, word), { recursive: true });
    for (let i = 0; i < 10; i++) {
      const rate = 16000;
      const n = Math.round(rate * (0.3 + 0.05 * (i % 3)));
      const hz = 300 + 900 * k + 15 * i;
      const clip = fl
        .arange(0, n)
        .float()
        .mul((2 * Math.PI * hz) / rate)
        .sin()
        .mul(0.4)
        .add(fl.randn([n]).mul(0.05));
      fl.audio.writeWav(join(dir, word, `${i}.wav`), clip.unsqueeze(0), rate);
    }
  }
}

test("audio-classification: an int8 kws-cnn variant runs quantized conv kernels at eval, close to float", async () => {
  const data = join(root, "tones");
  writeTones(data);
  const task = fl.tasks.getTask("audio-classification");
  const base = join(root, "base");
  await task.train({ data, out: base, model: "kws-cnn", epochs: 2, batchSize: 8, seed: 0, log: () => {} } as Parameters<
    typeof task.train
  >[0]);
  const r = await checkInt8Variant(task, base, data, data, join(root, "cmp"));
  assert.equal(r.plan.kernels, "static");
  assert.ok(r.maxError <= 0.1 * Math.max(1, r.span), `int8 logits within 10 % of the float range (error ${r.maxError}, range ${r.span})`);
});
