// video-super-resolution: the window network is bicubic before training (zero tail) and reads
// the middle frame as its base; upscaleFrames streams a video frame by frame with the ends
// repeated and matches the network run on each window; a tiny training run on a folder of
// videos evaluates and predicts (an MP4 at ×2); bad folders and models are named errors.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as fl from "flambeau";

const { video } = fl;
const dir = mkdtempSync(join(tmpdir(), "fl-vsr-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("WindowSR: untrained it is bicubic upscaling of the middle frame; shapes and windows are checked", () => {
  fl.manualSeed(0);
  const m = new video.WindowSR({ scale: 2, window: 3, width: 8, blocks: 1 });
  const x = fl.rand([2, 3, 3, 12, 10]);
  const y = fl.noGrad(() => m.forward(x));
  assert.deepEqual(y.shape, [2, 3, 24, 20]);
  const bicubic = fl.vision.transforms.upsampleBicubic(x.select(1, 1), 2);
  assert.ok((fl.noGrad(() => y.sub(bicubic).abs().max().item()) as number) < 1e-6);
  assert.throws(() => m.forward(fl.rand([1, 5, 3, 12, 10])), /WindowSR: input must be \[B, 3, 3, h, w\]/);
  assert.throws(() => new video.WindowSR({ scale: 2, window: 2 }), /odd integer/);
  m.dispose();
});

test("motion compensation: an untrained flow leaves the window as it is; a flow of one pixel warps each neighbour back by one pixel", () => {
  fl.manualSeed(0);
  const m = new video.WindowSR({ scale: 2, window: 3, width: 8, blocks: 1, motion: true });
  const x = fl.rand([2, 3, 3, 12, 16]);
  assert.ok((fl.noGrad(() => m.align(x).sub(x).abs().max().item()) as number) < 1e-5);
  // The flow head's bias in units of 4 px: 0.25 on u is a flow of +1 px everywhere, read at x + 1.
  fl.noGrad(() => m.flow!.head.bias!.copy_(fl.tensor([0.25, 0])));
  const a = fl.noGrad(() => m.align(x));
  const inner = (t: fl.Tensor) => t.narrow(3, 0, 15);
  assert.ok(
    (fl.noGrad(() =>
      inner(a.select(1, 0))
        .sub(x.select(1, 0).narrow(3, 1, 15))
        .abs()
        .max()
        .item(),
    ) as number) < 1e-5,
  );
  assert.ok((fl.noGrad(() => a.select(1, 1).sub(x.select(1, 1)).abs().max().item()) as number) === 0, "the middle frame is not warped");
  assert.deepEqual(fl.noGrad(() => m.forward(x)).shape, [2, 3, 24, 32]);
  assert.equal(new video.WindowSR({ scale: 2, window: 1, motion: true }).flow, null);
  m.dispose();
});

test("pannedWindow: frames are whole-pixel shifts of one photo; a moving cut-out changes only its own pixels", () => {
  fl.manualSeed(0);
  const photo = fl.rand([3, 90, 100]).mul(255).to("uint8");
  const rng = new fl.data.Random(3);
  const k = 3;
  const patch = 32;
  /** The shift (dy, dx) with frame b = frame a moved by it on their overlap, or null. */
  const shiftOf = (a: fl.Tensor, b: fl.Tensor): [number, number] | null => {
    for (let dy = -4; dy <= 4; dy++)
      for (let dx = -4; dx <= 4; dx++) {
        const m = patch - 4;
        const pa = a.narrow(1, 4 + dy, m - 4).narrow(2, 4 + dx, m - 4);
        const pb = b.narrow(1, 4, m - 4).narrow(2, 4, m - 4);
        if (pa.ne(pb).sum().item() === 0) return [dy, dx];
      }
    return null;
  };
  for (let trial = 0; trial < 4; trial++) {
    const w = video.pannedWindow(photo, k, rng, { patch, panSpeed: 4 });
    assert.deepEqual(w.shape, [k, 3, patch, patch]);
    const back = shiftOf(w.select(0, 1), w.select(0, 0));
    const ahead = shiftOf(w.select(0, 1), w.select(0, 2));
    assert.ok(back && ahead, "each neighbour is a shifted copy of the middle frame");
    assert.deepEqual(
      back.map((v) => 0 - v),
      ahead,
      "a constant velocity: the two shifts are opposite",
    );
  }
  // With the cut-out, the pan is drawn first from the same stream: the frames differ from the pure pan only inside the cut-out.
  const still = video.pannedWindow(photo, k, new fl.data.Random(5), { patch, panSpeed: 0 });
  const crossed = video.pannedWindow(photo, k, new fl.data.Random(5), { patch, panSpeed: 0, objectSpeed: 8 });
  for (let i = 0; i < k; i++) {
    const changed = crossed.select(0, i).ne(still.select(0, i)).any(0).float().sum().item() as number;
    assert.ok(changed > 0 && changed <= 32 * 32, `frame ${i}: ${changed} pixels changed`);
  }
  assert.throws(
    () => video.pannedWindow(photo, 7, rng, { patch: 80, panSpeed: 4 }),
    /pannedWindow: a 90×100 photo is too small for 7 frames of 80 px/,
  );
});

