// audio-fingerprinting (Shazam): index every track of a music collection by landmark hashes
// (Wang 2003) and identify short queries recorded through real noise, a room, a tape at ±5 %
// and a low-bit-rate codec; metrics top-1 identification per distortion, query latency and
// index size. "Training" builds the index; predict names the track and the offset of a file.
// `--model neural` is the learned fingerprint (Chang et al. 2021, ../fingerprint/neural-task.ts):
// contrastive segment embeddings with sequence voting, reported beside the landmark index.

import { FlambeauError } from "../../core/errors.js";
import { noGrad, tensor, tidy } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { plural } from "../../tasks/format.js";
import { opt } from "../../tasks/options.js";
import {
  type DemoOptions,
  type DemoSection,
  defineTask,
  type EvalArgs,
  type Predictor,
  type TaskTrainResult,
  type TrainInput,
} from "../../tasks/task.js";
import { type ConfigSchemaParts, schema } from "../../train/config-schema.js";
import { loadModelDir, readModelConfig, saveModelDir } from "../../train/model-dir.js";
import { noiseSplits } from "../data/sources.js";
import { decodeAudio, type LossyCodec } from "../decode.js";
import { buildLandmarkCatalog, type CatalogEntry, excerptsOf, type QueryExcerpt, type QueryPlan } from "../fingerprint/catalog.js";
import { constellationSvg } from "../fingerprint/constellation-svg.js";
import { DISTORTIONS, type DistortionOptions, distortedQuery } from "../fingerprint/distort.js";
import { evaluateIdentification, type IdentificationReport, type Identifier } from "../fingerprint/evaluate.js";
import { LandmarkIdentifier } from "../fingerprint/landmark-identifier.js";
import { LandmarkIndex, LandmarkIndexBuilder } from "../fingerprint/landmark-index.js";
import { DEFAULT_LANDMARKS, type LandmarkConfig, landmarks, spectralPeaks } from "../fingerprint/landmarks.js";
import { DEFAULT_SEGMENTS } from "../fingerprint/neural-frontend.js";
import type { NeuralIdentifier } from "../fingerprint/neural-identifier.js";
import { NEURAL_SCHEMA, type NeuralHyper, neuralIdentifierOf, saveNeuralFingerprint } from "../fingerprint/neural-model.js";
import { DEFAULT_NEURAL_TRAINING, decodeCatalog, trainNeuralIdentifier } from "../fingerprint/neural-task.js";
import { type MusicTrack, resolveMusicData } from "../music/sets.js";
import { resample } from "../resample.js";
import { defaultCacheDir } from "../speech/cache.js";

const TASK = "audio-fingerprinting";

const EVAL = ["train", "eval"] as const;
const OPTIONS = {
  queries: opt.int("query excerpts per track (each one tried under every distortion)", { phases: EVAL, default: 2 }),
  querySeconds: opt.number("query length in seconds", { phases: EVAL, default: 5, positive: true }),
  snr: opt.number("SNR in dB of the real background noise mixed into noisy queries", { phases: EVAL, default: 5 }),
  rt60: opt.number("reverberation time (RT60, s) of the synthetic room", { phases: EVAL, default: 0.5, positive: true }),
  speed: opt.fraction("speed change of sped-up/slowed-down queries (0.05: ×0.95 or ×1.05)", { phases: EVAL, default: 0.05 }),
  codec: opt.choice(["mp3", "opus"] as const, "low-bit-rate codec of encoded queries", { phases: EVAL, default: "mp3" }),
  bitrate: opt.string("bit rate of encoded queries (ffmpeg's -b:a)", { phases: EVAL, default: "32k" }),
  topK: opt.int("candidate tracks to show", { phases: ["predict"], default: 3 }),
  dim: opt.int("neural: embedding size", { phases: ["train"], default: 64 }),
  width: opt.int("neural: channels of the encoder's first block", { phases: ["train"], default: 16 }),
  temperature: opt.number("neural: NT-Xent temperature", { phases: ["train"], default: 0.05, positive: true }),
  anchors: opt.int("neural: anchor segments per epoch (default every indexed segment)", { phases: ["train"] }),
  skipBaseline: opt.flag("neural eval: skip the landmark baseline on the same queries", { phases: ["eval"] }),
};

interface Preprocessing {
  data: string;
  tracks: CatalogEntry[];
}

