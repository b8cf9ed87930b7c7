// video-classification: a tiny training run on generated clips lowers its loss, the saved
// model evaluates on held-out clips and predicts on a real video file (writing an annotated
// GIF), and the factorised network is what it claims (temporal taps only where asked).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as fl from "flambeau";

const { video } = fl;
const dir = mkdtempSync(join(tmpdir(), "fl-video-cls-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("the baseline sees frames alone: permuting time changes r2plus1d's output, not frame-cnn's", () => {
  fl.manualSeed(0);
  const x = fl.randn([2, 6, 3, 16, 16]);
  const rev = x.flip([1]);
  for (const temporal of [true, false]) {
    const m = new video.FactorisedVideoCNN({ numClasses: 4, width: 4, temporal });
    m.eval();
    const d = fl.noGrad(() => m.forward(x).sub(m.forward(rev)).abs().max().item()) as number;
    if (temporal) assert.ok(d > 1e-4, `r2plus1d is order-sensitive (${d})`);
    else assert.ok(d < 1e-5, `frame-cnn ignores frame order (${d})`);
    m.dispose();
  }
  assert.throws(
    () => new video.FactorisedVideoCNN({ numClasses: 4, temporal: true }).forward(fl.zeros([1, 3, 6, 16, 16])),
    /\[B, T, 3, H, W\]/,
  );
});

test("training on generated clips lowers the loss; eval and predict (with an annotated GIF) work", async () => {
  const task = fl.tasks.getTask("video-classification");
  const out = join(dir, "model");
  const r = await task.train({ data: "clips", out, count: 54, frames: 6, size: 16, width: 4, epochs: 3, batchSize: 9, lr: 0.01, seed: 1 });
  const losses = r.history.epochs.map((e) => e.loss!);
  assert.ok(losses.at(-1)! < losses[0]!, `loss ${losses.map((l) => l.toFixed(3)).join(" → ")}`);
  const m = await task.evaluate(out, "clips", { limit: 18 });
  assert.equal(m.clips, 18);
  assert.ok((m.accuracy as number) >= 0 && (m.accuracy as number) <= 1);
  // A clip written as a real mp4 file goes through ffmpeg on the way in.
  const set = await video.generateClips({ count: 1, size: 16, frames: 6, split: "test" });
  const file = join(dir, "clip.mp4");
  await video.writeVideo(file, { start: 0, shape: [6, 3, 16, 16], data: set.clips[0]!.frames }, { fps: 6 });
  const [p] = (await task.predict(out, [file], { gif: true })) as { label: string; probability: number; gif?: string }[];
  assert.ok(video.ACTIONS.includes(p!.label as fl.video.Action));
  assert.ok(p!.probability > 0 && p!.probability <= 1);
  const info = await video.probeVideo(p!.gif!);
  assert.equal(info.width, 16 * 12);
  assert.match(task.formatPrediction(p), /annotated clip/);
});

