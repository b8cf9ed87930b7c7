// Text to speech pieces against references: monotonic alignment search on a hand example and
// against exhaustive search, the length regulator (values and gradient), MCD on hand values,
// STFT/ISTFT against torch.stft/istft (scripts/fixtures/tts.py), Griffin-Lim's spectral
// convergence falling, and the espeak-ng phoneme parser.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import * as fl from "flambeau";
import { assertClose, fromJson, readFixture, type TensorJson } from "../helpers/fixtures.js";

const A = fl.audio;

test("monotonic alignment search: a hand example, and the best path of every monotonic path", () => {
  const L = -5;
  // Phoneme 0 fits frames 0-1, phoneme 1 frame 2, phoneme 2 frames 3-4.
  const logp = Float64Array.from([0, 0, L, L, L, L, L, 0, L, L, L, L, L, 0, 0]);
  assert.deepEqual(A.monotonicAlignment(logp, 3, 5), [2, 1, 2]);
  // Against brute force over every composition of 7 frames into 3 positive parts.
  const rng = new fl.data.Random(3);
  for (let trial = 0; trial < 5; trial++) {
    const n = 3;
    const t = 7;
    const lp = Float64Array.from({ length: n * t }, () => -3 * rng.nextFloat());
    let best = Number.NEGATIVE_INFINITY;
    let bestDur: number[] = [];
    for (let a = 1; a <= t - 2; a++)
      for (let b = 1; a + b <= t - 1; b++) {
        const d = [a, b, t - a - b];
        let s = 0;
        let f = 0;
        d.forEach((len, i) => {
          for (let k = 0; k < len; k++) s += lp[i * t + f++]!;
        });
        if (s > best) [best, bestDur] = [s, d];
      }
    assert.deepEqual(A.monotonicAlignment(lp, n, t), bestDur, `trial ${trial}`);
  }
  assert.throws(() => A.monotonicAlignment(new Float64Array(6), 3, 2), /3 phonemes cannot fit in 2 frames/);
});

test("length regulator repeats each phoneme state for its duration, pads with zeros, and passes gradients back", () => {
  const h = fl.tensor(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), { shape: [2, 3, 2] });
  h.requiresGrad = true;
  const { out, frames } = A.lengthRegulate(h, [
    [2, 0, 1],
    [1, 1, 0],
  ]);
  assert.deepEqual(frames, [3, 2]);
  assert.deepEqual(out.shape, [2, 3, 2]);
  assert.deepEqual(Array.from(out.data() as Float32Array), [1, 2, 1, 2, 5, 6, 7, 8, 9, 10, 0, 0]);
  out.sum().backward();
  assert.deepEqual(Array.from(h.grad!.data() as Float32Array), [2, 2, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0]);
  assert.throws(
    () =>
      A.lengthRegulate(h, [
        [1, -1, 0],
        [1, 1, 1],
      ]),
    /durations must be integers ≥ 0/,
  );
});