const CONFIG_SCHEMA: ConfigSchemaParts = {
  hyper: schema.object({
    sampleRate: schema.int(4000, 96000),
    nFft: schema.int(64, 2046),
    hopLength: schema.int(1, 2046),
    peakFreqRadius: schema.int(0, 256),
    peakTimeRadius: schema.int(0, 256),
    peaksPerSecond: schema.int(1, 1000),
    floorDb: schema.positive(),
    fanOut: schema.int(1, 64),
    maxDt: schema.int(1, 4095),
    maxDf: schema.int(0, 1024),
  }),
};

type EvalOptions = {
  skipBaseline?: boolean;
  queries?: number;
  querySeconds?: number;
  snr?: number;
  rt60?: number;
  speed?: number;
  codec?: LossyCodec;
  bitrate?: string;
};

const planOf = (o: EvalOptions, seed: number): QueryPlan => ({
  perTrack: o.queries ?? 2,
  seconds: o.querySeconds ?? 5,
  slack: (o.querySeconds ?? 5) * (o.speed ?? 0.05) + 0.1,
  seed,
});

/** Real noise at the fingerprint rate: the held-out ambient recordings audio-classification tests with. */
async function distortionsOf(o: EvalOptions, sampleRate: number): Promise<DistortionOptions> {
  const { test } = await noiseSplits(defaultCacheDir());
  const noise = noGrad(() => test.map((n) => tidy(() => (resample(tensor(n), 16000, sampleRate).data() as Float32Array).slice())));
  return {
    sampleRate,
    snrDb: o.snr ?? 5,
    noise,
    rt60: o.rt60 ?? 0.5,
    speed: o.speed ?? 0.05,
    codec: o.codec ?? "mp3",
    bitrate: o.bitrate ?? "32k",
  };
}

async function identificationMetrics(
  id: Identifier & { config: { sampleRate: number } },
  excerpts: QueryExcerpt[],
  o: EvalOptions,
  seed: number,
  log?: (line: string) => void,
): Promise<IdentificationReport> {
  if (excerpts.length === 0)
    throw new FlambeauError("E_ARG", `${TASK}: every track is shorter than a ${o.querySeconds ?? 5} s query`, TASK);
  const d = await distortionsOf(o, id.config.sampleRate);
  return evaluateIdentification(id, excerpts, DISTORTIONS, d, { seconds: o.querySeconds ?? 5, seed, log });
}

function reportMetrics(r: IdentificationReport): Record<string, number> {
  const m: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.top1)) m[`top1${k[0]!.toUpperCase()}${k.slice(1)}`] = v;
  return {
    ...m,
    meanTop1: r.meanTop1,
    offsetAccuracy: r.offsetAccuracy,
    queries: r.queries,
    latencyMsMean: r.latencyMs.mean,
    latencyMsP95: r.latencyMs.p95,
    cpuMsPerQuery: r.cpuMsMean,
  };
}

function flatMetrics(r: IdentificationReport, index: LandmarkIndex, seconds: number): Record<string, number> {
  return {
    ...reportMetrics(r),
    indexHashes: index.size,
    indexMegabytes: index.bytes / 2 ** 20,
    indexedSeconds: seconds,
    // The issue's yardstick: the index as a count of 1-second segments.
    indexSegments: Math.round(seconds),
    tracks: index.trackCount,
  };
}

async function train(o: TrainInput & EvalOptions & NeuralOptions): Promise<TaskTrainResult> {
  if (o.model === "neural") return trainNeural(o);
  const t0 = performance.now();
  const { seed, log } = o;
  const data = await resolveMusicData(o.limit !== undefined ? withLimit(o.data, o.limit) : o.data, { seed, log });
  const c: LandmarkConfig = { ...DEFAULT_LANDMARKS };
  log(`${TASK}: indexing ${data.description} with landmark hashes`);
  const cat = await buildLandmarkCatalog(data.tracks, c, { plan: planOf(o, seed), log });
  const seconds = cat.entries.reduce((s, e) => s + e.seconds, 0);
  log(
    `${TASK}: ${cat.index.size} hashes for ${(seconds / 3600).toFixed(2)} h of audio (decode ${cat.decodeSeconds.toFixed(1)} s, fingerprint ${cat.fingerprintSeconds.toFixed(1)} s); ${plural(cat.excerpts.length, "query excerpt")}`,
  );
  const id = new LandmarkIdentifier(cat.index, c);
  const report = await identificationMetrics(id, cat.excerpts, o, seed, log);
  const metrics = flatMetrics(report, cat.index, seconds);
  await saveIndex(o.out, cat.index, c, { data: o.data, tracks: cat.entries }, { validation: metrics, seed });
  const elapsed = (performance.now() - t0) / 1000;
  return { dir: o.out, metrics, history: { epochs: [], seconds: elapsed, samplesPerSecond: (seconds * c.sampleRate) / elapsed } };
}

