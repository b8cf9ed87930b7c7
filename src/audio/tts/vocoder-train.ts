// Trains the Vocos vocoder on (mel, waveform) pairs without a discriminator: random segments of
// the training recordings, mel L1 + multi-resolution STFT loss. Each clip may carry several
// mels for the same audio — the ground truth and the acoustic model's teacher-forced prediction
// (HiFi-GAN's fine-tuning recipe, folded into one run) — so the vocoder learns to turn the
// acoustic model's slightly blurred spectra into clean speech, not only the exact ones.
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { AdamW } from "../../optim/index.js";
import { WarmupCosineLR } from "../../train/callbacks.js";
import type { ProgressSink } from "../../train/progress.js";
import { Trainer } from "../../train/trainer.js";
import type { FrontendConfig } from "../data/frontend.js";
import { melLoss, multiResolutionStftLoss } from "./stft-loss.js";
import { Vocos, type VocosOptions } from "./vocos.js";

const OP = "trainVocoder";

export interface VocoderClip {
  /** Samples at the frontend's rate; at least (frames − 1) · hop of them. */
  wave: Float32Array;
  frames: number;
  /** Standardised log-mels [nMels × frames] of this audio: the ground truth first, then any predictions of it. */
  mels: Float32Array[];
}

export interface VocoderTrainOptions {
  frontend: FrontendConfig;
  steps: number;
  seed: number;
  batchSize?: number;
  /** Mel frames per training segment (default 48: 0.48 s at a 10 ms hop). */
  segmentFrames?: number;
  lr?: number;
  hyper?: Partial<Omit<VocosOptions, "nMels" | "hopLength">>;
  log?: (line: string) => void;
  progress?: ProgressSink;
}

export interface TrainedVocoder {
  model: Vocos;
  hyper: VocosOptions;
  /** Mel L1 (ln magnitude) of the validation clips vocoded from their ground-truth mels. */
  valMelL1: number;
  seconds: number;
}

interface Segments {
  mel: Tensor;
  wave: Tensor;
  n: number;
}

/** The validation figure: mean mel L1 of whole clips vocoded from their first (ground-truth) mel. */
export function vocoderMelL1(model: Vocos, clips: readonly VocoderClip[], f: FrontendConfig): number {
  let s = 0;
  for (const c of clips)
    s += noGrad(() =>
      tidy(() => {
        const y = model.forward(tensor(c.mels[0]!, { shape: [1, f.nMels, c.frames] }));
        const x = tensor(c.wave.subarray(0, y.shape[1]!), { shape: [1, y.shape[1]!] });
        return melLoss(y, x, f).item();
      }),
    );
  return s / Math.max(1, clips.length);
}

export async function trainVocoder(
  train: readonly VocoderClip[],
  val: readonly VocoderClip[],
  o: VocoderTrainOptions,
): Promise<TrainedVocoder> {
  const f = o.frontend;
  const seg = o.segmentFrames ?? 48;
  const batch = o.batchSize ?? 16;
  if (!Number.isInteger(o.steps) || o.steps < 1)
    throw new FlambeauError("E_ARG", `${OP}: steps must be an integer ≥ 1, got ${o.steps}`, OP);
  const usable = train.filter((c) => c.frames > seg && c.wave.length >= (c.frames - 1) * f.hopLength);
  if (usable.length === 0)
    throw new FlambeauError("E_ARG", `${OP}: no training clip is longer than ${seg} frames (${(seg * f.hopLength) / f.sampleRate} s)`, OP);
  for (const c of usable)
    for (const m of c.mels)
      if (m.length !== f.nMels * c.frames)
        throw new FlambeauError("E_SHAPE", `${OP}: a mel has ${m.length} values, expected ${f.nMels} × ${c.frames}`, OP);
  manualSeed(o.seed);
  const hyper: VocosOptions = { nMels: f.nMels, hopLength: f.hopLength, dim: 128, layers: 8, ...o.hyper };
  const model = new Vocos(hyper);
  const lr = o.lr ?? 2e-3;
  const optimizer = new AdamW(model.parameters(), { lr, weightDecay: 1e-2 });
  const stepsPerEpoch = Math.min(o.steps, 100);
  const epochs = Math.ceil(o.steps / stepsPerEpoch);
  const total = epochs * stepsPerEpoch;
  const rng = new Random(o.seed, 77);
  // Clips are drawn in proportion to their length, so every second of audio is equally likely.
  const cum: number[] = [];
  let acc = 0;
  for (const c of usable) cum.push((acc += c.frames - seg));
  const pick = (): VocoderClip => {
    const r = rng.nextFloat() * cum[cum.length - 1]!;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return usable[lo]!;
  };
  const samples = (seg - 1) * f.hopLength;
  const makeBatch = (): Segments => {
    const mel = new Float32Array(batch * f.nMels * seg);
    const wave = new Float32Array(batch * samples);
    for (let b = 0; b < batch; b++) {
      const c = pick();
      const m = c.mels[Math.floor(rng.nextFloat() * c.mels.length)]!;
      const s = Math.floor(rng.nextFloat() * (c.frames - seg + 1));
      for (let k = 0; k < f.nMels; k++) mel.set(m.subarray(k * c.frames + s, k * c.frames + s + seg), (b * f.nMels + k) * seg);
      wave.set(c.wave.subarray(s * f.hopLength, s * f.hopLength + samples), b * samples);
    }
    return { mel: tensor(mel, { shape: [batch, f.nMels, seg] }), wave: tensor(wave, { shape: [batch, samples] }), n: batch };
  };
  const batches = {
    length: stepsPerEpoch,
    *[Symbol.iterator](): Generator<Segments> {
      for (let i = 0; i < stepsPerEpoch; i++) yield makeBatch();
    },
  };
  const log = o.log ?? (() => {});
  log(
    `vocoder: Vocos (dim ${hyper.dim}, ${hyper.layers} ConvNeXt blocks, ${model.numParameters().toLocaleString("en")} parameters), ${total} steps of ${batch} × ${seg}-frame segments from ${usable.length} clips, lr ${lr}`,
  );
  const trainer = new Trainer<Segments>({
    name: "vocoder",
    model,
    optimizer,
    step: (b) =>
      tidy(() => {
        const y = model.forward(b.mel);
        return melLoss(y, b.wave, f).add(multiResolutionStftLoss(y, b.wave));
      }),
    batchSize: (b) => b.n,
    gradClipNorm: 1,
    validate: () => {
      model.eval();
      const v = vocoderMelL1(model, val, f);
      model.train();
      return { valMelL1: v };
    },
    keepBest: { monitor: "valMelL1", mode: "min" },
    progress: o.progress,
    callbacks: [
      new WarmupCosineLR(optimizer, lr, total, Math.min(total, stepsPerEpoch)),
      {
        onEpochEnd: (st, l) =>
          log(
            `vocoder: step ${st.epoch * stepsPerEpoch}: loss ${l.loss!.toFixed(3)}, validation mel L1 ${l.valMelL1!.toFixed(3)} (${l.seconds!.toFixed(0)} s)`,
          ),
      },
    ],
  });
  const history = await trainer.fit(batches, { epochs });
  model.eval();
  const best = history.epochs[(history.bestEpoch ?? history.epochs.length) - 1];
  return { model, hyper, valMelL1: best?.valMelL1 ?? Number.NaN, seconds: history.seconds };
}
