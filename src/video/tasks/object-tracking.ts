// object-tracking: multi-object tracking by detection on generated clips (objects moving,
// rotating, growing, appearing, two swapping places, a still distractor beside them). train
// fits a class-agnostic CenterNet on the clips' frames (saved as an object-detection model in
// <dir>/detector) and a small appearance embedding (EmbeddingCNN + CosFace over the clips'
// object identities, in <dir>). eval runs three trackers on the detections of held-out clips
// (held-out objects and photos) — the IoU-only baseline, SORT (Kalman + Hungarian on IoU) and
// DeepSORT (plus the appearance embedding gated by Mahalanobis distance) — and reports MOTA,
// MOTP, IDF1 and ID switches for each, also on the ground-truth boxes (tracking alone).
// predict tracks the objects of a video file into an MP4/GIF with drawn boxes and ids, or with
// --box x,y,w,h follows one object from that box (template correlation + Kalman), which works
// on real footage such as opencv-doc's vtest.avi (which has no ground truth to score it).
import { mkdirSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { AdamW } from "../../optim/index.js";
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
import { WarmupCosineLR } from "../../train/callbacks.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { Trainer } from "../../train/trainer.js";
import { randomTranslate } from "../../vision/augment.js";
import { CenterNet, splitCenterNet } from "../../vision/models/centernet.js";
import { CosFaceLoss, CosFaceTraining, EmbeddingCNN } from "../../vision/models/embedding.js";
import { DetectionMeter, decodeCenterNet } from "../../vision/scenes/centernet-decode.js";
import { centernetLoss } from "../../vision/scenes/centernet-loss.js";
import { centernetTargets } from "../../vision/scenes/centernet-targets.js";
import { fitOnScenes, loadSceneModel } from "../../vision/scenes/fit.js";
import type { Scene } from "../../vision/scenes/generate.js";
import { type ImagePreprocessing, normalise } from "../../vision/scenes/loader.js";
import type { ObjectSource } from "../../vision/scenes/objects.js";
import type { SceneSplit } from "../../vision/scenes/task-data.js";
import { ACTIONS } from "../data/actions.js";
import { type Clip, generateClips } from "../data/clips.js";
import { probeVideo } from "../io/probe.js";
import { readVideoFrames, type VideoChunk } from "../io/read.js";
import { writeVideo } from "../io/write.js";
import type { Box } from "../tracking/boxes.js";
import { cropBox } from "../tracking/crops.js";
import { DeepSortTracker } from "../tracking/deepsort.js";
import { IouTracker } from "../tracking/iou-tracker.js";
import { type MotFrame, type MotResult, motMetrics } from "../tracking/mot-metrics.js";
import { SortTracker } from "../tracking/sort.js";
import { TemplateTracker } from "../tracking/template.js";
import type { Detection, Tracker } from "../tracking/types.js";
import { drawTracks, trackedClipFigure, upscale } from "./tracked-clip.js";

const TASK = "object-tracking";
const ARCHS = ["deepsort"] as const;
/** Side of the appearance crops. */
const CROP = 32;
/** Detections below this score are not tracked. */
const DETECT_THRESHOLD = 0.3;
/** Seed of the held-out clips every model is scored on. */
const TEST_SEED = 20_251_205;
/** Every clip that is not a swap gets the still second object: two objects to keep apart. */
const DISTRACTOR = 1;
/**
 * DeepSORT's appearance gate (largest cosine distance that may match): deep_sort's 0.2, which the
 * validation clips (`--clips val`, default model) also choose — IDF1 0.764 and 26 switches there,
 * against 0.762 / 27 at 0.3 and 0.760 / 27 at 1.0.
 */
const APPEARANCE_GATE = 0.2;
/** Largest shift (px of the 32-px crop) of the embedding's training crops. */
const EMBED_SHIFT = 3;
/** The validation clips' seed, after the training seed (the detector is watched on them). */
const valSeed = (seed: number) => seed + 1_000_003;

const OPTIONS = {
  frames: opt.int("frames per clip (default 12)", { phases: ["train"] }),
  size: opt.int("frame side in px, a multiple of 16 (default 64)", { phases: ["train"] }),
  count: opt.int("generated training clips (default 3,000; --limit caps it)", { phases: ["train"] }),
  embedEpochs: opt.int("epochs of the appearance embedding (default 6)", { phases: ["train"] }),
  minHits: opt.int("detections before a track is reported (SORT's min hits, DeepSORT's n_init; default 1: clips are short)", {
    phases: ["eval", "predict"],
  }),
  maxAge: opt.int("frames a track outlives its last detection (default 3)", { phases: ["eval", "predict"] }),
  maxCosineDistance: opt.number(
    `DeepSORT's appearance gate: the largest cosine distance between a track's and a detection's embeddings that may match (default ${APPEARANCE_GATE}, chosen on the validation clips)`,
    { phases: ["eval", "predict"] },
  ),
  clips: opt.choice(
    ["test", "val"],
    "eval: the held-out test clips (held-out objects and photos), or the validation clips the detector was watched on (to choose settings on)",
    { phases: ["eval"], default: "test" },
  ),
  box: opt.string("predict: follow the one object in this box x,y,w,h (pixels of the video) instead of detecting", {
    phases: ["predict"],
  }),
  maxFrames: opt.int("predict: frames of the video to track (default 300)", { phases: ["predict"] }),
};

interface Hyper {
  dim: number;
  width: number;
}

interface Preprocessing {
  size: number;
  frames: number;
  crop: number;
  mean: number[];
  std: number[];
  generator: { objects: ObjectSource };
}

function generatorOf(data: string): ObjectSource {
  const m = /^clips(?::(fashion|digits))?$/.exec(data);
  if (!m)
    throw new FlambeauError(
      "E_ARG",
      `${TASK}: --data must be clips, clips:fashion or clips:digits (generated clips with boxes), got "${data}"`,
    );
  return (m[1] as ObjectSource | undefined) ?? "fashion";
}

/** Every frame of the clips as a detection scene with one class, "object". */
function framesAsScenes(clips: readonly Clip[], size: number): SceneSplit {
  const hw = size * size;
  const empty = new Uint8Array(hw);
  const scenes: Scene[] = [];
  for (const c of clips)
    c.boxes.forEach((row, t) => {
      const objects = row.flatMap((b) => (b && b[2] > 0 && b[3] > 0 ? [{ category: 0, box: b, area: b[2] * b[3] }] : []));
      scenes.push({ image: c.frames.subarray(t * 3 * hw, (t + 1) * 3 * hw), semantic: empty, instances: empty, objects });
    });
  return { size, classes: ["object"], scenes };
}

/** Crops of every visible object in every frame, labelled by identity (clip, object). */
function identityCrops(clips: readonly Clip[], size: number): { crops: Uint8Array; labels: number[] } {
  const per = 3 * CROP * CROP;
  const parts: Uint8Array[] = [];
  const labels: number[] = [];
  let identity = 0;
  for (const c of clips) {
    c.objects.forEach((_, k) => {
      c.boxes.forEach((row, t) => {
        const b = row[k];
        if (!b || b[2] <= 0 || b[3] <= 0) return;
        parts.push(cropBox(c.frames.subarray(t * 3 * size * size, (t + 1) * 3 * size * size), size, size, b, CROP));
        labels.push(identity);
      });
      identity++;
    });
  }
  const crops = new Uint8Array(parts.length * per);
  parts.forEach((p, i) => crops.set(p, i * per));
  return { crops, labels };
}

const prepareCrops = (x: Tensor, p: Preprocessing): Tensor => normalise(x, { size: p.crop, mean: p.mean, std: p.std, generator: null });

type TrainOptions = TrainInput & { frames?: number; size?: number; count?: number; embedEpochs?: number };

async function train(o: TrainOptions): Promise<TaskTrainResult> {
  const { seed, log } = o;
  manualSeed(seed);
  const objects = generatorOf(o.data);
  const frames = o.frames ?? 12;
  const size = o.size ?? 64;
  if (!Number.isInteger(size) || size % 16 !== 0 || size < 32 || size > 256)
    throw new FlambeauError("E_ARG", `${TASK}: --size must be a multiple of 16 in [32, 256], got ${size}`);
  // 3,000 clips (36,000 frames): with 300 the detector overfit (validation mAP@0.5 0.37 against 0.77).
  const count = Math.min(o.count ?? 3000, o.limit ?? Number.POSITIVE_INFINITY);
  if (!(count >= 2)) throw new FlambeauError("E_ARG", `${TASK}: needs at least 2 training clips, got ${count}`);
  const set = await generateClips({ count, size, frames, objects, split: "train", seed, distractor: DISTRACTOR });
  const valSet = await generateClips({
    count: Math.max(4, Math.round(count / 8)),
    size,
    frames,
    objects,
    split: "train",
    seed: valSeed(seed),
    distractor: DISTRACTOR,
  });
  // 1. The detector, on every frame (one class: tracking needs where objects are, not what).
  const detectorDir = join(o.out, "detector");
  const det = await fitOnScenes(
    {
      task: "object-detection",
      model: new CenterNet({ numClasses: 1, width: 16, neck: 32, head: 32 }),
      architecture: "centernet-tiny",
      hyper: { numClasses: 1, width: 16, neck: 32, head: 32, masks: false },
      labels: ["object"],
      train: framesAsScenes(set.clips, size),
      val: framesAsScenes(valSet.clips, size),
      generator: null,
      targets: (s) => centernetTargets(s, { numClasses: 1, masks: false }),
      loss: centernetLoss(1, false),
      meter: () => new DetectionMeter(1, false, { topK: 20, scoreThreshold: 0.05, nmsIou: 0.5 }),
      batchSize: o.batchSize ?? 32,
      valBatchSize: 64,
      epochs: o.epochs ?? 6,
      peakLr: o.lr ?? 2e-3,
      monitor: "valMap50",
      splitRecord: false,
    },
    { ...o, out: detectorDir },
  );
  // 2. The appearance embedding: which object is which, across frames of a clip.
  const { crops, labels } = identityCrops(set.clips, size);
  const n = labels.length;
  const identities = labels.length ? labels[labels.length - 1]! + 1 : 0;
  const images = tensor(crops, { shape: [n, 3, CROP, CROP] });
  const y = tensor(BigInt64Array.from(labels, BigInt), { shape: [n] });
  const stats = tidy(() => {
    const x = images.float().div(255);
    return {
      mean: x.mean({ dim: [0, 2, 3] }).toArray() as number[],
      std: (x.std({ dim: [0, 2, 3] }).toArray() as number[]).map((s) => Math.max(s, 1e-3)),
    };
  });
  const pre: Preprocessing = { size, frames, crop: CROP, ...stats, generator: { objects } };
  const hyper: Hyper = { dim: 64, width: 16 };
  const net = new EmbeddingCNN({ inChannels: 3, ...hyper });
  const withHead = new CosFaceTraining(net, new CosFaceLoss(hyper.dim, identities));
  const epochs = o.embedEpochs ?? 6;
  const batch = 128;
  const peakLr = 2e-3;
  const optimizer = new AdamW(withHead.parameters(), { lr: peakLr, weightDecay: 1e-4 });
  const steps = Math.ceil(n / batch);
  log(`${TASK}: appearance embedding on ${n} crops of ${identities} identities; CosFace, ${plural(epochs, "epoch")}, batch ${batch}`);
  const rng = new Random(seed, 31);
  const batches = {
    length: steps,
    [Symbol.asyncIterator]: () =>
      (async function* () {
        const perm = rng.permutation(n);
        for (let s = 0; s < steps; s++)
          yield tidy(() => {
            const idx = tensor(BigInt64Array.from(perm.subarray(s * batch, Math.min(n, (s + 1) * batch)), (v) => BigInt(v)));
            // Detections sit a few pixels off the true boxes the crops are cut from, and the test objects
            // are unseen: shifted (and, but for digits, mirrored) crops teach an embedding that holds
            // across both, as re-identification training augments (Wojke & Bewley 2018).
            const x = randomTranslate(prepareCrops(images.indexSelect(0, idx), pre), {
              maxShift: EMBED_SHIFT,
              hflip: objects !== "digits",
            });
            return [x, y.indexSelect(0, idx)] as [Tensor, Tensor];
          });
      })(),
  };
  const trainer = new Trainer<[Tensor, Tensor]>({
    name: `${TASK} embedding`,
    model: withHead,
    optimizer,
    step: ([x, l]) => withHead.forward(x, l),
    progress: o.progress,
    callbacks: [new WarmupCosineLR(optimizer, peakLr, epochs * steps, 0)],
  });
  const history = await trainer.fit(batches, { epochs });
  net.eval();
  const metrics = { detector: det.metrics, embedding: { crops: n, identities, finalLoss: history.epochs.at(-1)?.loss } };
  await saveModelDir<Hyper, Preprocessing>(
    o.out,
    {
      task: TASK,
      architecture: "deepsort",
      hyper,
      labels: ["object"],
      preprocessing: pre,
      metrics: { ...metrics, epochs: o.epochs ?? 6, embedEpochs: epochs, seed, trainClips: count, detector: "detector/" },
    },
    net.stateDict(),
  );
  images.dispose();
  y.dispose();
  withHead.dispose();
  return { dir: o.out, metrics, history: det.history };
}

interface LoadedTracker {
  detector: CenterNet;
  detPre: ImagePreprocessing;
  net: EmbeddingCNN;
  pre: Preprocessing;
  /** The training seed, which the validation clips' seed follows. */
  seed: number;
  dispose(): void;
}

async function loadTracking(dir: string): Promise<LoadedTracker> {
  const { config, weights } = await loadModelDir<Hyper, Preprocessing>(dir, TASK);
  let net: EmbeddingCNN;
  try {
    if (!config.preprocessing) throw new FlambeauError("E_FORMAT", `${dir}/config.json has no preprocessing; retrain the model`);
    net = new EmbeddingCNN({ inChannels: 3, ...config.hyper });
    net.loadStateDict(weights);
    net.eval();
  } finally {
    for (const t of weights.values()) t.dispose();
  }
  const d = await loadSceneModel<{ numClasses: number; width: number; neck: number; head: number }, CenterNet>(
    join(dir, "detector"),
    "object-detection",
    (_arch, h) => new CenterNet({ numClasses: h.numClasses, width: h.width, neck: h.neck, head: h.head }),
  );
  return {
    detector: d.model,
    detPre: d.pre,
    net,
    pre: config.preprocessing,
    seed: Number(config.metrics?.seed ?? 0),
    dispose: () => {
      d.model.dispose();
      net.dispose();
    },
  };
}

/** Confident boxes in each of T frames (uint8 [T, 3, S, S], S the detector's side). */
function detectFrames(m: LoadedTracker, frames: Uint8Array, t: number): Box[][] {
  const s = m.detPre.size;
  return noGrad(() =>
    tidy(() => {
      const x = normalise(tensor(frames, { shape: [t, 3, s, s] }), m.detPre);
      const maps = splitCenterNet(m.detector.forward(x), 1, false);
      return decodeCenterNet(maps, { topK: 20, scoreThreshold: DETECT_THRESHOLD, nmsIou: 0.5 }).map((ds) =>
        ds.flatMap((d) => (d.box[2] > 0.5 && d.box[3] > 0.5 ? [d.box] : [])),
      );
    }),
  );
}

/** Unit-length embeddings of boxes in a [3, S, S] frame. */
function embedBoxes(m: LoadedTracker, frame: Uint8Array, s: number, boxes: readonly Box[]): Float32Array[] {
  if (!boxes.length) return [];
  const per = 3 * m.pre.crop * m.pre.crop;
  const crops = new Uint8Array(boxes.length * per);
  boxes.forEach((b, i) => crops.set(cropBox(frame, s, s, b, m.pre.crop), i * per));
  const e = noGrad(() =>
    tidy(() => m.net.forward(prepareCrops(tensor(crops, { shape: [boxes.length, 3, m.pre.crop, m.pre.crop] }), m.pre)).data()),
  ) as Float32Array;
  const d = e.length / boxes.length;
  return boxes.map((_, i) => e.slice(i * d, (i + 1) * d));
}

type TrackerName = "iou" | "sort" | "deepsort";
const TRACKERS: readonly TrackerName[] = ["iou", "sort", "deepsort"];

interface TrackerSettings {
  minHits: number;
  maxAge: number;
  maxCosineDistance: number;
}

function makeTracker(name: TrackerName, o: TrackerSettings): Tracker {
  if (name === "iou") return new IouTracker();
  if (name === "sort") return new SortTracker({ minHits: o.minHits, maxAge: o.maxAge });
  // The same confirmation as SORT's: SORT counts the hits after a track's first detection and
  // reports every track in its first minHits frames; DeepSORT counts the first detection too.
  return new DeepSortTracker({ nInit: o.minHits + 1, maxAge: o.maxAge, reportWhileStarting: true, maxCosineDistance: o.maxCosineDistance });
}

const summary = (r: MotResult) => ({
  mota: r.mota,
  motp: r.motp,
  idf1: r.idf1,
  idsw: r.idsw,
  fp: r.fp,
  fn: r.fn,
  gt: r.gt,
});

async function evaluate(
  dir: string,
  data: string,
  o: EvalArgs & { minHits?: number; maxAge?: number; maxCosineDistance?: number; clips?: "test" | "val" } = {},
): Promise<Record<string, unknown>> {
  const objects = generatorOf(data);
  const m = await loadTracking(dir);
  try {
    const { size, frames } = m.pre;
    const count = o.limit ?? 100;
    // Validation clips come from the training generator (its objects and photos), after the model's own seed.
    const val = o.clips === "val";
    const seed = val ? valSeed(m.seed) : TEST_SEED;
    const set = await generateClips({ count, size, frames, objects, split: val ? "train" : "test", seed, distractor: DISTRACTOR });
    const settings = { minHits: o.minHits ?? 1, maxAge: o.maxAge ?? 3, maxCosineDistance: o.maxCosineDistance ?? APPEARANCE_GATE };
    const hw = 3 * size * size;
    const seqs: Record<string, MotFrame[][]> = {};
    for (const source of ["detections", "truth"] as const) for (const t of TRACKERS) seqs[`${source}/${t}`] = [];
    let detected = 0;
    for (const c of set.clips) {
      const truth = c.boxes.map((row) =>
        row.flatMap((b, k) => (b && b[2] > 0 && b[3] > 0 ? [{ id: c.objects[k]!.id, box: b as Box }] : [])),
      );
      const found = detectFrames(m, c.frames, frames);
      const boxesOf = { detections: found, truth: truth.map((r) => r.map((g) => g.box)) };
      for (const source of ["detections", "truth"] as const) {
        const perFrame: Detection[][] = boxesOf[source].map((bs, t) => {
          const emb = embedBoxes(m, c.frames.subarray(t * hw, (t + 1) * hw), size, bs);
          return bs.map((box, i) => ({ box, embedding: emb[i]! }));
        });
        if (source === "detections") detected += perFrame.reduce((a, f) => a + f.length, 0);
        for (const name of TRACKERS) {
          const tracker = makeTracker(name, settings);
          seqs[`${source}/${name}`]!.push(perFrame.map((dets, t) => ({ truth: truth[t]!, hypotheses: tracker.update(dets) })));
        }
      }
    }
    const table = (source: string) => Object.fromEntries(TRACKERS.map((t) => [t, summary(motMetrics(seqs[`${source}/${t}`]!))]));
    return {
      clips: set.clips.length,
      frames,
      size,
      detections: detected,
      trackers: { ...settings, iou: "IoU-only baseline (no motion model)", sort: "SORT", deepsort: "DeepSORT-style" },
      onDetections: table("detections"),
      onGroundTruthBoxes: table("truth"),
      source: val
        ? `validation clips (${objects}, the training objects and photos, seed ${seed})`
        : `generated clips (${objects}, held-out objects and photos, seed ${TEST_SEED})`,
    };
  } finally {
    m.dispose();
  }
}

export interface TrackingPrediction {
  input: string;
  frames: number;
  /** Distinct track ids reported. */
  tracks: number;
  output: string;
}

/** Parses "x,y,w,h". */
function parseBox(s: string): Box {
  const v = s.split(",").map(Number);
  if (v.length !== 4 || !v.every(Number.isFinite) || !(v[2]! > 0) || !(v[3]! > 0))
    throw new FlambeauError("E_ARG", `${TASK}: --box must be x,y,w,h with w, h > 0, got "${s}"`);
  return v as Box;
}

async function load(
  dir: string,
): Promise<
  Predictor<TrackingPrediction, { box?: string; maxFrames?: number; minHits?: number; maxAge?: number; maxCosineDistance?: number }>
> {
  const m = await loadTracking(dir);
  const outDir = join(dir, "predictions");
  return {
    task: TASK,
    async predict(inputs, o = {}) {
      const out: TrackingPrediction[] = [];
      const maxFrames = o.maxFrames ?? 300;
      for (const file of inputs) {
        mkdirSync(outDir, { recursive: true });
        const info = await probeVideo(file);
        const ids = new Set<number>();
        let n = 0;
        const fps = Math.min(30, Math.max(1, info.fps || 10));
        // Frames are drawn and handed to the encoder chunk by chunk: memory stays bounded for long videos.
        async function* sot(start: Box): AsyncGenerator<VideoChunk> {
          // Single-object tracking at the video's own resolution.
          const tracker = new TemplateTracker(start);
          ids.add(1);
          for await (const c of readVideoFrames(file, { maxFrames })) {
            const [t, , h, w] = c.shape;
            const data = c.data.slice();
            for (let f = 0; f < t; f++) {
              const frame = data.subarray(f * 3 * h * w, (f + 1) * 3 * h * w);
              if (n === 0) tracker.init(frame, h, w);
              const box = n === 0 ? start : tracker.update(frame, h, w);
              drawTracks(frame, h, w, [{ id: 1, box }]);
              n++;
            }
            yield { start: c.start, shape: c.shape, data };
          }
        }
        async function* mot(): AsyncGenerator<VideoChunk> {
          const s = m.detPre.size;
          const tracker = makeTracker("deepsort", {
            minHits: o.minHits ?? 1,
            maxAge: o.maxAge ?? 3,
            maxCosineDistance: o.maxCosineDistance ?? APPEARANCE_GATE,
          });
          // Drawn at an upscaled size, so thin boxes stay visible.
          const k = Math.max(1, Math.floor(256 / s));
          const S = s * k;
          for await (const c of readVideoFrames(file, { size: s, maxFrames })) {
            const t = c.shape[0];
            const found = detectFrames(m, c.data, t);
            const data = new Uint8Array(t * 3 * S * S);
            for (let f = 0; f < t; f++) {
              const frame = c.data.subarray(f * 3 * s * s, (f + 1) * 3 * s * s);
              const emb = embedBoxes(m, frame, s, found[f]!);
              const tracks = tracker.update(found[f]!.map((box, i) => ({ box, embedding: emb[i]! })));
              for (const tr of tracks) ids.add(tr.id);
              const big = upscale(frame, s, k);
              drawTracks(
                big,
                S,
                S,
                tracks.map((tr) => ({ id: tr.id, box: tr.box.map((v) => v * k) as Box })),
              );
              data.set(big, f * 3 * S * S);
              n++;
            }
            yield { start: c.start, shape: [t, 3, S, S], data };
          }
        }
        const expected = Math.min(maxFrames, info.frames ?? maxFrames);
        const ext = expected <= 64 ? "gif" : "mp4";
        const path = join(outDir, `${basename(file, extname(file))}-${o.box !== undefined ? "sot" : "tracks"}.${ext}`);
        await writeVideo(path, o.box !== undefined ? sot(parseBox(o.box)) : mot(), { fps });
        if (n === 0) throw new FlambeauError("E_FORMAT", `${TASK}: ${file} has no frames`);
        out.push({ input: file, frames: n, tracks: ids.size, output: path });
      }
      return out;
    },
    dispose: () => m.dispose(),
  };
}

const formatPrediction = (r: TrackingPrediction): string => `${r.frames} frames, ${plural(r.tracks, "track")} (drawn in ${r.output})`;

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  // Full: the README's recipe. Quick: 32-px frames, 40 clips, enough detector epochs to find most objects.
  const b = o.full
    ? { count: 3000, epochs: 8, embedEpochs: 4, size: 64, clips: 100 }
    : { count: 40, epochs: 6, embedEpochs: 1, size: 32, clips: 12 };
  const r = await train({
    data: "clips",
    out: o.out,
    seed: 0,
    count: b.count,
    epochs: b.epochs,
    embedEpochs: b.embedEpochs,
    size: b.size,
    progress: o.progress,
    log,
  });
  const ev = await evaluate(o.out, "clips", { limit: b.clips });
  type Table = Record<TrackerName, ReturnType<typeof summary>>;
  const tables = { detections: ev.onDetections as Table, truth: ev.onGroundTruthBoxes as Table };
  const m = await loadTracking(o.out);
  let figure: string;
  try {
    const { size, frames } = m.pre;
    const set = await generateClips({
      // Clip i acts ACTIONS[i mod 9]: the first nine of the scored clips hold one of each.
      count: Math.min(b.clips, ACTIONS.length),
      size,
      frames,
      objects: "fashion",
      split: "test",
      seed: TEST_SEED,
      distractor: DISTRACTOR,
    });
    // Two objects trading places is where ids are lost: the first such clip, else the first clip.
    const swap = ACTIONS.indexOf("swap");
    const clip = set.clips.find((c) => c.label === swap) ?? set.clips[0]!;
    figure = await trackedClipFigure(clip, detectFrames(m, clip.frames, frames), { size, frames, gifPath: join(o.out, "demo-clip.gif") });
  } finally {
    m.dispose();
  }
  const names: Record<TrackerName, string> = { iou: "IoU-only (baseline)", sort: "SORT", deepsort: "DeepSORT" };
  const rows = (["detections", "truth"] as const).flatMap((source) =>
    TRACKERS.map(
      (name) =>
        `<tr><td style="text-align:left">${source === "detections" ? "detector's boxes" : "true boxes"}</td><td style="text-align:left">${names[name]}</td><td>${tables[source][name].mota.toFixed(3)}</td><td>${tables[source][name].idf1.toFixed(3)}</td><td>${tables[source][name].idsw}</td></tr>`,
    ),
  );
  const det = tables.detections;
  const detector = (r.metrics as { detector?: { map50?: number } }).detector?.map50 ?? Number.NaN;
  return {
    task: TASK,
    dataset: `generated clips, ${ev.frames} frames of ${ev.size}×${ev.size} (Fashion-MNIST items on photos; ${b.count} for training, ${ev.clips} held-out clips of held-out items and photos)`,
    commands: [
      `flambeau train ${TASK} --data clips --count ${b.count} --size ${b.size} --epochs ${b.epochs} --embed-epochs ${b.embedEpochs} --out ${o.out}`,
      `flambeau eval ${o.out} --data clips --limit ${b.clips} --json`,
    ],
    metrics: {
      sortMota: det.sort.mota,
      sortIdf1: det.sort.idf1,
      sortIdSwitches: det.sort.idsw,
      iouMota: det.iou.mota,
      iouIdf1: det.iou.idf1,
      iouIdSwitches: det.iou.idsw,
      detectorMap50: detector,
    },
    history: r.history.epochs.map((e) => ({ loss: e.loss!, valLoss: e.valLoss })),
    seconds: (performance.now() - t0) / 1000,
    extraHtml: `${figure}<p>MOTA, IDF1 and ID switches on the ${ev.clips} held-out clips, on the detector's boxes (validation mAP@0.5 ${detector.toFixed(2)}) and on the true boxes (tracking alone); the loss curve is the detector's.</p><table><tr><th>boxes</th><th>tracker</th><th>MOTA</th><th>IDF1</th><th>ID switches</th></tr>${rows.join("")}</table>`,
  };
}

export const objectTracking = defineTask({
  name: TASK,
  description:
    "multi-object tracking by detection: CenterNet detections linked by SORT (Kalman + Hungarian on IoU) or DeepSORT (plus a learned appearance embedding); MOTA, IDF1, ID switches on held-out clips",
  dataFormat:
    "`clips` (generated: Fashion-MNIST items moving, rotating, growing, appearing or swapping on real photos, each with its identity and exact box per frame; `clips:digits` for opencv-doc's digits; test clips use held-out objects and photos); predict takes video files",
  models: [...ARCHS],
  defaultModel: "deepsort",
  baseline: "iou: each detection takes the id of the previous frame's box it overlaps most (no motion model, no appearance)",
  options: OPTIONS,
  train,
  evaluate,
  load,
  formatPrediction,
  demo,
});
