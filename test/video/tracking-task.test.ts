// object-tracking end to end at a tiny budget: train (detector + embedding) on generated clips,
// eval (MOTA / IDF1 / ID switches for the IoU baseline, SORT and DeepSORT, on detections and on
// the true boxes), predict on a video file (multi-object, and single-object from a box), and
// bad input refused with FlambeauError.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as fl from "flambeau";

const { video } = fl;
const dir = mkdtempSync(join(tmpdir(), "fl-track-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("object-tracking: train, eval and predict at a tiny budget", async () => {
  const task = fl.tasks.getTask("object-tracking");
  const out = join(dir, "model");
  await task.train({ data: "clips", out, count: 6, frames: 6, size: 32, epochs: 1, embedEpochs: 1, batchSize: 8, seed: 1 });
  const m = (await task.evaluate(out, "clips", { limit: 3 })) as Record<string, Record<string, Record<string, number>>>;
  for (const source of ["onDetections", "onGroundTruthBoxes"])
    for (const t of ["iou", "sort", "deepsort"]) {
      const r = m[source]![t]! as { mota: number; idf1: number; idsw: number };
      assert.ok(r.mota <= 1 && r.idf1 >= 0 && r.idf1 <= 1 && r.idsw >= 0, `${source} ${t}: ${JSON.stringify(r)}`);
    }
  // Tracking the true boxes: nothing is missed by the IoU baseline (every box is reported).
  assert.equal(m.onGroundTruthBoxes!.iou!.fn, 0);
  // The validation clips (the training generator, after the model's seed) choose settings such as
  // DeepSORT's appearance gate, which eval reports and passes on.
  const v = (await task.evaluate(out, "clips", { limit: 2, clips: "val", maxCosineDistance: 0.3 })) as Record<string, unknown>;
  assert.match(String(v.source), /^validation clips \(fashion, the training objects and photos, seed 1000004\)$/);
  assert.equal((v.trackers as { maxCosineDistance: number }).maxCosineDistance, 0.3);
  assert.equal((m.trackers as unknown as { maxCosineDistance: number }).maxCosineDistance, 0.2);
  await assert.rejects(task.evaluate(out, "clips", { limit: 1, maxCosineDistance: 3 }), /maxCosineDistance/);
  const set = await video.generateClips({ count: 1, size: 32, frames: 6, split: "test" });
  const file = join(dir, "clip.mp4");
  await video.writeVideo(file, { start: 0, shape: [6, 3, 32, 32], data: set.clips[0]!.frames }, { fps: 6 });
  const [p] = (await task.predict(out, [file])) as { frames: number; tracks: number; output: string }[];
  assert.equal(p!.frames, 6);
  assert.ok((await video.probeVideo(p!.output)).width >= 32);
  const b = set.clips[0]!.boxes[0]!.find((x) => x)!;
  const [q] = (await task.predict(out, [file], { box: b.join(",") })) as { frames: number; tracks: number; output: string }[];
  assert.equal(q!.tracks, 1);
  assert.match(q!.output, /-sot\.gif$/);
  assert.match(task.formatPrediction(q), /6 frames, 1 track/);
  // Bad input: data that is not clips, a box with negative size, a file with no frames.
  const isFl = (e: unknown) => e instanceof fl.FlambeauError;
  await assert.rejects(task.train({ data: "scenes", out: join(dir, "x"), seed: 0 }), isFl);
  await assert.rejects(task.predict(out, [file], { box: "1,1,-4,4" }), isFl);
  const empty = join(dir, "empty.mp4");
  writeFileSync(empty, "");
  await assert.rejects(task.predict(out, [empty]), isFl);
});
