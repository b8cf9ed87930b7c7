// Moving MNIST: Srivastava's bounce walk on scripted draws, determinism of (seed, index),
// the pixel-wise maximum of overlapping digits, and disjoint train/test digits.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Random } from "../../src/data/random.js";
import { Random as Rng } from "../../src/data/random.js";
import { bounceTrajectory, DIGIT_BOX, MovingMnist, mnistFormat, movingMnist } from "../../src/video/data/moving-mnist.js";
import type { ObjectBank } from "../../src/vision/scenes/objects.js";

/** A stand-in generator that returns the given uniform draws in order. */
const scripted = (draws: number[]): Random => ({ nextFloat: () => draws.shift()! }) as unknown as Random;

test("a digit moves 0.1 of the free span per frame and bounces off the border (hand values)", () => {
  // Start (y, x) = (0.95, 0.55), direction 0 (rightwards): x = 0.65 … 0.95, 1.05 → 1, then back.
  const p = bounceTrajectory(scripted([0.95, 0.55, 0]), 8, 36, 0.1);
  assert.deepEqual(p.x, [23, 27, 30, 34, 36, 32, 28, 25]);
  assert.deepEqual(p.y, [34, 34, 34, 34, 34, 34, 34, 34]);
  // Direction π/2 (draw 0.25): downwards from y = 0.85, bouncing off the bottom at frame 2.
  const q = bounceTrajectory(scripted([0.85, 0.2, 0.25]), 4, 36, 0.1);
  assert.deepEqual(q.y, [34, 36, 32, 28]);
  assert.deepEqual(q.x, [7, 7, 7, 7]);
});

test("trajectories stay inside the frame at Srivastava's speed", () => {
  for (let s = 0; s < 20; s++) {
    const p = bounceTrajectory(new Rng(s), 20, 36, 0.1);
    for (let t = 0; t < 20; t++) {
      assert.ok(p.x[t]! >= 0 && p.x[t]! <= 36 && p.y[t]! >= 0 && p.y[t]! <= 36, `seed ${s} frame ${t} out of the frame`);
      if (t > 0) assert.ok(Math.hypot(p.x[t]! - p.x[t - 1]!, p.y[t]! - p.y[t - 1]!) <= 3.6 + 2, `seed ${s}: jump at frame ${t}`);
    }
  }
});

test("overlapping digits combine by the pixel-wise maximum, frames are reproducible from (seed, index)", () => {
  // One all-white 28 px item: every frame is the union of two squares, with values exactly 0 or 1.
  const bank: ObjectBank = {
    source: "digits",
    classes: ["x"],
    side: DIGIT_BOX,
    count: 1,
    pixels: new Uint8Array(DIGIT_BOX * DIGIT_BOX).fill(255),
    labels: new Int32Array(1),
    mask: () => new Uint8Array(DIGIT_BOX * DIGIT_BOX).fill(1),
  };
  const mm = new MovingMnist(bank, 7, { frames: 6 });
  for (let i = 0; i < 5; i++) {
    const d = mm.sequenceData(i);
    // The same draws as the generator: per digit, the item, then its trajectory.
    const rng = new Rng(7, i);
    const paths = [0, 1].map(() => {
      rng.int(1);
      return bounceTrajectory(rng, 6, 64 - DIGIT_BOX, 0.1);
    });
    for (let t = 0; t < 6; t++) {
      let union = 0;
      for (let y = 0; y < 64; y++)
        for (let x = 0; x < 64; x++) {
          const inside = paths.some((p) => y >= p.y[t]! && y < p.y[t]! + DIGIT_BOX && x >= p.x[t]! && x < p.x[t]! + DIGIT_BOX);
          union += inside ? 1 : 0;
          assert.equal(d[t * 4096 + y * 64 + x], inside ? 1 : 0, `sequence ${i} frame ${t} pixel (${y}, ${x})`);
        }
      assert.ok(union >= 784 && union <= 1568);
    }
  }
  assert.deepEqual(mm.sequenceData(3), new MovingMnist(bank, 7, { frames: 6 }).sequenceData(3));
  assert.throws(() => mm.sequenceData(-1), /index must be a non-negative integer/);
  assert.throws(() => new MovingMnist(bank, 7, { size: 20 }), /size must be an integer/);
});

test("opencv-doc digits: seeded batches, disjoint train and test digits", async () => {
  const train = await movingMnist("train", 1, { frames: 4 });
  const test2 = await movingMnist("test", 1, { frames: 4 });
  assert.ok(train.bank.count > 3000 && test2.bank.count > 700 && train.bank.count + test2.bank.count <= 5000);
  const a = train.batch(10, 2);
  assert.deepEqual([...a.shape], [2, 4, 1, 64, 64]);
  assert.deepEqual(a.data(), train.batch(10, 2).data());
  assert.notDeepEqual(a.data(), test2.batch(10, 2).data());
  const max = a.max().item() as number;
  assert.ok(max > 0.9 && max <= 1 && (a.min().item() as number) === 0);
  // Disjoint items: no 20 px test digit appears among the training digits.
  const area = train.bank.side ** 2;
  const seen = new Set<string>();
  for (let i = 0; i < train.bank.count; i++) seen.add(Buffer.from(train.bank.pixels.subarray(i * area, (i + 1) * area)).toString("base64"));
  for (let i = 0; i < test2.bank.count; i++)
    assert.ok(
      !seen.has(Buffer.from(test2.bank.pixels.subarray(i * area, (i + 1) * area)).toString("base64")),
      `test digit ${i} is a training digit`,
    );
});

test("digits are brought to MNIST's format: the bounding box scaled to 20 px, centred in 28 px", () => {
  // A 4 × 2 block in a 20 px cell → scale 5 → a 20 × 10 block centred in the 28 px box (rows 4–23, columns 9–18).
  const cell = new Uint8Array(400);
  for (let y = 8; y < 12; y++) for (let x = 9; x < 11; x++) cell[y * 20 + x] = 255;
  const d = mnistFormat(cell, 20);
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      const inside = y >= 4 && y <= 23 && x >= 9 && x <= 18;
      if (!inside) assert.equal(d[y * 28 + x], 0, `(${y}, ${x}) outside the box`);
    }
  // Inner pixels keep the full intensity; the outermost ones blend with the border (bilinear).
  assert.equal(d[14 * 28 + 13], 255);
  assert.equal(d[4 * 28 + 13], Math.round(0.6 * 255));
  assert.deepEqual(mnistFormat(new Uint8Array(400), 20), new Uint8Array(784));
});
