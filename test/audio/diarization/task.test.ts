// The speaker-diarization task end to end on a folder of name.wav + name.rttm pairs whose
// "speakers" are harmonic tones (no synthesis, a two-epoch model): train, eval against the
// one-speaker baseline computed by hand, predict writing RTTM that reads back to its turns.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";

const A = fl.audio;
const SR = 16000;

// A "voice": a harmonic series with its own fundamental and spectral tilt, in syllable-like bursts.
function utterance(f0: number, tilt: number, seconds: number, rng: fl.data.Random): Float32Array {
  const n = Math.round(seconds * SR);
  const out = new Float32Array(n);
  const syll = 0.18 + 0.05 * rng.nextFloat();
  for (let i = 0; i < n; i++) {
    const t = i / SR;
    let s = 0;
    for (let h = 1; h <= 8; h++) s += Math.sin(2 * Math.PI * f0 * h * t) * tilt ** (h - 1);
    out[i] = 0.05 * s * (0.6 + 0.4 * Math.sin((Math.PI * t) / syll) ** 2);
  }
  return out;
}

test("speaker-diarization: train on a WAV+RTTM folder, eval beside the one-speaker baseline, predict RTTM", async () => {
  const dir = mkdtempSync(join(tmpdir(), "flambeau-diar-"));
  const voices: Record<string, [number, number]> = { ann: [110, 0.9], bob: [190, 0.5], cyd: [300, 0.75] };
  const rng = new fl.data.Random(4);
  for (let f = 0; f < 3; f++) {
    const names = f % 2 === 0 ? ["ann", "bob", "cyd"] : ["bob", "cyd"];
    const order = A.turnOrder(names.length, names.length + 2, rng);
    const clips = order.map((k) => ({ speaker: names[k]!, samples: utterance(...voices[names[k]!]!, 1 + 0.6 * rng.nextFloat(), rng) }));
    const c = A.mixConversation(clips, rng, { sampleRate: SR, overlapP: 0 });
    A.writeWav(join(dir, `rec${f}.wav`), [c.wave], SR);
    await A.writeRttm(join(dir, `rec${f}.rttm`), { [`rec${f}`]: c.turns });
  }
  const task = fl.tasks.getTask("speaker-diarization");
  const out = join(dir, "model");
  const r = await task.train({ data: dir, out, epochs: 2, batchSize: 8 });
  assert.equal(r.history.epochs.length, 2);
  const timeline = join(dir, "timeline.svg");
  const m = await task.evaluate(out, dir, { timeline });
  assert.equal(m.recordings, 3);
  assert.equal(m.collar, 0.25);
  // The baseline by hand: one speaker over the reference speech of every file (VAD on clean
  // tones finds the turns), scored with the same collar.
  const convs = A.readRttmFolder(dir, SR);
  const hand = A.pooledDer(
    convs.map((c) =>
      A.diarizationErrorRate(
        c.turns,
        c.turns.map((t) => ({ ...t, speaker: "one" })),
        { collar: 0.25 },
      ),
    ),
  );
  assert.ok(Math.abs((m.oneSpeakerBaselineDer as number) - hand.der) < 0.03, `${m.oneSpeakerBaselineDer} vs ${hand.der}`);
  for (const k of ["der", "derNoCollar", "countAccuracy"]) assert.ok(Number.isFinite(m[k] as number), k);
  const svg = readFileSync(timeline, "utf8");
  assert.ok(svg.startsWith("<svg") && svg.includes("rec0") && svg.includes("hypothesis"));
  const rttm = join(dir, "out.rttm");
  const preds = (await task.predict(out, [join(dir, "rec0.wav")], { rttm })) as {
    file: string;
    speakers: number;
    turns: { start: number; end: number; speaker: string }[];
  }[];
  assert.equal(preds.length, 1);
  const back = A.readRttm(rttm).get("rec0")!;
  assert.equal(back.length, preds[0]!.turns.length);
  back.forEach((t, i) => assert.ok(Math.abs(t.start - preds[0]!.turns[i]!.start) < 1e-3 && t.speaker === preds[0]!.turns[i]!.speaker));
  assert.ok(task.formatPrediction(preds[0]).includes("SPEAKER rec0 1 "));
  await assert.rejects(task.evaluate(out, join(dir, "missing")), /not a directory/);
});