/** `spec` with `limit=n` added to its query string. */
function withLimit(spec: string, n: number): string {
  return `${spec}${spec.includes("?") ? "&" : "?"}limit=${n}`;
}

async function saveIndex(dir: string, index: LandmarkIndex, c: LandmarkConfig, pre: Preprocessing, metrics: Record<string, unknown>) {
  // The index travels as two int32 tensors (the uint32 bits unchanged) in model.safetensors.
  const asInt = (a: Uint32Array) => tensor(new Int32Array(a.buffer, a.byteOffset, a.length), { dtype: "int32" });
  const weights = new Map([
    ["landmarks.hashes", asInt(index.hashes)],
    ["landmarks.postings", asInt(index.postings)],
  ]);
  await saveModelDir<LandmarkConfig, Preprocessing>(
    dir,
    { task: TASK, architecture: "landmark", hyper: c, labels: pre.tracks.map((t) => t.id), preprocessing: pre, metrics },
    weights,
  );
  for (const w of weights.values()) w.dispose();
}

async function loadIndex(dir: string): Promise<{ id: LandmarkIdentifier; pre: Preprocessing }> {
  const { config, weights } = await loadModelDir<LandmarkConfig, Preprocessing>(dir, TASK, CONFIG_SCHEMA);
  const get = (k: string): Uint32Array => {
    const t = weights.get(k);
    if (t?.dtype !== "int32" || t.ndim !== 1)
      throw new FlambeauError("E_FORMAT", `${dir}: model.safetensors lacks the int32 vector ${k}`, TASK);
    const a = (t.data() as Int32Array).slice();
    t.dispose();
    return new Uint32Array(a.buffer);
  };
  const pre = config.preprocessing;
  if (!pre || !Array.isArray(pre.tracks)) throw new FlambeauError("E_FORMAT", `${dir}/config.json: preprocessing.tracks is missing`, TASK);
  const index = new LandmarkIndex(get("landmarks.hashes"), get("landmarks.postings"), pre.tracks.length);
  return { id: new LandmarkIdentifier(index, config.hyper), pre };
}

async function loadNeural(dir: string): Promise<{ id: NeuralIdentifier; pre: Preprocessing }> {
  const { config, weights } = await loadModelDir<NeuralHyper, Preprocessing>(dir, TASK, NEURAL_SCHEMA);
  const pre = config.preprocessing;
  if (!pre || !Array.isArray(pre.tracks)) throw new FlambeauError("E_FORMAT", `${dir}/config.json: preprocessing.tracks is missing`, TASK);
  const id = neuralIdentifierOf(config, weights, dir);
  if (id.index.trackCount !== pre.tracks.length)
    throw new FlambeauError(
      "E_FORMAT",
      `${dir}: the index holds ${id.index.trackCount} tracks but config.json names ${pre.tracks.length}`,
      TASK,
    );
  return { id, pre };
}

type LoadedIdentifier =
  | { neural: true; id: NeuralIdentifier; pre: Preprocessing }
  | { neural: false; id: LandmarkIdentifier; pre: Preprocessing };

async function loadIdentifier(dir: string): Promise<LoadedIdentifier> {
  return readModelConfig(dir, TASK).architecture === "neural"
    ? { neural: true, ...(await loadNeural(dir)) }
    : { neural: false, ...(await loadIndex(dir)) };
}

function neuralMetrics(r: IdentificationReport, id: NeuralIdentifier, seconds: number): Record<string, number> {
  return {
    ...reportMetrics(r),
    indexSegments: id.index.size,
    embeddingDim: id.index.dim,
    indexMegabytes: id.index.bytes / 2 ** 20,
    indexedSeconds: seconds,
    tracks: id.index.trackCount,
  };
}

