// Video I/O through ffmpeg: frames decoded from opencv-doc's real footage agree bit for bit
// with OpenCV's own decoder, encode → decode round trips stay within codec error, damaged
// and missing inputs are clear errors, writes are atomic, and a 10-minute video streams
// through in bounded memory.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as fl from "flambeau";

const { video } = fl;
const VTEST = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
const PY = "/usr/bin/python3";
const hasCv2 = spawnSync(PY, ["-c", "import cv2"]).status === 0;
const dir = mkdtempSync(join(tmpdir(), "fl-video-io-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const rejectsWith = (p: Promise<unknown>, code: string, re: RegExp) =>
  assert.rejects(p, (e: unknown) => e instanceof fl.FlambeauError && e.code === code && re.test(e.message));

async function collect(path: string, o: Parameters<typeof video.readVideoFrames>[1] = {}) {
  const out: fl.video.VideoChunk[] = [];
  for await (const c of video.readVideoFrames(path, o)) out.push(c);
  return out;
}

/** A smooth test clip: gradients and a moving square (codecs keep such content close). */
function clip(t: number, h: number, w: number): Uint8Array {
  const d = new Uint8Array(t * 3 * h * w);
  for (let f = 0; f < t; f++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const inSq = x >= 4 + 2 * f && x < 16 + 2 * f && y >= 8 && y < 20;
        const o = f * 3 * h * w + y * w + x;
        d[o] = inSq ? 230 : Math.round((255 * x) / w);
        d[o + h * w] = inSq ? 40 : Math.round((255 * y) / h);
        d[o + 2 * h * w] = inSq ? 40 : 128;
      }
  return d;
}

test("probeVideo reads vtest.avi's header", { skip: existsSync(VTEST) ? false : "needs opencv-doc" }, async () => {
  const info = await video.probeVideo(VTEST);
  assert.deepEqual(info, { width: 768, height: 576, fps: 10, frames: 795, duration: 79.5, codec: "msmpeg4v3" });
});

test("decoded vtest.avi frames equal OpenCV's decode byte for byte", {
  skip: existsSync(VTEST) && hasCv2 ? false : "needs opencv-doc and python3-opencv",
}, async () => {
  const chunks = await collect(VTEST, { chunk: 2, maxFrames: 3 });
  assert.deepEqual(
    chunks.map((c) => [c.start, ...c.shape]),
    [
      [0, 2, 3, 576, 768],
      [2, 1, 3, 576, 768],
    ],
  );
  const ours: string[] = [];
  for (const c of chunks) {
    const per = 3 * 576 * 768;
    for (let i = 0; i < c.shape[0]; i++)
      ours.push(
        createHash("md5")
          .update(c.data.subarray(i * per, (i + 1) * per))
          .digest("hex"),
      );
  }
  // OpenCV's VideoCapture gives BGR [H, W, 3]; the same frame channel-first RGB is hashed.
  const ref = execFileSync(PY, [
    "-c",
    `import cv2, hashlib, numpy as np
cap = cv2.VideoCapture(${JSON.stringify(VTEST)})
for i in range(3):
    ok, f = cap.read()
    print(hashlib.md5(np.ascontiguousarray(f[:, :, ::-1].transpose(2, 0, 1)).tobytes()).hexdigest())`,
  ])
    .toString()
    .trim()
    .split("\n");
  assert.deepEqual(ours, ref);
});

test("resize and frame-rate options, and a chunk as a tensor", { skip: existsSync(VTEST) ? false : "needs opencv-doc" }, async () => {
  const chunks = await collect(VTEST, { chunk: 4, maxFrames: 4, size: [48, 64], fps: 5 });
  assert.deepEqual(chunks[0]!.shape, [4, 3, 48, 64]);
  const t = video.chunkTensor(chunks[0]!);
  assert.equal(t.dtype, "uint8");
  assert.deepEqual(t.shape, [4, 3, 48, 64]);
  t.dispose();
});

for (const [ext, bound] of [
  ["mp4", 4],
  ["webm", 6],
  ["gif", 14],
] as const) {
  test(`${ext}: write then read back within codec error (mean |Δ| < ${bound})`, async () => {
    const [t, h, w] = [6, 32, 48];
    const data = clip(t, h, w);
    const path = join(dir, `rt.${ext}`);
    const frames = fl.tensor(data, { shape: [t, 3, h, w] });
    assert.deepEqual(await video.writeVideo(path, frames, { fps: 8 }), { frames: t });
    frames.dispose();
    const info = await video.probeVideo(path);
    assert.equal(info.width, w);
    assert.equal(info.height, h);
    const back = await collect(path, { chunk: 100 });
    assert.equal(back.length, 1);
    assert.deepEqual(back[0]!.shape, [t, 3, h, w]);
    let err = 0;
    for (let i = 0; i < data.length; i++) err += Math.abs(back[0]!.data[i]! - data[i]!);
    assert.ok(err / data.length < bound, `mean abs error ${(err / data.length).toFixed(2)}`);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes(".tmp-")),
      [],
      "no temporary file left",
    );
  });
}

test("writeVideo streams an async sequence of chunks and upscales", async () => {
  async function* gen() {
    for (let k = 0; k < 3; k++) yield { start: 2 * k, shape: [2, 3, 16, 16] as [number, number, number, number], data: clip(2, 16, 16) };
  }
  const path = join(dir, "stream.mp4");
  assert.deepEqual(await video.writeVideo(path, gen(), { fps: 10, scale: 2 }), { frames: 6 });
  const info = await video.probeVideo(path);
  assert.deepEqual([info.width, info.height, info.frames], [32, 32, 6]);
});

