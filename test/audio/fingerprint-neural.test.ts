// The learned fingerprint (Chang et al. 2021): NT-Xent against PyTorch, the segment front end's
// consistency, exact-inner-product search and sequence voting on planted catalogs, and a tiny
// train → index → identify run on synthetic tracks.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";

const A = fl.audio;
// Small convolutions: more libtorch threads only contend (several times slower on a shared machine).
fl.setNumThreads(1);
const SR = 8000;
const isErr = (code: string, re: RegExp) => (e: unknown) => e instanceof fl.FlambeauError && e.code === code && re.test(e.message);
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) => {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

/** Rows scaled to unit length. */
function unitRows(rows: number[][]): number[][] {
  return rows.map((r) => {
    const n = Math.hypot(...r);
    return r.map((v) => v / n);
  });
}

test("ntXentLoss equals PyTorch's SimCLR loss and gradient on a fixed batch", () => {
  // PyTorch 1.13 (float64): z = cat(za, zb); s = z @ z.T / 0.5 with the diagonal at -inf;
  // F.cross_entropy(s, cat(arange(3, 6), arange(0, 3))) and its gradient with respect to za.
  const n = 3;
  const d = 4;
  const za = unitRows(Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => Math.sin(1 + i * d + j))));
  const zb = unitRows(
    Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => Math.sin(1 + i * d + j) + 0.5 * Math.cos(2 + i + 3 * j))),
  );
  const a = fl.tensor(za, { dtype: "float64" }).requiresGrad_();
  const b = fl.tensor(zb, { dtype: "float64" });
  const loss = A.ntXentLoss(a, b, 0.5);
  close([loss.item() as number], [0.299340134812003], 1e-9, "loss");
  loss.backward();
  close(
    a.grad!.data() as Float64Array,
    [
      -0.06836164621491933, -0.16669333815249324, -0.12479841682077145, 0.07446462458155015, 0.11126825426106544, 0.0007544216798410369,
      -0.05922456097387494, -0.11140439819263287, 0.039559073442871795, 0.13559791664416543, 0.24657729587052366, -0.04161568725040079,
    ],
    1e-9,
    "grad",
  );
  assert.throws(() => A.ntXentLoss(a, fl.zeros([2, 4]), 0.5), isErr("E_SHAPE", /two \[N, d\] batches/));
  assert.throws(() => A.ntXentLoss(a, b, 0), isErr("E_ARG", /temperature/));
});

test("a segment cut from a whole recording's spectrogram equals the segment computed from its samples alone", () => {
  const c = A.DEFAULT_SEGMENTS;
  const rng = new fl.data.Random(3);
  const x = Float32Array.from({ length: 3 * SR }, (_, i) => Math.sin(i * 0.3) * 0.3 + (rng.nextFloat() - 0.5) * 0.2);
  const all = A.recordingSegments(x, c);
  assert.deepEqual(all.shape, [A.segmentCount(x.length, c), 1, c.nMels, c.segmentFrames]);
  // 3 s at a 0.5 s hop: segments (1.03 s of samples each) start at 0, 0.5, 1 and 1.5 s.
  assert.equal(all.shape[0], 4);
  const k = 3;
  const start = k * c.segmentHop * c.hopLength;
  const one = A.segmentFeatures(fl.tensor(x.slice(start, start + A.segmentSamples(c)), { shape: [1, A.segmentSamples(c)] }), c);
  close(one.data() as Float32Array, all.narrow(0, k, 1).data() as Float32Array, 1e-4, "segment");
  assert.throws(() => A.recordingSegments(new Float32Array(100), c), isErr("E_ARG", /shorter than one/));
});

/** `count` random unit vectors of size `dim`. */
function randomUnit(count: number, dim: number, rng: fl.data.Random): Float32Array {
  const out = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    let n = 0;
    for (let j = 0; j < dim; j++) {
      out[i * dim + j] = rng.nextFloat() - 0.5;
      n += out[i * dim + j]! ** 2;
    }
    for (let j = 0; j < dim; j++) out[i * dim + j]! /= Math.sqrt(n);
  }
  return out;
}