/** Queries cut from the tracks of `data` that the index holds (others are reported and skipped). */
async function evaluate(dir: string, data: string, o: EvalArgs & EvalOptions = {}): Promise<Record<string, unknown>> {
  const m = await loadIdentifier(dir);
  const { id, pre } = m;
  const rate = id.config.sampleRate;
  const d = await resolveMusicData(o.limit !== undefined ? withLimit(data, o.limit) : data, {});
  const pos = new Map(pre.tracks.map((t, i) => [t.id, i]));
  const known: [number, MusicTrack][] = d.tracks.flatMap((t) => (pos.has(t.id) ? [[pos.get(t.id)!, t] as [number, MusicTrack]] : []));
  if (known.length === 0)
    throw new FlambeauError("E_ARG", `${TASK}: none of the ${d.tracks.length} tracks of ${data} is in the index at ${dir}`, TASK);
  const plan = planOf(o, 0);
  const excerpts: QueryExcerpt[] = [];
  // A learned model is compared with the landmark index of the same tracks, built from the same decoding.
  const lc: LandmarkConfig = { ...DEFAULT_LANDMARKS };
  const baseline = m.neural && !o.skipBaseline && lc.sampleRate === rate ? new LandmarkIndexBuilder() : null;
  for (const [i, t] of known) {
    const pcm = await decodeAudio(t.audio, { sampleRate: rate });
    excerpts.push(...excerptsOf(i, pcm, rate, plan));
    baseline?.add(landmarks(pcm, lc));
  }
  const r = await identificationMetrics(id, excerpts, o, 0);
  const seconds = pre.tracks.reduce((s, t) => s + t.seconds, 0);
  const about = { queriedTracks: known.length, skippedTracks: d.tracks.length - known.length, data: d.description };
  if (!m.neural) return { ...flatMetrics(r, m.id.index, seconds), ...about };
  const out: Record<string, unknown> = { ...neuralMetrics(r, m.id, seconds), ...about };
  if (baseline) {
    // The landmark index numbers the queried tracks in `known` order.
    const at = new Map(known.map(([i], j) => [i, j]));
    const lr = await identificationMetrics(
      new LandmarkIdentifier(baseline.build(), lc),
      excerpts.map((e) => ({ ...e, track: at.get(e.track)! })),
      o,
      0,
    );
    for (const [k, v] of Object.entries(reportMetrics(lr))) out[`landmark${k[0]!.toUpperCase()}${k.slice(1)}`] = v;
  }
  m.id.dispose();
  return out;
}

type NeuralOptions = { dim?: number; width?: number; temperature?: number; anchors?: number };

async function trainNeural(o: TrainInput & EvalOptions & NeuralOptions): Promise<TaskTrainResult> {
  const t0 = performance.now();
  const { seed, log } = o;
  const data = await resolveMusicData(o.limit !== undefined ? withLimit(o.data, o.limit) : o.data, { seed, log });
  const D = DEFAULT_NEURAL_TRAINING;
  log(`${TASK}: decoding ${data.description} for the learned fingerprint`);
  const cat = await decodeCatalog(data.tracks, DEFAULT_SEGMENTS.sampleRate, planOf(o, seed), log);
  const { id, history, seconds } = await trainNeuralIdentifier(cat.pcm, {
    epochs: o.epochs ?? D.epochs,
    batchSize: o.batchSize ?? D.batchSize,
    lr: o.lr ?? D.lr,
    temperature: o.temperature ?? D.temperature,
    encoder: { ...D.encoder, dim: o.dim ?? D.encoder.dim, width: o.width ?? D.encoder.width },
    codec: { codec: o.codec ?? "mp3", bitrate: o.bitrate ?? "32k" },
    ...(o.anchors !== undefined ? { anchorsPerEpoch: o.anchors } : {}),
    seed,
    name: TASK,
    log,
    ...(o.progress ? { progress: o.progress } : {}),
  });
  const report = await identificationMetrics(id, cat.excerpts, o, seed, log);
  const total = cat.entries.reduce((s, e) => s + e.seconds, 0);
  const metrics = { ...neuralMetrics(report, id, total), trainSeconds: seconds.train, indexSeconds: seconds.index };
  await saveNeuralFingerprint(
    o.out,
    TASK,
    id,
    cat.entries.map((t) => t.id),
    { data: o.data, tracks: cat.entries },
    { validation: metrics, seed },
  );
  id.dispose();
  return { dir: o.out, metrics, history: { ...history, seconds: (performance.now() - t0) / 1000 } };
}

export interface FingerprintPrediction {
  file: string;
  /** The best track, or null when no landmark matched. */
  track: string | null;
  /** Where the recording starts in that track, in seconds. */
  offset: number;
  /** Aligned landmarks (landmark), or the aligned segments' mean cosine similarity (neural). */
  score: number;
  measure: "landmarks" | "similarity";
  candidates: { track: string; offset: number; score: number }[];
}

