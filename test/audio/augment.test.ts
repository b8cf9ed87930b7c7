// Augmentation: exact SNR after mixing, shifts, speed by resampling, SpecAugment masks, seeding.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";

const A = fl.audio;
const isErr = (re: RegExp) => (e: unknown) => e instanceof fl.FlambeauError && re.test(e.message);
const snrOf = (s: fl.Tensor, n: fl.Tensor): number[] =>
  fl
    .log10(
      s
        .pow(2)
        .sum({ dim: -1 })
        .div(n.pow(2).sum({ dim: -1 })),
    )
    .mul(10)
    .toArray() as number[];

test("addNoise mixes at exactly the requested SNR, per example", () => {
  fl.manualSeed(1);
  const x = fl.randn([3, 1000]);
  const noise = fl.randn([3, 1000]).mul(3);
  const y = A.addNoise(x, noise, fl.tensor([0, 10, 20]));
  const got = snrOf(x, y.sub(x));
  [0, 10, 20].forEach((want, i) => assert.ok(Math.abs(got[i]! - want) < 1e-3, `snr ${got[i]} ≠ ${want}`));
  const y5 = A.addNoise(x, noise, 5);
  for (const s of snrOf(x, y5.sub(x))) assert.ok(Math.abs(s - 5) < 1e-3);
  assert.throws(() => A.addNoise(x, fl.randn([3, 999]), 10), isErr(/addNoise: noise \[3, 999\] must have the signal's length 1000/));
});

test("randomTimeShift moves each row by its own offset, zero-filled, reproducibly", () => {
  const x = fl.arange(1, 11).float().unsqueeze(0).repeat([4, 1]);
  const a = A.randomTimeShift(x, 3, new fl.data.Random(5)).toArray() as number[][];
  const b = A.randomTimeShift(x, 3, new fl.data.Random(5)).toArray() as number[][];
  assert.deepEqual(a, b);
  for (const row of a) {
    const first = row.findIndex((v) => v !== 0);
    const shift = first > 0 ? first : -(row[0]! - 1);
    const want = Array.from({ length: 10 }, (_, i) => (i - shift >= 0 && i - shift < 10 ? i - shift + 1 : 0));
    assert.deepEqual(row, want);
    assert.ok(Math.abs(shift) <= 3);
  }
});

test("speedPerturb changes the length by 1/factor and keeps a tone's shape (its frequency scales)", () => {
  const sr = 16000;
  const t = fl.arange(0, 1600).float().div(sr);
  const x = t
    .mul(2 * Math.PI * 500)
    .sin()
    .unsqueeze(0);
  const fast = A.speedPerturb(x, 1.25, sr);
  assert.deepEqual(fast.shape, [1, Math.ceil(1600 / 1.25)]);
  // A 500 Hz tone played 1.25× faster is 625 Hz: compare with the synthesized 625 Hz tone away from the edges.
  const want = fl
    .arange(0, 1280)
    .float()
    .div(sr)
    .mul(2 * Math.PI * 625)
    .sin();
  const err = Number(
    fast
      .squeeze(0)
      .narrow(0, 100, 1000)
      .sub(want.narrow(0, 100, 1000))
      .abs()
      .max()
      .item(),
  );
  assert.ok(err < 0.02, `max error ${err}`);
});

test("SpecAugment masks: each example gets contiguous masks within maxWidth, seeded", () => {
  const spec = fl.ones([6, 1, 20, 30]);
  const tm = A.timeMask(spec, { maxWidth: 5 }, new fl.data.Random(3));
  const fm = A.freqMask(spec, { maxWidth: 4, count: 2 }, new fl.data.Random(3));
  const tArr = tm.toArray() as number[][][][];
  for (const ex of tArr) {
    const cols = ex[0]![0]!.map((v) => v === 0);
    const n = cols.filter(Boolean).length;
    assert.ok(n <= 5);
    if (n > 0) assert.equal(cols.lastIndexOf(true) - cols.indexOf(true) + 1, n, "contiguous");
    for (const row of ex[0]!)
      assert.deepEqual(
        row.map((v) => v === 0),
        cols,
        "same columns on every frequency",
      );
  }
  const fArr = fm.toArray() as number[][][][];
  for (const ex of fArr)
    for (const row of ex[0]!)
      assert.ok(
        row.every((v) => v === row[0]),
        "whole rows masked",
      );
  assert.deepEqual(A.timeMask(spec, { maxWidth: 5 }, new fl.data.Random(3)).toArray(), tArr);
  assert.throws(
    () => A.timeMask(fl.ones([20, 30]), { maxWidth: 5 }, new fl.data.Random(1)),
    isErr(/timeMask: expected \[batch, \.\.\., freq, time\]/),
  );
});