test("SegmentIndex: an exact copy of indexed segments returns the planted track and start", () => {
  const dim = 16;
  const counts = [5, 7, 4];
  const rows = randomUnit(16, dim, new fl.data.Random(1));
  const index = new A.SegmentIndex(rows, dim, counts);
  assert.equal(index.size, 16);
  assert.equal(index.trackOf(4), 0);
  assert.equal(index.trackOf(5), 1);
  assert.equal(index.trackOf(12), 2);
  // Segments 2, 3, 4 of track 1 are rows 7, 8, 9.
  const q = fl.tensor(rows.slice(7 * dim, 10 * dim), { shape: [3, dim] });
  const [best, next] = index.match(q, { topK: 2 });
  assert.equal(best!.track, 1);
  assert.equal(best!.start, 2);
  assert.ok(Math.abs(best!.score - 1) < 1e-5, `score ${best!.score}`);
  assert.ok(next!.score < 0.9, `runner-up ${next!.score}`);
  assert.throws(() => index.match(fl.zeros([3, 8])), isErr("E_SHAPE", /\[m, 16\]/));
  assert.throws(() => new A.SegmentIndex(rows, dim, [5, 7]), isErr("E_FORMAT", /segments × 16/));
  index.dispose();
});

test("sequence voting: consecutive segments outvote one segment's better match in another track", () => {
  const dim = 8;
  const rng = new fl.data.Random(2);
  const q = randomUnit(3, dim, rng);
  const rows = randomUnit(12, dim, rng);
  // Track 0 (rows 0–5) holds query segment 0 exactly at row 2; track 1 (rows 6–11) holds all three, blurred, from row 7.
  rows.set(q.subarray(0, dim), 2 * dim);
  const blur = randomUnit(3, dim, rng);
  for (let i = 0; i < 3; i++) {
    let n = 0;
    for (let j = 0; j < dim; j++) n += (q[i * dim + j]! + 0.45 * blur[i * dim + j]!) ** 2;
    for (let j = 0; j < dim; j++) rows[(7 + i) * dim + j] = (q[i * dim + j]! + 0.45 * blur[i * dim + j]!) / Math.sqrt(n);
  }
  const index = new A.SegmentIndex(rows, dim, [6, 6]);
  const qt = fl.tensor(q, { shape: [3, dim] });
  // Segment by segment, the first query segment's nearest row is in track 0 …
  const first = index.match(qt.narrow(0, 0, 1), { topK: 1 });
  assert.equal(first[0]!.track, 0);
  // … but the sequence lines up in track 1 from its second segment.
  const [best] = index.match(qt, { topK: 2 });
  assert.equal(best!.track, 1);
  assert.equal(best!.start, 1);
  index.dispose();
});

/** Adds a Hann-windowed tone burst of `len` samples centred on sample `center`. */
function burst(x: Float32Array, hz: number, center: number, len: number, amp: number): void {
  for (let i = 0; i < len; i++) {
    const n = center - len / 2 + i;
    if (n < 0 || n >= x.length) continue;
    x[n]! += amp * Math.sin((Math.PI * i) / len) ** 2 * Math.sin((2 * Math.PI * hz * (n - center)) / SR);
  }
}

/** A seeded "track": tone bursts at random times and pitches (about 8 a second). */
function syntheticTrack(seed: number, seconds: number): Float32Array {
  const rng = new fl.data.Random(seed);
  const x = new Float32Array(seconds * SR);
  for (let k = 0; k < seconds * 8; k++)
    burst(x, 200 + rng.nextFloat() * 3300, rng.int(x.length), 400 + rng.int(1600), 0.2 + rng.nextFloat());
  return x;
}

