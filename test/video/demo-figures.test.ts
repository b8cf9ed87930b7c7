// The demo's clip figures: panels side by side, a GIF data URI, or a strip of frames when the
// GIF is missing or too big; and the depth figures' colours on the truth's range.
import assert from "node:assert/strict";
import { test } from "node:test";
import { magma } from "../../src/tasks/colour-map.js";
import { clipFigureHtml, evenFrames, STRIP_FRAMES, sideBySide } from "../../src/video/demo-figures.js";
import { depthFigureRow, depthOfDisparity } from "../../src/vision/depth/figures.js";
import { sceneFiguresHtml } from "../../src/vision/scenes/demo-html.js";

test("sideBySide: each frame's panels left to right, a white gap between them", () => {
  // Two panels, T = 2 frames of 3 channels × 1 × 2 px; panel p's value at (f, c, x) is 100p + 10f + 2c + x.
  const panel = (p: number) => Uint8Array.from({ length: 2 * 3 * 2 }, (_, i) => 100 * p + 10 * Math.floor(i / 6) + (i % 6));
  const out = sideBySide([panel(0), panel(1)], 2, 1, 2, 1);
  assert.equal(out.length, 2 * 3 * 1 * 5);
  // Frame 1, channel 2 (row of 5: a0 a1 gap b0 b1).
  assert.deepEqual([...out.subarray((1 * 3 + 2) * 5, (1 * 3 + 2) * 5 + 5)], [14, 15, 255, 114, 115]);
  assert.deepEqual([...out.subarray(0, 5)], [0, 1, 255, 100, 101]);
  assert.throws(() => sideBySide([panel(0), new Uint8Array(3)], 2, 1, 2), /panel 1 has 3 values/);
});

test("evenFrames spreads the strip's frames over the clip, first and last included", () => {
  assert.deepEqual(evenFrames(12, 6), [0, 2, 4, 7, 9, 11]);
  assert.deepEqual(evenFrames(4, 6), [0, 1, 2, 3]);
});

test("clipFigureHtml: the GIF inline when small enough, else a strip of PNG frames; the caption escaped", async () => {
  const t = 8;
  const [h, w] = [4, 6];
  const frames = Uint8Array.from({ length: t * 3 * h * w }, (_, i) => i % 251);
  const gif = Uint8Array.from([71, 73, 70, 56, 57, 97]);
  const base = { frames, t, height: h, width: w, caption: "ids <1> & 2" };
  const withGif = await clipFigureHtml({ ...base, gif, maxGifBytes: 100 });
  assert.equal((withGif.match(/<img /g) ?? []).length, 1);
  assert.match(withGif, /src="data:image\/gif;base64,R0lGODlh"/);
  assert.match(withGif, /ids &lt;1&gt; &amp; 2/);
  for (const html of [
    await clipFigureHtml({ ...base, gif, maxGifBytes: 5 }),
    await clipFigureHtml({ ...base, gif: null, maxGifBytes: 100 }),
  ]) {
    assert.equal((html.match(/src="data:image\/png;base64,/g) ?? []).length, STRIP_FRAMES);
    assert.match(html, /frame 1<.*frame 8</);
    assert.doesNotMatch(html, /image\/gif|<script/);
  }
});

test("sceneFiguresHtml draws non-square images at their own height and width", async () => {
  const img = new Uint8Array(3 * 2 * 5).fill(128);
  const html = await sceneFiguresHtml("t", [[{ image: img, caption: "wide" }]], { height: 2, width: 5 });
  assert.match(html, /width="10" height="4"/);
  const png = Buffer.from(/base64,([^"]+)"/.exec(html)![1]!, "base64");
  // PNG IHDR: width then height, big-endian, at bytes 16 and 20.
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [5, 2]);
});

test("depth figures: depth from disparity is f·B/d (none where d ≤ 0); every map on the truth's range, near brightest", () => {
  assert.deepEqual([...depthOfDisparity([8, 0, -1, 4], 28)], [3.5, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 7]);
  const [h, w] = [2, 3];
  const truth = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const left = new Uint8Array(3 * h * w).fill(7);
  // A prediction nearer than the truth's nearest clamps to the brightest colour; an unknown depth is black.
  const pred = Float32Array.from([0.5, 2, 3, 4, 5, Number.POSITIVE_INFINITY]);
  const row = depthFigureRow(left, truth, [{ depth: pred, caption: "model" }], h, w);
  assert.deepEqual(
    row.map((c) => c.caption),
    ["left view", "true depth", "model"],
  );
  assert.equal(row[0]!.image, left);
  const rgb = (img: Uint8Array, i: number) => [img[i]!, img[h * w + i]!, img[2 * h * w + i]!];
  const [near, far] = [magma(1).map(Math.round), magma(0).map(Math.round)];
  assert.deepEqual(rgb(row[1]!.image, 0), near);
  assert.deepEqual(rgb(row[1]!.image, 5), far);
  assert.deepEqual(rgb(row[2]!.image, 0), near);
  assert.deepEqual(rgb(row[2]!.image, 3), rgb(row[1]!.image, 3), "equal depths, equal colours");
  assert.deepEqual(rgb(row[2]!.image, 5), [0, 0, 0]);
});