test("mel-cepstral distortion: hand values with and without time warping", () => {
  const K = (10 * Math.SQRT2) / Math.LN10;
  assert.ok(Math.abs(A.MCD_CONSTANT - 6.14185) < 1e-4);
  // Identical → 0; a constant offset of 1 in one coefficient → K.
  const a = Float64Array.from([0.5, -1, 2, 0]);
  assert.equal(A.melCepstralDistortion(a, 2, a, 2, 2), 0);
  assert.ok(Math.abs(A.melCepstralDistortion(a, 2, Float64Array.from([1.5, -1, 3, 0]), 2, 2) - K) < 1e-12);
  // a = 0,1,2 against b = 0,2: the best path (0,0),(1,·),(2,1) costs 0 + 1 + 0 over 3 steps.
  assert.deepEqual(A.dtwPath(Float64Array.from([0, 2, 1, 1, 2, 0]), 3, 2).length, 3);
  assert.ok(Math.abs(A.melCepstralDistortion(Float64Array.from([0, 1, 2]), 3, Float64Array.from([0, 2]), 2, 1) - K / 3) < 1e-12);
  // 3-4-5 triangle: one frame each, distance 5.
  assert.ok(Math.abs(A.melCepstralDistortion(Float64Array.from([3, 0]), 1, Float64Array.from([0, 4]), 1, 2) - 5 * K) < 1e-12);
  // A NaN (audio from a diverged model) is named, not walked by DTW forever.
  assert.throws(
    () => A.melCepstralDistortion(Float64Array.from([0, 1, 2]), 3, Float64Array.from([0, Number.NaN]), 2, 1),
    /melCepstralDistortion: the second cepstra hold NaN at frame 1/,
  );
  // Mel-cepstra ignore a level change (it is c0's) and see a band's change.
  const mel = Float32Array.from({ length: 8 * 3 }, (_, i) => -20 - (i % 7));
  const louder = mel.map((v) => v + 6);
  assert.ok(A.melCepstra(mel, 8, 3, 4).every((v, i) => Math.abs(v - A.melCepstra(louder, 8, 3, 4)[i]!) < 1e-9));
  // A cosine ripple of A dB at order 3 in every frame: c3 moves by (A · ln10 / 20) / 2, so MCD = A / (2√2).
  const flat = new Float32Array(16 * 2).fill(-40);
  const rippled = flat.map((v, i) => v + 6 * Math.cos((Math.PI * 3 * (Math.floor(i / 2) + 0.5)) / 16));
  const mcd = A.melCepstralDistortion(A.melCepstra(flat, 16, 2, 8), 2, A.melCepstra(rippled, 16, 2, 8), 2, 8);
  assert.ok(Math.abs(mcd - 6 / (2 * Math.SQRT2)) < 1e-6, `ripple MCD ${mcd}`);
  // All bands equal → every cepstral coefficient past c0 is 0.
  assert.ok(A.melCepstra(new Float32Array(8 * 2).fill(-30), 8, 2, 5).every((v) => Math.abs(v) < 1e-12));
});

interface StftFixture {
  signal: TensorJson;
  nFft: number;
  hop: number;
  win: number;
  stft: TensorJson;
  istft_roundtrip: TensorJson;
  modified: TensorJson;
  istft_modified: TensorJson;
}

test("STFT and ISTFT equal torch.stft / torch.istft (center, Hann), round trip and a modified spectrum", () => {
  const fx = readFixture<StftFixture>("audio", "tts-stft.json");
  const s = { nFft: fx.nFft, hopLength: fx.hop, winLength: fx.win };
  const x = fromJson(fx.signal);
  assertClose(A.stftReal(x, s), fx.stft, "stft", 1e-4, 1e-4);
  assertClose(A.istftReal(fromJson(fx.stft), s, x.shape[0]!), fx.istft_roundtrip, "istft(stft(x))", 1e-4, 1e-5);
  assertClose(A.istftReal(fromJson(fx.modified), s, x.shape[0]!), fx.istft_modified, "istft(modified)", 1e-4, 1e-5);
});

test("Griffin-Lim: spectral convergence falls over the iterations and ends low on a harmonic signal", () => {
  const n = 4000;
  const x = fl.tensor(
    Float32Array.from(
      { length: n },
      (_, i) => 0.5 * Math.sin((2 * Math.PI * 220 * i) / 16000) + 0.3 * Math.sin((2 * Math.PI * 660 * i) / 16000 + 1),
    ),
  );
  const s = { nFft: 256, hopLength: 64, winLength: 256 };
  const mag = A.stftReal(x, s).pow(2).sum(-1).sqrt();
  const r = A.griffinLim(mag, { ...s, iterations: 24, length: n });
  const c = r.convergence;
  assert.equal(c.length, 24);
  assert.ok(c[c.length - 1]! < 0.5 * c[0]!, `convergence ${c[0]} → ${c[c.length - 1]}`);
  assert.ok(c[c.length - 1]! < 0.2, `final spectral convergence ${c[c.length - 1]}`);
  const sc = A.spectralConvergence(fl.tensor(r.wave), mag, s);
  assert.ok(Math.abs(sc - c[c.length - 1]!) < 0.05, `${sc} vs ${c[c.length - 1]}`);
});

