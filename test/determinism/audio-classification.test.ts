// audio-classification with --seed --deterministic on a small AudioFolder (noisy tones of
// varied lengths at two sample rates): reruns are bit-identical (issue 25's keyword-spotting
// report), and another seed trains other weights.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as fl from "flambeau";
import { assertReproducible } from "./reruns.js";

const root = mkdtempSync(join(tmpdir(), "fl-det-tones-"));
after(() => rmSync(root, { recursive: true, force: true }));

function writeTones(): void {
  fl.manualSeed(7);
  for (const [k, word] of ["low", "mid", "high"].entries()) {
    mkdirSync(join(root, word));
    for (let i = 0; i < 8; i++) {
      const rate = i % 4 ? 16000 : 11025;
      const n = Math.round(rate * (0.15 + 0.05 * (i % 3)));
      const hz = 300 + 900 * k + 15 * i;
      const clip = fl
        .arange(0, n)
        .float()
        .mul((2 * Math.PI * hz) / rate)
        .sin()
        .mul(0.4)
        .add(fl.randn([n]).mul(0.05));
      fl.audio.writeWav(join(root, word, `${i}.wav`), clip.unsqueeze(0), rate);
    }
  }
}

test("audio-classification: --seed 1 --deterministic twice saves identical weights and metrics", async () => {
  writeTones();
  await assertReproducible("audio-classification", { data: root, model: "tc-resnet8", epochs: 1, batchSize: 8 });
});
