// Spectral features and resampling against torchaudio 0.13 (fixtures from scripts/fixtures/audio.py).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { assertClose, fromJson, readFixture, type TensorJson } from "../helpers/fixtures.js";

const A = fl.audio;
const fx = readFixture<Record<string, TensorJson>>("audio", "features.json");
const x = fromJson(fx.signal!);

test("spectrogram (power 2, defaults) and magnitude with normalisation equal torchaudio's", () => {
  assertClose(A.spectrogram(x), fx.spectrogram_default!, "Spectrogram()", 1e-4, 1e-4);
  assertClose(
    new A.Spectrogram({ nFft: 256, winLength: 200, hopLength: 64, power: 1, normalized: true }).forward(x),
    fx.spectrogram_mag_norm!,
    "Spectrogram(256, 200, 64, power 1, normalized)",
    1e-4,
    1e-5,
  );
});

test("stft returns torch.stft's complex result as its real view", () => {
  assertClose(A.stft(x.narrow(1, 0, 300), { nFft: 64, hopLength: 16 }), fx.stft_64_16!, "stft(64, 16)", 1e-4, 1e-5);
});

test("mel filterbanks: HTK without norm, Slaney scale with Slaney norm", () => {
  assertClose(
    A.melscaleFbanks(201, 40, 16000),
    fx.fbank_htk!,
    "melscale_fbanks htk (torch rounds in float32; ours in float64)",
    1e-4,
    1e-5,
  );
  assertClose(
    A.melscaleFbanks(201, 40, 16000, { fMin: 20, fMax: 7600, norm: "slaney", melScale: "slaney" }),
    fx.fbank_slaney!,
    "melscale_fbanks slaney",
    1e-4,
    1e-7,
  );
});

test("MelSpectrogram, AmplitudeToDB (with and without top_db) equal torchaudio's", () => {
  const ms = new A.MelSpectrogram({ sampleRate: 16000 });
  const mel = ms.forward(x);
  assertClose(mel, fx.melspec_default!, "MelSpectrogram()", 1e-4, 1e-4);
  const ms64 = new A.MelSpectrogram({
    sampleRate: 16000,
    nFft: 512,
    hopLength: 160,
    winLength: 400,
    nMels: 64,
    norm: "slaney",
    melScale: "slaney",
  });
  assertClose(ms64.forward(x), fx.melspec_64_slaney!, "MelSpectrogram(512, slaney)", 1e-4, 1e-6);
  const melRef = fromJson(fx.melspec_default!);
  assertClose(A.amplitudeToDB(melRef, { topDb: 80 }), fx.db_top80!, "AmplitudeToDB(top_db=80)", 1e-5, 1e-3);
  assertClose(new A.AmplitudeToDB().forward(melRef), fx.db_plain!, "AmplitudeToDB()", 1e-5, 1e-3);
});

test("DCT matrix, MFCC (defaults, 13 of 40 mels, log-mels) and deltas equal torchaudio's", () => {
  assertClose(A.createDct(13, 40), fx.dct_13_40!, "create_dct(13, 40)", 1e-5, 1e-6);
  assertClose(new A.MFCC({ sampleRate: 16000 }).forward(x), fx.mfcc_default!, "MFCC()", 1e-3, 2e-3);
  const m13 = new A.MFCC({ nMfcc: 13, melkwargs: { nFft: 400, hopLength: 160, nMels: 40 } }).forward(x);
  assertClose(m13, fx.mfcc_13_40!, "MFCC(13, 40 mels)", 1e-3, 2e-3);
  assertClose(
    new A.MFCC({ nMfcc: 13, logMels: true, melkwargs: { nMels: 40 } }).forward(x),
    fx.mfcc_logmels!,
    "MFCC(log_mels)",
    1e-3,
    1e-3,
  );
  const ref = fromJson(fx.mfcc_13_40!);
  assertClose(A.computeDeltas(ref), fx.deltas_5!, "compute_deltas(5)", 1e-4, 1e-4);
  assertClose(A.computeDeltas(ref, 9), fx.deltas_9!, "compute_deltas(9)", 1e-4, 1e-4);
});

test("resample: down, up and by an odd ratio, as torchaudio.functional.resample", () => {
  assertClose(A.resample(x, 16000, 8000), fx.resample_16k_8k!, "16k→8k", 1e-4, 1e-5);
  assertClose(A.resample(x.narrow(1, 0, 1000), 16000, 22050), fx.resample_16k_22050!, "16k→22.05k", 1e-4, 1e-5);
  assertClose(A.resample(x.narrow(1, 0, 2000), 44100, 16000), fx.resample_44100_16k!, "44.1k→16k", 1e-4, 1e-5);
  const same = A.resample(x, 16000, 16000);
  assertClose(same, x, "identity");
});

test("log-mel is differentiable: gradient w.r.t. the waveform equals PyTorch's", () => {
  const xg = x.narrow(0, 0, 1).narrow(1, 0, 800).clone().requiresGrad_(true);
  const mel = new A.MelSpectrogram({ sampleRate: 16000, nMels: 20 });
  A.amplitudeToDB(mel.forward(xg)).mean().backward();
  assertClose(xg.grad!, fx.logmel_grad!, "d mean(logmel) / dx", 2e-3, 1e-6);
});

test("features: batched over leading dims", () => {
  const b = fl.stack([x, x.flip([1])]);
  const s = A.spectrogram(b);
  assert.deepEqual(s.shape, [2, 2, 201, 21]);
  assertClose(s.select(0, 0), fx.spectrogram_default!, "batched", 1e-4, 1e-4);
});

test("features: bad arguments are FlambeauErrors naming the op and value", () => {
  const isErr = (re: RegExp) => (e: unknown) => e instanceof fl.FlambeauError && re.test(e.message);
  assert.throws(() => A.spectrogram(x, { nFft: 0 }), isErr(/spectrogram: nFft must be an integer.*got 0/));
  assert.throws(() => A.spectrogram(x, { nFft: 400, winLength: 512 }), isErr(/winLength must be an integer in \[1, 400\], got 512/));
  assert.throws(() => A.spectrogram(x.narrow(1, 0, 100)), isErr(/reflect padding needs more than nFft\/2 = 200 samples, got 100/));
  assert.throws(() => A.spectrogram(fl.zeros([10], { dtype: "int64" })), isErr(/expected a float waveform/));
  assert.throws(() => A.melscaleFbanks(201, 40, 16000, { melScale: "bark" as "htk" }), isErr(/melScale must be "htk" or "slaney"/));
  assert.throws(() => A.resample(x, 16000, 0), isErr(/newFreq must be an integer number of Hz/));
  assert.throws(() => A.computeDeltas(x, 2), isErr(/winLength must be an integer in \[3, 1001\], got 2/));
  assert.throws(() => new A.MFCC({ nMfcc: 50, melkwargs: { nMels: 40 } }), isErr(/nMfcc \(50\) cannot exceed nMels \(40\)/));
});
