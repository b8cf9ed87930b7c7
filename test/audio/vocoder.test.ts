// The neural vocoder: its two losses against PyTorch (Parallel WaveGAN's multi-resolution STFT
// loss and HiFi-GAN's mel L1, scripts/fixtures/tts.py), the Vocos head against the ISTFT of the
// spectrum it is set to emit, its gradient against finite differences, and a few training
// steps that lower the mel loss of held-out harmonic clips.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { fromJson, readFixture, type TensorJson } from "../helpers/fixtures.js";

const A = fl.audio;

interface LossFixture {
  target: TensorJson;
  pred: TensorJson;
  resolutions: { nFft: number; hopLength: number; winLength: number }[];
  stftLoss: number;
  mel: { sampleRate: number; nFft: number; hopLength: number; winLength: number; nMels: number };
  melLoss: number;
}

test("vocoder losses equal Parallel WaveGAN's multi-resolution STFT loss and HiFi-GAN's mel L1 (PyTorch)", () => {
  const fx = readFixture<LossFixture>("audio", "tts-vocoder-loss.json");
  const x = fromJson(fx.target).unsqueeze(0);
  const y = fromJson(fx.pred).unsqueeze(0);
  const stft = A.multiResolutionStftLoss(y, x, fx.resolutions).item();
  assert.ok(Math.abs(stft - fx.stftLoss) < 1e-4 * fx.stftLoss, `stft loss ${stft} vs torch ${fx.stftLoss}`);
  const mel = A.melLoss(y, x, fx.mel).item();
  assert.ok(Math.abs(mel - fx.melLoss) < 1e-4 * fx.melLoss, `mel loss ${mel} vs torch ${fx.melLoss}`);
  assert.ok(A.multiResolutionStftLoss(x, x, fx.resolutions).item() < 1e-6);
  assert.throws(
    () => A.melLoss(y, x.narrow(1, 0, 800), fx.mel),
    (e: unknown) => e instanceof fl.FlambeauError && e.code === "E_SHAPE" && /melLoss: .*\[1, 1600\] and \[1, 800\]/.test(e.message),
  );
});

test("Vocos: a head set to one spectrum synthesizes its ISTFT; shapes and bad input are named", () => {
  fl.manualSeed(0);
  const v = new A.Vocos({ nMels: 4, hopLength: 16, nFft: 64, dim: 8, layers: 1 });
  v.eval();
  const bins = 33;
  const frames = 12;
  const logMag = Float32Array.from({ length: bins }, (_, k) => -1 - 0.05 * k);
  const phase = Float32Array.from({ length: bins }, (_, k) => 0.3 * k);
  const bias = new Float32Array(2 * bins);
  bias.set(logMag, 0);
  bias.set(phase, bins);
  fl.noGrad(() => {
    v.head.weight.copy_(fl.zeros(v.head.weight.shape));
    v.head.bias!.copy_(fl.tensor(bias));
  });
  const y = fl.noGrad(() => v.forward(fl.randn([2, 4, frames])));
  assert.deepEqual(y.shape, [2, (frames - 1) * 16]);
  const spec = new Float32Array(bins * frames * 2);
  for (let k = 0; k < bins; k++)
    for (let t = 0; t < frames; t++) {
      spec[(k * frames + t) * 2] = Math.exp(logMag[k]!) * Math.cos(phase[k]!);
      spec[(k * frames + t) * 2 + 1] = Math.exp(logMag[k]!) * Math.sin(phase[k]!);
    }
  const ref = A.istftReal(fl.tensor(spec, { shape: [bins, frames, 2] }), { nFft: 64, hopLength: 16, winLength: 64 }, (frames - 1) * 16);
  const got = y.select(0, 1).data() as Float32Array;
  const want = ref.data() as Float32Array;
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-5, `sample ${i}: ${got[i]} vs ${want[i]}`);
  assert.throws(
    () => v.forward(fl.randn([1, 5, frames])),
    (e: unknown) =>
      e instanceof fl.FlambeauError &&
      e.code === "E_SHAPE" &&
      /Vocos: expected a mel \[batch, 4, frames\], got \[1, 5, 12\]/.test(e.message),
  );
  assert.throws(() => new A.Vocos({ nMels: 4, hopLength: 16, nFft: 63 }), /Vocos: nFft must be even, got 63/);
  v.dispose();
});

test("Vocos: the gradient of a loss through the ISTFT head matches finite differences (float64)", () => {
  fl.manualSeed(1);
  const v = new A.Vocos({ nMels: 3, hopLength: 8, nFft: 32, dim: 6, layers: 2 }).to("float64");
  const mel = fl.randn([1, 3, 6], { dtype: "float64" });
  const target = fl.randn([1, 40], { dtype: "float64" }).mul(0.1);
  const loss = () => v.forward(mel).sub(target).pow(2).sum();
  v.zeroGrad();
  loss().backward();
  for (const p of [v.embed.weight, v.head.weight]) {
    const g = p.grad!.data() as Float64Array;
    const w = p.data() as Float64Array;
    for (const i of [0, Math.floor(w.length / 2), w.length - 1]) {
      const h = 1e-6;
      const at = (d: number) => {
        const moved = Float64Array.from(w);
        moved[i] = w[i]! + d;
        fl.noGrad(() => p.copy_(fl.tensor(moved, { shape: p.shape })));
        return fl.noGrad(() => loss().item());
      };
      const fd = (at(h) - at(-h)) / (2 * h);
      fl.noGrad(() => p.copy_(fl.tensor(w, { shape: p.shape })));
      assert.ok(Math.abs(fd - g[i]!) < 1e-5 + 1e-4 * Math.abs(fd), `element ${i}: autograd ${g[i]} vs finite difference ${fd}`);
    }
  }
});

test("trainVocoder: a few hundred samples of training lower the held-out mel loss of harmonic clips", async () => {
  const frontend = { sampleRate: 16000, nFft: 512, winLength: 400, hopLength: 160, nMels: 40, mean: -30, std: 20 };
  const clipOf = (f0: number) => {
    const n = 160 * 60;
    const wave = Float32Array.from({ length: n }, (_, i) => {
      const t = i / 16000;
      return (
        0.4 * Math.sin(2 * Math.PI * f0 * t) + 0.2 * Math.sin(2 * Math.PI * 2 * f0 * t + 0.5) + 0.1 * Math.sin(2 * Math.PI * 3 * f0 * t)
      );
    });
    const m = A.melOfWave(wave, frontend);
    return { wave, frames: m.frames, mels: [m.mel] };
  };
  const train = [150, 190, 230, 270].map(clipOf);
  const val = [210].map(clipOf);
  const hyper = { dim: 16, layers: 2 };
  fl.manualSeed(4);
  const untrained = new A.Vocos({ nMels: 40, hopLength: 160, ...hyper });
  untrained.eval();
  const before = A.vocoderMelL1(untrained, val, frontend);
  untrained.dispose();
  const r = await A.trainVocoder(train, val, { frontend, steps: 40, seed: 4, batchSize: 4, segmentFrames: 24, lr: 5e-3, hyper });
  assert.ok(r.valMelL1 < 0.7 * before, `held-out mel L1 ${before} → ${r.valMelL1}`);
  assert.deepEqual(r.hyper, { nMels: 40, hopLength: 160, dim: 16, layers: 2 });
  await assert.rejects(
    A.trainVocoder(train, val, { frontend, steps: 2, seed: 0, segmentFrames: 80 }),
    /trainVocoder: no training clip is longer than 80 frames/,
  );
  r.model.dispose();
});