test("truncated and random files are clear errors", async () => {
  const good = join(dir, "good.mp4");
  // Noisy frames: each one is several kB, so the cut falls between frames, not inside the first.
  let r = 7;
  const noisy = Uint8Array.from({ length: 40 * 3 * 32 * 48 }, () => (r = (r * 1103515245 + 12345) >>> 0) >>> 24);
  await video.writeVideo(good, fl.tensor(noisy, { shape: [40, 3, 32, 48] }), { fps: 10 });
  const bytes = readFileSync(good);
  // faststart puts the index first: the cut-off file opens and fails mid-stream.
  const cut = join(dir, "cut.mp4");
  writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.5)));
  await rejectsWith(collect(cut), "E_FORMAT", /truncated or corrupt/);
  const kept = await collect(cut, { tolerateErrors: true });
  assert.ok(kept.length > 0 && kept[0]!.shape[0] > 0 && kept[0]!.shape[0] < 40, "the readable frames are kept on request");
  const random = join(dir, "random.mp4");
  let s = 12345;
  writeFileSync(
    random,
    Uint8Array.from({ length: 4096 }, () => (s = (s * 1103515245 + 12345) >>> 0) >>> 24),
  );
  await rejectsWith(video.probeVideo(random), "E_FORMAT", /truncated, corrupt or not a video/);
  await rejectsWith(collect(random), "E_FORMAT", /truncated, corrupt or not a video/);
  await rejectsWith(collect(join(dir, "nope.mp4")), "E_IO", /no such file/);
  writeFileSync(join(dir, "empty.avi"), "");
  await rejectsWith(collect(join(dir, "empty.avi")), "E_FORMAT", /empty/);
});

test("a missing ffmpeg says how to install it", async () => {
  const saved = { ...video.FFMPEG_TOOLS };
  Object.assign(video.FFMPEG_TOOLS, { ffmpeg: "/nonexistent/ffmpeg", ffprobe: "/nonexistent/ffprobe" });
  try {
    await rejectsWith(video.probeVideo(VTEST), "E_IO", /apt-get install ffmpeg/);
    await rejectsWith(
      video.writeVideo(join(dir, "x.mp4"), fl.zeros([1, 3, 8, 8], { dtype: "uint8" }), { fps: 1 }),
      "E_IO",
      /apt-get install ffmpeg/,
    );
    assert.ok(!existsSync(join(dir, "x.mp4")));
  } finally {
    Object.assign(video.FFMPEG_TOOLS, saved);
  }
});

test("wrong frames are refused, and a failed write leaves the old file", async () => {
  const path = join(dir, "keep.mp4");
  writeFileSync(path, "old");
  await rejectsWith(video.writeVideo(path, fl.zeros([2, 3, 8, 8]), { fps: 5 }), "E_DTYPE", /uint8/);
  await rejectsWith(video.writeVideo(path, fl.zeros([2, 4, 8, 8], { dtype: "uint8" }), { fps: 5 }), "E_SHAPE", /C = 1 or 3/);
  await rejectsWith(
    video.writeVideo(path, [fl.zeros([1, 3, 8, 8], { dtype: "uint8" }), fl.zeros([1, 3, 8, 10], { dtype: "uint8" })], { fps: 5 }),
    "E_SHAPE",
    /every chunk/,
  );
  await rejectsWith(video.writeVideo(join(dir, "a.mkv"), fl.zeros([1, 3, 8, 8], { dtype: "uint8" }), { fps: 5 }), "E_ARG", /extension/);
  await rejectsWith(video.writeVideo(path, fl.zeros([1, 3, 8, 8], { dtype: "uint8" }), { fps: 0 }), "E_ARG", /fps/);
  assert.equal(readFileSync(path, "utf8"), "old");
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes(".tmp-")),
    [],
  );
});

test("a 10-minute video streams through in bounded memory, a slow consumer included", async () => {
  const long = join(dir, "long.mp4");
  execFileSync(
    "ffmpeg",
    ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-t", "600"].concat([
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-pix_fmt",
      "yuv420p",
      long,
    ]),
  );
  const info = await video.probeVideo(long);
  assert.equal(info.duration, 600);
  const rss0 = process.memoryUsage.rss();
  let peak = rss0;
  let frames = 0;
  let sum = 0;
  for await (const c of video.readVideoFrames(long, { chunk: 100 })) {
    frames += c.shape[0];
    for (let i = 0; i < c.data.length; i += 997) sum += c.data[i]!;
    // Stall on the first chunk: without backpressure ffmpeg would fill memory meanwhile.
    if (c.start === 0) await new Promise((r) => setTimeout(r, 400));
    peak = Math.max(peak, process.memoryUsage.rss());
  }
  assert.equal(frames, 6000);
  assert.ok(sum > 0);
  const grew = (peak - rss0) / 2 ** 20;
  // 55 MB of frames pass through; what stays is a chunk (2.8 MB), the pipe, and garbage not yet collected.
  assert.ok(grew < 40, `RSS grew ${grew.toFixed(1)} MB`);
});

test("leaving the loop early stops ffmpeg", { skip: existsSync(VTEST) ? false : "needs opencv-doc" }, async () => {
  let n = 0;
  for await (const c of video.readVideoFrames(VTEST, { chunk: 2 })) {
    n += c.shape[0];
    break;
  }
  assert.equal(n, 2);
});