test("tiny end to end: the encoder trains on pairs, indexes the tracks and identifies noisy queries", async () => {
  const c = { ...A.DEFAULT_SEGMENTS, nMels: 32 };
  const tracks = [11, 12, 13, 14].map((s) => syntheticTrack(s, 10));
  const rng = new fl.data.Random(4);
  const noise = [Float32Array.from({ length: 2 * SR }, () => rng.nextFloat() - 0.5)];
  const { encoder, history } = await A.trainFingerprintEncoder(
    { tracks },
    {
      segments: c,
      encoder: { width: 4, dim: 16, groupHidden: 4 },
      distortions: { ...A.DEFAULT_PAIR_DISTORTIONS, noise, snrDb: [5, 20] },
      epochs: 20,
      batchSize: 24,
      lr: 1e-2,
      temperature: 0.1,
      seed: 0,
      name: "fingerprint-test",
      log: () => {},
    },
  );
  const losses = history.epochs.map((e) => e.loss!);
  assert.equal(losses.length, 20);
  assert.ok(losses[19]! < 0.8 * losses[0]!, `NT-Xent ${losses.map((l) => l.toFixed(3)).join(" → ")}`);
  const id = new A.NeuralIdentifier(encoder, c, A.buildSegmentIndex(encoder, tracks, c));
  assert.equal(id.index.size, 4 * A.segmentCount(10 * SR, c));
  // 3 s queries starting off the index's half-second grid, clean and with noise at 10 dB.
  let right = 0;
  for (let t = 0; t < 4; t++)
    for (const start of [12345, 30000]) {
      const q = tracks[t]!.slice(start, start + 3 * SR);
      const nz = Float32Array.from(q, () => rng.nextFloat() - 0.5);
      const noisy = fl.tidy(() => (A.addNoise(fl.tensor(q), fl.tensor(nz), 10).data() as Float32Array).slice());
      for (const x of [q, noisy]) if (id.identify(x)?.track === t) right++;
    }
  assert.ok(right >= 14, `${right} of 16 queries identified`);
  const m = id.matches(tracks[2]!.slice(4 * SR, 7 * SR), 1)[0]!;
  assert.equal(m.track, 2);
  assert.equal(m.offsetSeconds, 4);
  id.dispose();
});

test("the task: train --model neural on a folder of tracks, save, eval beside the landmark index, predict", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "flambeau-fpn-"));
  const data = join(tmp, "tracks");
  mkdirSync(data);
  const tracks = [21, 22, 23].map((s) => syntheticTrack(s, 12));
  tracks.forEach((x, i) => A.writeWav(join(data, `t${i}.wav`), [x], SR));
  const task = fl.tasks.getTask("audio-fingerprinting");
  const out = join(tmp, "model");
  const r = await task.train({
    data,
    out,
    model: "neural",
    epochs: 12,
    batchSize: 24,
    lr: 1e-2,
    seed: 0,
    log: () => {},
    ...{ width: 4, dim: 16, temperature: 0.1, queries: 1, querySeconds: 3 },
  });
  const m = r.metrics as Record<string, number>;
  assert.equal(m.tracks, 3);
  assert.equal(m.indexSegments, 3 * A.segmentCount(12 * SR, A.DEFAULT_SEGMENTS));
  assert.ok(m.top1Clean! >= 2 / 3, `clean top-1 ${m.top1Clean}`);
  const e = await task.evaluate(out, data, { ...{ queries: 1, querySeconds: 3 } });
  for (const k of ["top1Clean", "top1Speed", "landmarkTop1Clean", "landmarkTop1Speed", "latencyMsMean"])
    assert.equal(typeof e[k], "number", k);
  const p = await task.load(out);
  const q = join(tmp, "q.wav");
  A.writeWav(q, [tracks[1]!.slice(3 * SR, 7 * SR)], SR);
  const [pred] = (await p.predict([q], {})) as { track: string; offset: number; measure: string }[];
  assert.equal(pred!.track, "tracks/t1");
  assert.equal(pred!.measure, "similarity");
  assert.ok(Math.abs(pred!.offset - 3) <= 0.5, `offset ${pred!.offset}`);
  p.dispose();
});
