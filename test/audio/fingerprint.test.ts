// Landmark fingerprints (Wang 2003) against hand-computed values, offset-histogram matching on
// synthetic tracks, and ffmpeg decoding (values and corrupt/missing files).
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";

const A = fl.audio;
const SR = 8000;
const HOP = 256;
const tmp = mkdtempSync(join(tmpdir(), "flambeau-fp-"));
const isErr = (code: string, re: RegExp) => (e: unknown) => e instanceof fl.FlambeauError && e.code === code && re.test(e.message);

/** Adds a Hann-windowed tone burst of `len` samples centred on sample `center`. */
function burst(x: Float32Array, hz: number, center: number, len: number, amp = 1): void {
  for (let i = 0; i < len; i++) {
    const n = center - len / 2 + i;
    if (n < 0 || n >= x.length) continue;
    x[n]! += amp * Math.sin((Math.PI * i) / len) ** 2 * Math.sin((2 * Math.PI * hz * (n - center)) / SR);
  }
}

test("landmarkHash packs (f1, f2, Δt) as f1·2^22 + f2·2^12 + Δt and unpacks it", () => {
  assert.equal(A.landmarkHash(64, 96, 24), 64 * 4194304 + 96 * 4096 + 24); // 268828696
  assert.equal(A.landmarkHash(1023, 1023, 4095), 0xffffffff);
  assert.deepEqual(A.unpackLandmarkHash(268828696), { f1: 64, f2: 96, dt: 24 });
  assert.throws(() => A.landmarkHash(64, 96, 0), isErr("E_ARG", /0 < dt/));
});

test("two tone bursts at known times give the hand-computed peaks and hash", () => {
  // 1000 Hz at sample 4096 and 1500 Hz at sample 10240, 8 kHz, nFft 512, hop 256:
  // bins 1000·512/8000 = 64 and 96, frames 4096/256 = 16 and 10240/256 = 40, so Δt = 24.
  const x = new Float32Array(2 * SR);
  burst(x, 1000, 16 * HOP, 512);
  burst(x, 1500, 40 * HOP, 512);
  const peaks = A.spectralPeaks(x);
  assert.deepEqual(
    peaks.map((p) => [p.t, p.f]),
    [
      [16, 64],
      [40, 96],
    ],
  );
  const l = A.landmarks(x);
  assert.deepEqual(Array.from(l.hashes), [268828696]);
  assert.deepEqual(Array.from(l.times), [16]);
  // Digital silence is no constellation (its flat floor would otherwise be all peaks).
  assert.deepEqual(A.spectralPeaks(new Float32Array(SR)), []);
});

/** A seeded "track": tone bursts at random times and pitches (about 8 a second). */
function syntheticTrack(seed: number, seconds: number): Float32Array {
  const rng = new fl.data.Random(seed);
  const x = new Float32Array(seconds * SR);
  for (let k = 0; k < seconds * 8; k++)
    burst(x, 200 + rng.nextFloat() * 3300, rng.int(x.length), 400 + rng.int(1600), 0.2 + rng.nextFloat());
  return x;
}

test("offset histogram: clean and shifted queries find their track and offset", () => {
  const tracks = [syntheticTrack(1, 16), syntheticTrack(2, 16), syntheticTrack(3, 16)];
  const b = new A.LandmarkIndexBuilder();
  for (const t of tracks) b.add(A.landmarks(t));
  const index = b.build();
  assert.equal(index.trackCount, 3);
  const id = new A.LandmarkIdentifier(index, A.DEFAULT_LANDMARKS);
  // Clean: 5 s of track 1 from frame 160 (40960 samples), on the frame grid.
  const clean = id.matches(tracks[1]!.slice(160 * HOP, 160 * HOP + 5 * SR), 2);
  assert.equal(clean[0]!.track, 1);
  assert.equal(clean[0]!.offset, 160);
  assert.ok(clean[0]!.score > 5 * (clean[1]?.score ?? 0), `clean score ${clean[0]!.score} vs ${clean[1]?.score}`);
  // Shifted off the grid by half a hop (frame 300.5) and mixed with noise at 10 dB SNR.
  const start = 300 * HOP + HOP / 2;
  const q = tracks[2]!.slice(start, start + 5 * SR);
  const rng = new fl.data.Random(9);
  const noise = Float32Array.from(q, () => rng.nextFloat() - 0.5);
  const noisy = fl.tidy(() => A.addNoise(fl.tensor(q), fl.tensor(noise), 10).data() as Float32Array).slice();
  const m = id.matches(noisy, 2);
  assert.equal(m[0]!.track, 2);
  assert.ok(Math.abs(m[0]!.offset - 300.5) <= 1, `offset ${m[0]!.offset}`);
  assert.ok(Math.abs(m[0]!.offsetSeconds - start / SR) <= 0.04);
  assert.ok(m[0]!.score > 2 * (m[1]?.score ?? 0), `shifted score ${m[0]!.score} vs ${m[1]?.score}`);
});

test("LandmarkIndex rejects unsorted hashes and postings of unknown tracks", () => {
  assert.throws(() => new A.LandmarkIndex(Uint32Array.of(5, 3), Uint32Array.of(0, 1), 1), isErr("E_FORMAT", /not sorted/));
  assert.throws(() => new A.LandmarkIndex(Uint32Array.of(3), Uint32Array.of(2 ** 18), 1), isErr("E_FORMAT", /track/));
});

test("decodeAudio: a WAV through ffmpeg equals its samples; corrupt and missing files are clear errors", async () => {
  const x = Float32Array.from({ length: 800 }, (_, i) => Math.round(0.5 * Math.sin(i / 5) * 32767) / 32768);
  const wav = join(tmp, "tone.wav");
  A.writeWav(wav, [x], SR);
  const y = await A.decodeAudio(wav, { sampleRate: SR });
  assert.equal(y.length, x.length);
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(y[i]! - x[i]!) < 1e-6, `sample ${i}: ${y[i]} vs ${x[i]}`);
  const bad = join(tmp, "corrupt.ogg");
  writeFileSync(bad, Buffer.from("OggS this is not a real ogg stream at all".repeat(20)));
  await assert.rejects(A.decodeAudio(bad), isErr("E_FORMAT", /corrupt\.ogg/));
  await assert.rejects(A.decodeAudio(join(tmp, "missing.mp3")), isErr("E_IO", /no such file/));
  await assert.rejects(A.decodeAudio(wav, { sampleRate: 12.5 }), isErr("E_ARG", /sampleRate/));
  await assert.rejects(A.decodeAudio(wav, { ffmpeg: join(tmp, "no-ffmpeg") }), isErr("E_IO", /not installed/));
});

test("reverberate convolves by FFT: an impulse returns the room's response at the input's RMS", () => {
  const x = Float32Array.of(1, 0, 0, 0, 0, 0);
  const y = A.reverberate(x, Float32Array.of(1, 0.5));
  // [1, 0.5, 0, 0, 0, 0] scaled by rms(x)/rms(y) = 1/√1.25.
  const k = 1 / Math.sqrt(1.25);
  const want = [k, 0.5 * k, 0, 0, 0, 0];
  for (let i = 0; i < 6; i++) assert.ok(Math.abs(y[i]! - want[i]!) < 1e-6, `y[${i}] = ${y[i]}, want ${want[i]}`);
});