test("a video folder: a class per subfolder, each video sampled evenly to T frames", async () => {
  const root = join(dir, "folder");
  for (const c of ["dark", "light"]) mkdirSync(join(root, c), { recursive: true });
  // 40 frames whose gray level rises 6 per frame: 8 evenly spread frames climb through the range.
  const T = 40;
  const data = new Uint8Array(T * 3 * 16 * 16);
  for (let t = 0; t < T; t++) data.fill(10 + 6 * t, t * 768, (t + 1) * 768);
  await video.writeVideo(join(root, "light", "ramp.mp4"), { start: 0, shape: [T, 3, 16, 16], data }, { fps: 10 });
  await video.writeVideo(
    join(root, "dark", "short.mp4"),
    { start: 0, shape: [2, 3, 16, 16], data: data.subarray(0, 2 * 768) },
    { fps: 10 },
  );
  const f = video.readVideoFolder(root);
  assert.deepEqual(f.classes, ["dark", "light"]);
  assert.deepEqual(
    f.items.map((i) => [i.path.split("/").slice(-2).join("/"), i.label]),
    [
      ["dark/short.mp4", 0],
      ["light/ramp.mp4", 1],
    ],
  );
  const clip = await video.loadClip(join(root, "light", "ramp.mp4"), 8, 8);
  const means = Array.from({ length: 8 }, (_, t) => clip.subarray(t * 192, (t + 1) * 192).reduce((a, v) => a + v, 0) / 192);
  for (let t = 1; t < 8; t++) assert.ok(means[t]! > means[t - 1]!, `rising: ${means.map((m) => m.toFixed(0))}`);
  // Frame k of 8 over 4 s at 2 fps is about frame 5k of 40, gray 10 + 30k (within half a step: the fps filter picks the nearest frame).
  means.forEach((m, k) => assert.ok(Math.abs(m - (10 + 30 * k)) < 15, `frame ${k}: ${m.toFixed(1)} vs ${10 + 30 * k}`));
  const short = await video.loadClip(join(root, "dark", "short.mp4"), 4, 8);
  assert.deepEqual(short.subarray(3 * 192, 4 * 192), short.subarray(1 * 192, 2 * 192), "a short video repeats its last frame");
  assert.throws(() => video.readVideoFolder(join(root, "dark")), /subfolder per class/);
});

test("cnn-transformer: frame order matters (time positions), shape errors name the model, and it trains", async () => {
  fl.manualSeed(0);
  const m = new video.FrameTransformer({ numClasses: 5, width: 4, dModel: 16, heads: 2, layers: 1 });
  m.eval();
  const x = fl.randn([2, 6, 3, 20, 20]);
  const y = fl.noGrad(() => m.forward(x));
  assert.deepEqual(y.shape, [2, 5]);
  const d = fl.noGrad(() =>
    y
      .sub(m.forward(x.flip([1])))
      .abs()
      .max()
      .item(),
  ) as number;
  assert.ok(d > 1e-4, `order-sensitive (${d})`);
  assert.throws(() => m.forward(fl.zeros([1, 6, 1, 20, 20])), /FrameTransformer: input must be \[B, T, 3, H, W\]/);
  assert.throws(() => new video.FrameTransformer({ numClasses: 5, dModel: 30, heads: 4 }), /not divisible/);
  m.dispose();
  const task = fl.tasks.getTask("video-classification");
  const r = await task.train({
    data: "clips",
    model: "cnn-transformer",
    out: join(dir, "cnn-transformer"),
    count: 36,
    frames: 6,
    size: 16,
    width: 4,
    epochs: 2,
    batchSize: 9,
    seed: 2,
  });
  assert.equal(r.history.epochs.length, 2);
  assert.ok(Number.isFinite(r.history.epochs[1]!.loss));
});

test("jitterClips: one crop and colour change per clip, the same for all its frames, in [0, 255], seeded", async () => {
  const { jitterClips } = await import("../../src/video/tasks/video-classification.js");
  const { Random } = await import("../../src/data/random.js");
  fl.manualSeed(3);
  // Two clips whose 4 frames are identical: after jitter they must still be (motion untouched).
  const frame = fl.randint(0, 256, [2, 1, 3, 16, 16]).to("uint8");
  const x = fl.cat([frame, frame, frame, frame], 1);
  const a = fl.noGrad(() => jitterClips(x, new Random(7)));
  assert.deepEqual(a.shape, [2, 4, 3, 16, 16]);
  for (let t = 1; t < 4; t++) assert.ok((a.select(1, t).sub(a.select(1, 0)).abs().max().item() as number) < 1e-4, `frame ${t}`);
  assert.ok((a.min().item() as number) >= 0 && (a.max().item() as number) <= 255);
  assert.ok((a.sub(x.float()).abs().max().item() as number) > 1, "the clips changed");
  const b = fl.noGrad(() => jitterClips(x, new Random(7)));
  assert.equal(a.sub(b).abs().max().item(), 0);
});
