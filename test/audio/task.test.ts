// audio-classification end to end on a tiny AudioFolder of tones: train → saved directory →
// eval → predict (including the sliding-window scan of a long recording), and its errors.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";

const A = fl.audio;
const task = A.AUDIO_TASKS["audio-classification"];
const root = mkdtempSync(join(tmpdir(), "flambeau-tones-"));
const tone = (hz: number, n: number, phase: number) =>
  fl
    .arange(0, n)
    .float()
    .div(8000)
    .mul(2 * Math.PI * hz)
    .add(phase)
    .sin()
    .mul(0.5)
    .unsqueeze(0);

test("audio-classification trains, evaluates and predicts on an AudioFolder", async () => {
  for (const [c, hz] of [
    ["low", 300],
    ["high", 2500],
  ] as const) {
    mkdirSync(join(root, c));
    for (let i = 0; i < 8; i++) A.writeWav(join(root, c, `${i}.wav`), tone(hz + 20 * i, 4000, i), 8000);
  }
  const out = join(root, "model");
  const r = await task.train({ data: root, out, model: "tc-resnet8", epochs: 4, batchSize: 8, seed: 0 });
  assert.ok(existsSync(join(out, "model.safetensors")) && existsSync(join(out, "config.json")));
  assert.equal(r.history.epochs.length, 4);
  // Trained on the folder alone: eval on it scores the 2 held-out clips unless asked for all 16.
  assert.equal((await task.evaluate(out, root)).examples, 2);
  const m = await task.evaluate(out, root, { includeTrainingData: true });
  assert.equal(m.examples, 16);
  assert.deepEqual(m.labels, ["high", "low"]);
  assert.ok((m.accuracy as number) >= 0 && (m.accuracy as number) <= 1);
  assert.equal(m.majorityBaseline, 0.5);
  // A long recording: low tone, silence, high tone — predict also scans it.
  const long = join(root, "long.wav");
  A.writeWav(long, fl.cat([tone(300, 8000, 0), fl.zeros([1, 4000]), tone(2500, 8000, 0)], 1), 8000);
  const [p1, p2] = (await task.predict(out, [join(root, "low", "0.wav"), long], { topK: 2 })) as {
    labels: { label: string; probability: number }[];
    detections?: unknown[];
  }[];
  assert.equal(p1!.labels.length, 2);
  assert.ok(Math.abs(p1!.labels[0]!.probability + p1!.labels[1]!.probability - 1) < 1e-4);
  assert.ok(Array.isArray(p2!.detections));
  assert.match(task.formatPrediction(p1!), /^(low|high) \d+\.\d%, (low|high) \d+\.\d%$/);
});

test("audio-classification rejects unknown models, foreign model dirs and non-wav predict inputs", async () => {
  const isErr = (re: RegExp) => (e: unknown) => e instanceof fl.FlambeauError && re.test(e.message);
  await assert.rejects(
    // The runtime checks --model before training (its throw is synchronous, hence the async wrapper).
    async () => task.train({ data: root, out: join(root, "x"), model: "nope", epochs: 1 }),
    isErr(/unknown model "nope" for audio-classification; models: kws-cnn, tc-resnet8/),
  );
  await assert.rejects(task.evaluate(join(root, "missing"), root), isErr(/is not a Flambeau model directory/));
  await assert.rejects(
    task.predict(join(root, "model"), [join(root, "model", "config.json")]),
    isErr(/config\.json: not a RIFF\/WAVE file/),
  );
});

test("spectrogram gallery: one PNG data URI per example, captions escaped", async () => {
  const feats = fl.randn([2, 1, 40, 101]);
  const html = await A.spectrogramGallery(feats, ["a <b>", "c & d"], "heading <x>");
  const imgs = html.match(/src="data:image\/png;base64,[A-Za-z0-9+/=]+"/g) ?? [];
  assert.equal(imgs.length, 2);
  assert.ok(html.includes("a &lt;b&gt;") && html.includes("c &amp; d") && html.includes("heading &lt;x&gt;"));
  assert.ok(!html.includes("<b>") && !html.includes("<script"));
  const png = await A.spectrogramPng(new Float32Array(40 * 101), 40, 101, 2);
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
});
