// The text-to-speech task end to end at a tiny budget on two synthetic voices: train (the
// acoustic model, then a few vocoder steps), eval reporting every system through both vocoders
// beside the baselines and a report page of audio elements, predict writing WAVs through the
// neural vocoder and through Griffin-Lim on request, and an unknown speaker named in the error.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";

const DATA = "tts-synth?speakers=2&sentences=6&test=1&val=1";

test("text-to-speech: train with a Vocos vocoder, eval every system through both vocoders, predict WAVs", async () => {
  const dir = mkdtempSync(join(tmpdir(), "flambeau-tts-task-"));
  const out = join(dir, "model");
  const task = fl.tasks.getTask("text-to-speech");
  const r = await task.train({ data: DATA, out, epochs: 1, batchSize: 4, vocoderSteps: 3 } as never);
  assert.ok(Number.isFinite(r.metrics.vocoderValMelL1), JSON.stringify(r.metrics));
  const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
  assert.equal(config.preprocessing.vocoder.hopLength, 160);
  const report = join(dir, "tts.html");
  const m = await task.evaluate(out, DATA, { report } as never);
  assert.equal(m.examples, 2);
  assert.equal(m.vocoder, "vocos");
  for (const k of [
    "mcd",
    "mcdModelGriffinLim",
    "mcdLookup",
    "mcdLookupVocoder",
    "mcdGroundTruthGriffinLim",
    "mcdGroundTruthVocoder",
    "mcdMel",
  ])
    assert.ok(Number.isFinite(m[k] as number) && (m[k] as number) >= 0, `${k} = ${m[k]}`);
  // Griffin-Lim of the true mel is the near-perfect upper bound at any budget.
  assert.ok((m.mcdGroundTruthGriffinLim as number) < (m.mcdLookup as number), JSON.stringify(m));
  const page = readFileSync(report, "utf8");
  assert.equal(page.match(/<audio controls src="data:audio\/wav;base64,/g)?.length, 2 * 7);
  assert.match(page, /ground-truth mel \+ Vocos/);
  const p = await task.load(out);
  try {
    const outDir = join(dir, "wav");
    const [neural] = (await p.predict(["turn left"], { outDir, speaker: "espeak-ng:en-us+m3" } as never)) as {
      file: string;
      seconds: number;
    }[];
    const [gl] = (await p.predict(["turn left"], { outDir: join(dir, "gl"), speaker: "1", griffinLim: true } as never)) as {
      file: string;
      seconds: number;
    }[];
    for (const w of [neural!, gl!]) {
      assert.ok(existsSync(w.file) && w.seconds > 0.1, JSON.stringify(w));
      const wav = fl.audio.readWav(w.file);
      assert.equal(wav.sampleRate, 16000);
    }
    await assert.rejects(
      p.predict(["go"], { outDir, speaker: "festival:kal" } as never),
      /unknown speaker "festival:kal"; this model speaks 0: /,
    );
  } finally {
    p.dispose();
  }
});