async function load(dir: string): Promise<Predictor<FingerprintPrediction, { topK?: number }>> {
  const m = await loadIdentifier(dir);
  const { id, pre } = m;
  return {
    task: TASK,
    async predict(inputs, o = {}) {
      const out: FingerprintPrediction[] = [];
      for (const file of inputs) {
        const ms = id.matches(await decodeAudio(file, { sampleRate: id.config.sampleRate }), o.topK ?? 3);
        const candidates = ms.map((m) => ({ track: pre.tracks[m.track]?.id ?? String(m.track), offset: m.offsetSeconds, score: m.score }));
        out.push({
          file,
          track: candidates[0]?.track ?? null,
          offset: candidates[0]?.offset ?? 0,
          score: candidates[0]?.score ?? 0,
          measure: m.neural ? "similarity" : "landmarks",
          candidates,
        });
      }
      return out;
    },
    dispose: () => {
      if (m.neural) m.id.dispose();
    },
  };
}

const clock = (s: number): string => `${s < 0 ? "-" : ""}${Math.floor(Math.abs(s) / 60)}:${(Math.abs(s) % 60).toFixed(1).padStart(4, "0")}`;

const formatPrediction = (p: FingerprintPrediction): string =>
  p.track === null
    ? "no match"
    : p.measure === "similarity"
      ? `${p.track} at ${clock(p.offset)} (similarity ${p.score.toFixed(3)}${p.candidates[1] ? `; next ${p.candidates[1].track} with ${p.candidates[1].score.toFixed(3)}` : ""})`
      : `${p.track} at ${clock(p.offset)} (${p.score} aligned landmarks${p.candidates[1] ? `; next ${p.candidates[1].track} with ${p.candidates[1].score}` : ""})`;

/** One noisy query from the first indexed track, drawn as its constellation over the track's. */
async function constellationFigure(dir: string, data: string): Promise<string> {
  const { id, pre } = await loadIndex(dir);
  const { tracks } = await resolveMusicData(data, {});
  const first = tracks.find((t) => t.id === pre.tracks[0]?.id);
  if (!first) return "";
  const c = id.config;
  const pcm = await decodeAudio(first.audio, { sampleRate: c.sampleRate });
  const len = 5 * c.sampleRate;
  const start = Math.min(30 * c.sampleRate, Math.max(0, pcm.length - len));
  const d = await distortionsOf({}, c.sampleRate);
  const q = await distortedQuery(pcm.subarray(start, start + len), 0, len, "noise", d, new Random(0, 55));
  const m = id.identify(q.samples);
  const off = Math.round((m?.offset ?? 0) / (c.hopLength / c.sampleRate));
  const qp = spectralPeaks(q.samples, c);
  const frames = Math.ceil(len / c.hopLength);
  const tp = spectralPeaks(pcm.subarray(Math.max(0, off * c.hopLength), Math.max(0, off * c.hopLength) + len), c);
  const found = m ? `${pre.tracks[m.track]?.id} at ${clock(m.offset)} (truth ${first.id} at ${clock(start / c.sampleRate)})` : "no match";
  return constellationSvg(tp, qp, {
    frames,
    bins: c.nFft / 2 + 1,
    frameSeconds: c.hopLength / c.sampleRate,
    binHz: c.sampleRate / c.nFft,
    caption: `A 5 s query from ${first.id} under real background noise at ${d.snrDb} dB SNR, identified as ${found}.`,
  });
}

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const data = o.full ? "music" : "music?limit=8";
  const r = await train({ data, out: o.out, seed: 0, log: o.log ?? (() => {}), queries: o.full ? 3 : 2 });
  const m = r.metrics as Record<string, number>;
  return {
    task: TASK,
    dataset: `${m.tracks} tracks of Debian's music packages (singularity-music recordings, openttd-openmsx and planetblupi MIDI through FluidSynth), ${m.queries} five-second queries`,
    commands: [`flambeau train ${TASK} --data "${data}" --out ${o.out}`, `flambeau predict ${o.out} query.ogg`],
    metrics: m,
    history: [],
    seconds: (performance.now() - t0) / 1000,
    extraHtml: await constellationFigure(o.out, data),
  };
}

export const audioFingerprinting = defineTask({
  name: TASK,
  description:
    "identify a recording's track and offset (Shazam): landmark hashes (Wang 2003) in an inverted index, matched by offset histogram, or a learned contrastive segment fingerprint (--model neural, Chang et al. 2021) with sequence voting; top-1 under noise, reverb, speed and codec",
  dataFormat:
    'a folder of audio files (ogg/mp3/wav/flac/opus/m4a; MIDI rendered by FluidSynth) or the Debian music sets: "music", or some of singularity, openmsx, planetblupi joined by commas (options as ?limit=12&maxSeconds=240)',
  models: ["landmark", "neural"],
  defaultModel: "landmark",
  options: OPTIONS,
  baseline: "chance (1 / tracks); the landmark index itself is the classic baseline a learned fingerprint stands beside",
  train,
  evaluate,
  load,
  formatPrediction,
  demo,
});
