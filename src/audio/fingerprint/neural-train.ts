// Training the learned fingerprint: every epoch visits each index segment once as an anchor
// (shuffled), batches of anchors become (clean, replica) pairs (neural-pairs.ts), and the
// encoder learns NT-Xent over them on the one Trainer, with a warm-up + cosine learning rate.
import { FlambeauError } from "../../core/errors.js";
import { cat, manualSeed } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { AdamW } from "../../optim/index.js";
import { WarmupCosineLR } from "../../train/callbacks.js";
import type { ProgressSink } from "../../train/progress.js";
import { type History, Trainer } from "../../train/trainer.js";
import { FingerprintEncoder, type FingerprintEncoderOptions } from "./neural-encoder.js";
import { type SegmentConfig, segmentCount } from "./neural-frontend.js";
import { type PairDistortions, type PairSource, pairBatch } from "./neural-pairs.js";
import { ntXentLoss } from "./nt-xent.js";

export interface FingerprintTrainOptions {
  segments: SegmentConfig;
  encoder: Omit<FingerprintEncoderOptions, "nMels" | "frames">;
  distortions: PairDistortions;
  epochs: number;
  /** Pairs per batch (2× as many segments go through the encoder). */
  batchSize: number;
  lr: number;
  temperature: number;
  /** Anchors per epoch (default: every index segment once). */
  anchorsPerEpoch?: number;
  seed: number;
  name: string;
  log: (line: string) => void;
  progress?: ProgressSink;
}

type PairBatch = { anchors: [number, number][] };

export async function trainFingerprintEncoder(
  src: PairSource,
  o: FingerprintTrainOptions,
): Promise<{ encoder: FingerprintEncoder; history: History }> {
  const all: [number, number][] = [];
  src.tracks.forEach((t, i) => {
    for (let k = 0; k < segmentCount(t.length, o.segments); k++) all.push([i, k]);
  });
  if (all.length < 2 || o.batchSize < 2)
    throw new FlambeauError(
      "E_ARG",
      `${o.name}: training needs at least 2 segments and pairs per batch, got ${all.length} segments and batch size ${o.batchSize}`,
      o.name,
    );
  manualSeed(o.seed);
  const encoder = new FingerprintEncoder({ ...o.encoder, nMels: o.segments.nMels, frames: o.segments.segmentFrames });
  const perEpoch = Math.min(o.anchorsPerEpoch ?? all.length, all.length);
  const steps = Math.max(1, Math.floor(perEpoch / o.batchSize));
  const rng = new Random(o.seed, 77);
  const batches = {
    length: steps,
    *[Symbol.iterator](): Generator<PairBatch> {
      const order = rng.permutation(all.length);
      for (let s = 0; s < steps; s++) yield { anchors: Array.from(order.subarray(s * o.batchSize, (s + 1) * o.batchSize), (i) => all[i]!) };
    },
  };
  const optimizer = new AdamW(encoder.parameters(), { lr: o.lr, weightDecay: 1e-4 });
  const total = steps * o.epochs;
  const trainer = new Trainer<PairBatch>({
    name: o.name,
    model: encoder,
    optimizer,
    step: (b) => {
      const { clean, replica } = pairBatch(src, b.anchors, o.segments, o.distortions, rng);
      // One forward over both halves: batch norm sees clean and distorted segments alike.
      const z = encoder.forward(cat([clean, replica], 0));
      const n = b.anchors.length;
      return ntXentLoss(z.narrow(0, 0, n), z.narrow(0, n, n), o.temperature);
    },
    batchSize: (b) => b.anchors.length,
    progress: o.progress,
    seed: o.seed,
    callbacks: [
      new WarmupCosineLR(optimizer, o.lr, total, Math.min(200, Math.ceil(total / 10))),
      {
        onEpochEnd: (st, l) =>
          o.log(`${o.name}: epoch ${st.epoch}/${o.epochs}: NT-Xent ${l.loss!.toFixed(3)} (${l.seconds!.toFixed(0)} s)`),
      },
    ],
  });
  const history = await trainer.fit(batches, { epochs: o.epochs });
  encoder.eval();
  return { encoder, history };
}