async function* chunksOf(frames: Uint8Array, t: number, h: number, w: number, size: number): AsyncGenerator<fl.video.VideoChunk> {
  const per = 3 * h * w;
  for (let s = 0; s < t; s += size) {
    const n = Math.min(size, t - s);
    yield { start: s, shape: [n, 3, h, w], data: frames.slice(s * per, (s + n) * per) };
  }
}

test("upscaleFrames streams every frame once, from its window with the first and last frames repeated", async () => {
  fl.manualSeed(1);
  const m = new video.WindowSR({ scale: 2, window: 3, width: 8, blocks: 1 });
  // A trained-looking net: random tail weights so the neighbours matter.
  for (const p of m.parameters()) fl.noGrad(() => p.copy_(fl.randn(p.shape).mul(0.05)));
  m.eval();
  const [T, h, w] = [5, 8, 8];
  const raw = new Uint8Array(T * 3 * h * w).map((_, i) => (i * 37) % 251);
  const out: fl.video.VideoChunk[] = [];
  for await (const c of video.upscaleFrames(m, chunksOf(raw, T, h, w, 2))) out.push(c);
  assert.deepEqual(
    out.map((c) => [c.start, ...c.shape]),
    Array.from({ length: T }, (_, t) => [t, 1, 3, 16, 16]),
  );
  const frames = fl
    .tensor(raw, { shape: [T, 3, h, w] })
    .float()
    .div(255);
  for (const [t, idx] of [
    [0, [0, 0, 1]],
    [2, [1, 2, 3]],
    [4, [3, 4, 4]],
  ] as const) {
    const want = fl.noGrad(() =>
      m
        .forward(fl.stack(idx.map((i) => frames.select(0, i))).unsqueeze(0))
        .clamp(0, 1)
        .mul(255)
        .round()
        .to("uint8"),
    );
    assert.deepEqual([...out[t]!.data], [...(want.data() as Uint8Array)], `frame ${t}`);
  }
  m.dispose();
});

test("train on a folder of videos, evaluate against bicubic, predict an upscaled MP4; bad data is a named error", async () => {
  const root = join(dir, "videos");
  for (const [split, seed] of [
    ["train", 1],
    ["test", 2],
  ] as const) {
    mkdirSync(join(root, split), { recursive: true });
    const set = await video.generateClips({ count: 1, size: 64, frames: 10, seed });
    await video.writeVideo(join(root, split, "clip.mp4"), { start: 0, shape: [10, 3, 64, 64], data: set.clips[0]!.frames }, { fps: 10 });
  }
  const task = fl.tasks.getTask("video-super-resolution");
  const out = join(dir, "model");
  const r = await task.train({ data: root, out, model: "window-x2", epochs: 1, limit: 8, batchSize: 4, seed: 0 });
  const m = r.metrics as Record<string, number>;
  assert.equal(m.frames, 1);
  for (const k of ["psnrY", "bicubicPsnrY"]) assert.ok(m[k]! > 10 && m[k]! < 80, `${k} ${m[k]}`);
  assert.ok(m.movingShare! > 0 && m.movingShare! < 1, `the clip's object moves: ${m.movingShare}`);
  assert.ok(Number.isFinite(m.movingPsnrY) && Number.isFinite(m.bicubicMovingPsnrY));
  const e = await task.evaluate(out, root, {});
  assert.equal(e.psnrY, m.psnrY);
  // The blur degradation and a wider window are the model's: saved with it and used again by eval.
  const bd = join(dir, "model-bd");
  const rb = await task.train({
    data: root,
    out: bd,
    model: "window-x2",
    epochs: 1,
    limit: 4,
    batchSize: 4,
    seed: 0,
    degradation: "blur",
    frames: 5,
  });
  const hyper = fl.train.readModelConfig<{ window: number; blur: number }>(bd).hyper;
  assert.deepEqual([hyper.window, hyper.blur], [5, 0.8]);
  assert.notEqual((rb.metrics as Record<string, number>).bicubicPsnrY, m.bicubicPsnrY, "another degradation, another baseline");
  assert.equal((await task.evaluate(bd, root, {})).psnrY, (rb.metrics as Record<string, number>).psnrY);
  const [p] = (await task.predict(out, [join(root, "test", "clip.mp4")], {})) as { output: string; frames: number }[];
  const info = await video.probeVideo(p!.output);
  assert.deepEqual([info.width, info.height, p!.frames], [128, 128, 10]);
  mkdirSync(join(dir, "no-test", "train"), { recursive: true });
  await assert.rejects(task.train({ data: join(dir, "no-test"), out }), /needs a train\/ subfolder holding videos/);
  await assert.rejects(task.train({ data: root, out, model: "window-x3" }), /unknown model "window-x3"/);
});