test("espeak-ng phoneme parsing drops stress and pause marks", () => {
  assert.deepEqual(A.parsePhonemes("t_'3:_n l_'E_f_t g_,oU ,V_p__:__:"), ["t", "3:", "n", "l", "E", "f", "t", "g", "oU", "V", "p"]);
  const v = A.PhonemeVocab.build([
    ["t", "3:"],
    ["l", "t"],
  ]);
  assert.deepEqual(v.symbols, ["<pad>", "<unk>", "3:", "l", "t"]);
  assert.deepEqual(v.encode(["t", "zz"]), [4, 1]);
});

test("the hard-EM aligner recovers the boundaries of well-separated phonemes; the lookup holds mean mels for mean durations", () => {
  // Phoneme 2 sits at (1, -1), phoneme 3 at (-1, 1); two utterances "2 3 2" of 3+5+2 and 4+2+4 frames.
  const utt = (durs: number[]) => {
    const frames = durs.reduce((a, b) => a + b, 0);
    const mel = new Float32Array(2 * frames);
    let t = 0;
    durs.forEach((d, i) => {
      for (let r = 0; r < d; r++, t++) {
        const s = i === 1 ? -1 : 1;
        mel[t] = s + 0.1 * Math.sin(7 * t);
        mel[frames + t] = -s + 0.1 * Math.cos(5 * t);
      }
    });
    return { mel, frames, ids: [2, 3, 2], speaker: 0 };
  };
  const { durations, stats } = A.trainAligner([utt([3, 5, 2]), utt([4, 2, 4])], { nMels: 2, vocab: 4, speakers: 1 });
  assert.deepEqual(durations, [
    [3, 5, 2],
    [4, 2, 4],
  ]);
  assert.ok(Math.abs(stats.durations[2]! - 13 / 4) < 1e-12 && Math.abs(stats.durations[3]! - 7 / 2) < 1e-12);
  const lk = A.lookupMel([3, 2], 0, stats);
  assert.equal(lk.frames, 4 + 3);
  assert.ok(Math.abs(lk.mel[0]! - stats.means[3 * 2]!) < 1e-6 && Math.abs(lk.mel[lk.frames + 6]! - stats.means[2 * 2 + 1]!) < 1e-6);
});

test("FastSpeech: predicted durations set the frames; teacher durations give the target length", () => {
  fl.manualSeed(0);
  const m = new A.FastSpeech({ vocab: 6, speakers: 2, nMels: 5, dim: 16, heads: 2, encoderLayers: 1, decoderLayers: 1 });
  m.eval();
  const ids = fl.tensor(BigInt64Array.from([2n, 3n, 4n, 2n, 5n, 0n]), { shape: [2, 3] });
  const spk = fl.tensor(BigInt64Array.from([0n, 1n]), { shape: [2] });
  const out = m.synthesize(
    ids,
    spk,
    [3, 2],
    [
      [2, 1, 3],
      [1, 1],
    ],
  );
  assert.deepEqual(out.mel.shape, [2, 6, 5]);
  assert.deepEqual(out.frames, [6, 2]);
  assert.deepEqual(out.logDur.shape, [2, 3]);
  const free = m.synthesize(ids, spk, [3, 2], null);
  assert.ok(free.frames[0]! >= 3 && free.frames[1]! >= 2);
});

test("phonemizeAll: one espeak-ng call gives each text its own call's phonemes; punctuated texts go alone", () => {
  const texts = ["turn left then off", "the red dog sat", "stop, go on", "turn left then off", "seven boats sailed"];
  const together = A.phonemizeAll(texts, "en-gb-x-rp");
  const alone = texts.map((t) => {
    const r = spawnSync("espeak-ng", ["-q", "-x", "--sep=_", "-v", "en-gb-x-rp", "--stdin"], { input: t, encoding: "utf8" });
    return A.parsePhonemes(r.stdout);
  });
  assert.deepEqual(together, alone);
  assert.ok(together[0]!.length > 5);
});
