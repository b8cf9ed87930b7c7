// audio-fingerprinting's learned model (`--model neural`): decode the collection once at the
// segment rate, cut the same query excerpts the landmark index is tested with, train the
// encoder on (clean, distorted) pairs of the collection's own segments, index every segment
// and test identification under the held-out noise and rooms; `eval` of a neural model also
// runs the landmark index over the same queries, the baseline the issue compares against.
import { noGrad, tensor, tidy } from "../../core/index.js";
import type { ProgressSink } from "../../train/progress.js";
import type { History } from "../../train/trainer.js";
import { noiseSplits } from "../data/sources.js";
import { decodeAudio, type LossyCodec, lossyRoundTrip } from "../decode.js";
import type { MusicTrack } from "../music/sets.js";
import { resample } from "../resample.js";
import { defaultCacheDir } from "../speech/cache.js";
import { type CatalogEntry, excerptsOf, type QueryExcerpt, type QueryPlan } from "./catalog.js";
import { DEFAULT_FINGERPRINT_ENCODER, type FingerprintEncoderOptions } from "./neural-encoder.js";
import { DEFAULT_SEGMENTS, type SegmentConfig } from "./neural-frontend.js";
import { buildSegmentIndex, NeuralIdentifier } from "./neural-identifier.js";
import { DEFAULT_PAIR_DISTORTIONS } from "./neural-pairs.js";
import { trainFingerprintEncoder } from "./neural-train.js";

export interface DecodedCatalog {
  pcm: Float32Array[];
  entries: CatalogEntry[];
  excerpts: QueryExcerpt[];
}

/** Every track decoded at `sampleRate` (kept: training reads them), with the plan's excerpts. */
export async function decodeCatalog(
  tracks: readonly MusicTrack[],
  sampleRate: number,
  plan: QueryPlan | undefined,
  log?: (line: string) => void,
): Promise<DecodedCatalog> {
  const out: DecodedCatalog = { pcm: [], entries: [], excerpts: [] };
  for (const [i, t] of tracks.entries()) {
    const pcm = await decodeAudio(t.audio, { sampleRate });
    out.pcm.push(pcm);
    out.entries.push({ id: t.id, title: t.title, source: t.source, seconds: pcm.length / sampleRate });
    if (plan) out.excerpts.push(...excerptsOf(i, pcm, sampleRate, plan));
    if ((i + 1) % 10 === 0 || i + 1 === tracks.length) log?.(`decoded ${i + 1}/${tracks.length} tracks`);
  }
  return out;
}

/** The held-in noise recordings (two of every three), at `sampleRate`: evaluation mixes the other third. */
export async function trainingNoise(sampleRate: number): Promise<Float32Array[]> {
  const { train } = await noiseSplits(defaultCacheDir());
  return noGrad(() => train.map((n) => tidy(() => (resample(tensor(n), 16000, sampleRate).data() as Float32Array).slice())));
}

export interface NeuralTrainSettings {
  epochs: number;
  batchSize: number;
  lr: number;
  temperature: number;
  encoder: Omit<FingerprintEncoderOptions, "nMels" | "frames">;
  /** Codec of the replicas' round trip (whole tracks, once); null: no codec pairs. */
  codec: { codec: LossyCodec; bitrate: string } | null;
  anchorsPerEpoch?: number;
  seed: number;
  name: string;
  log: (line: string) => void;
  progress?: ProgressSink;
}

export const DEFAULT_NEURAL_TRAINING = Object.freeze({
  epochs: 8,
  batchSize: 128,
  lr: 2e-3,
  temperature: 0.05,
  encoder: DEFAULT_FINGERPRINT_ENCODER,
});

/** Trains the encoder on the decoded tracks and indexes every one of their segments. */
export async function trainNeuralIdentifier(
  pcm: readonly Float32Array[],
  s: NeuralTrainSettings,
  c: SegmentConfig = DEFAULT_SEGMENTS,
): Promise<{ id: NeuralIdentifier; history: History; seconds: { codec: number; train: number; index: number } }> {
  const t0 = performance.now();
  const codec: Float32Array[] = [];
  if (s.codec) {
    for (const x of pcm) {
      const y = await lossyRoundTrip(x, c.sampleRate, s.codec.codec, s.codec.bitrate);
      // The decoder may return a few samples more or less than went in.
      const fit = new Float32Array(x.length);
      fit.set(y.subarray(0, x.length));
      codec.push(fit);
    }
    s.log(`${s.name}: ${pcm.length} tracks through ${s.codec.codec} at ${s.codec.bitrate} for codec pairs`);
  }
  const t1 = performance.now();
  const noise = await trainingNoise(c.sampleRate);
  const { encoder, history } = await trainFingerprintEncoder(s.codec ? { tracks: pcm, codec } : { tracks: pcm }, {
    segments: c,
    encoder: s.encoder,
    distortions: { ...DEFAULT_PAIR_DISTORTIONS, noise },
    epochs: s.epochs,
    batchSize: s.batchSize,
    lr: s.lr,
    temperature: s.temperature,
    ...(s.anchorsPerEpoch !== undefined ? { anchorsPerEpoch: s.anchorsPerEpoch } : {}),
    seed: s.seed,
    name: s.name,
    log: s.log,
    ...(s.progress ? { progress: s.progress } : {}),
  });
  const t2 = performance.now();
  const index = buildSegmentIndex(encoder, pcm, c, s.log);
  const t3 = performance.now();
  s.log(`${s.name}: ${index.size} segments × ${index.dim} indexed (${(index.bytes / 2 ** 20).toFixed(1)} MB)`);
  return {
    id: new NeuralIdentifier(encoder, c, index),
    history,
    seconds: { codec: (t1 - t0) / 1000, train: (t2 - t1) / 1000, index: (t3 - t2) / 1000 },
  };
}
