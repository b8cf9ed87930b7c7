// video-classification (activity recognition): clips of T frames → an action. A small
// R(2+1)D-style network (factorised space/time convolutions) trained on generated clips —
// real cut-out objects acting on real photos — or on a folder of the user's own videos;
// its baseline is the same network with its temporal convolutions made spatial, which sees
// frames one at a time and averages them (it cannot tell left from right or growing from
// shrinking). Accuracy is measured on clips of held-out objects and held-out photos.
// predict reads video files, prints the action and writes an annotated GIF.
import { mkdirSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, stack, type Tensor, tensor, tidy } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { DataLoader, TensorDataset } from "../../data/index.js";
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
import { ClassificationMeter } from "../../train/metrics.js";
import { loadModelDir, saveModelDir, saveValidationReport } from "../../train/model-dir.js";
import { type Batch, evaluator, Trainer } from "../../train/trainer.js";
import { sceneFiguresHtml } from "../../vision/scenes/demo-html.js";
import type { ObjectSource } from "../../vision/scenes/objects.js";
import { resize } from "../../vision/transforms/resize.js";
import { captionFrames } from "../annotate.js";
import { generateClips } from "../data/clips.js";
import { loadClip, readVideoFolder } from "../data/video-folder.js";
import { writeVideo } from "../io/write.js";
import { FactorisedVideoCNN } from "../models/factorised-cnn.js";
import { FrameTransformer } from "../models/frame-transformer.js";
import { frameStrip } from "../prediction/frame-strip.js";

const TASK = "video-classification";
const ARCHS = ["r2plus1d", "cnn-transformer", "frame-cnn"] as const;
type Arch = (typeof ARCHS)[number];

const OPTIONS = {
  frames: opt.int("frames per clip (default 8)", { phases: ["train"] }),
  size: opt.int("frame side in px (default 32)", { phases: ["train"] }),
  width: opt.int("channels of the first stage (default 16; each stage doubles them)", { phases: ["train"] }),
  count: opt.int("generated training clips per epoch (default 1080, fresh ones every epoch; --limit makes it one fixed set)", {
    phases: ["train"],
  }),
  gif: opt.flag("write each input's clip with its predicted action as an annotated GIF (in <model>/predictions/)", {
    phases: ["predict"],
  }),
};

interface Hyper {
  numClasses: number;
  width: number;
}

interface Preprocessing {
  size: number;
  frames: number;
  mean: number[];
  std: number[];
  /** The generator's settings when trained on generated clips. */
  generator: { objects: ObjectSource } | null;
}

/** Clips as tensors: uint8 [N, T, 3, S, S] and int64 [N]. */
interface ClipData {
  clips: Tensor;
  labels: Tensor;
  classes: string[];
  source: string;
}

/** "clips" / "clips:fashion" / "clips:digits" → the generator's object source; anything else is a folder. */
export function generatorOf(data: string): ObjectSource | null {
  const m = /^clips(?::(fashion|digits))?$/.exec(data);
  if (m) return (m[1] as ObjectSource | undefined) ?? "fashion";
  if (data.startsWith("clips:"))
    throw new FlambeauError("E_ARG", `${TASK}: unknown clip objects "${data.slice(6)}"; use clips, clips:fashion or clips:digits`);
  return null;
}

async function generated(
  objects: ObjectSource,
  split: "train" | "test",
  o: { count: number; size: number; frames: number; seed: number },
): Promise<ClipData> {
  const set = await generateClips({ count: o.count, size: o.size, frames: o.frames, objects, split, seed: o.seed });
  const per = o.frames * 3 * o.size * o.size;
  const data = new Uint8Array(set.clips.length * per);
  set.clips.forEach((c, i) => data.set(c.frames, i * per));
  return {
    clips: tensor(data, { shape: [set.clips.length, o.frames, 3, o.size, o.size] }),
    labels: tensor(
      BigInt64Array.from(set.clips, (c) => BigInt(c.label)),
      { shape: [set.clips.length] },
    ),
    classes: set.classes,
    source: `generated clips (${objects}, ${split} objects and photos)`,
  };
}

async function folder(root: string, frames: number, size: number, classes?: readonly string[]): Promise<ClipData> {
  const f = readVideoFolder(root);
  if (classes && (classes.length !== f.classes.length || classes.some((c, i) => c !== f.classes[i])))
    throw new FlambeauError("E_ARG", `${TASK}: ${root} has classes [${f.classes.join(", ")}], the model [${classes.join(", ")}]`);
  const per = frames * 3 * size * size;
  const data = new Uint8Array(f.items.length * per);
  for (let i = 0; i < f.items.length; i++) data.set(await loadClip(f.items[i]!.path, frames, size), i * per);
  return {
    clips: tensor(data, { shape: [f.items.length, frames, 3, size, size] }),
    labels: tensor(
      BigInt64Array.from(f.items, (it) => BigInt(it.label)),
      { shape: [f.items.length] },
    ),
    classes: f.classes,
    source: root,
  };
}

/** Rows `idx` of a clip set (a new set; the caller frees the old one). */
function rows(d: ClipData, idx: number[]): ClipData {
  const i = tensor(BigInt64Array.from(idx, BigInt), { shape: [idx.length] });
  const out = { ...d, clips: d.clips.indexSelect(0, i), labels: d.labels.indexSelect(0, i) };
  i.dispose();
  return out;
}

function dispose(d: ClipData): void {
  d.clips.dispose();
  d.labels.dispose();
}

/** Per-channel mean and std over (a sample of) the clips' frames. */
function stats(clips: Tensor): { mean: number[]; std: number[] } {
  return tidy(() => {
    const x = clips.narrow(0, 0, Math.min(clips.shape[0]!, 500)).float().div(255);
    return {
      mean: x.mean({ dim: [0, 1, 3, 4] }).toArray() as number[],
      std: (x.std({ dim: [0, 1, 3, 4] }).toArray() as number[]).map((s) => Math.max(s, 1e-3)),
    };
  });
}

/** uint8 [B, T, 3, S, S] → normalised float32 of the same shape. */
export function prepareClips(x: Tensor, p: Preprocessing): Tensor {
  // uint8 clips, or jitterClips' floats on the same 0–255 scale.
  return tidy(() =>
    x
      .float()
      .div(255)
      .sub(tensor(p.mean, { shape: [1, 1, 3, 1, 1] }))
      .div(tensor(p.std, { shape: [1, 1, 3, 1, 1] })),
  );
}

/**
 * Batches of a clip set. With `fresh`, epoch e > 0 reads the clips `fresh(e)` makes (freed after
 * the epoch) in place of `d`: a generator's data set is never seen twice, so the network learns
 * the actions rather than the 1,080 clips (a fixed set is fitted to a training loss of 0.01 by
 * epoch 40 while validation stalls at 80 %).
 */
function loaderOf(
  d: ClipData,
  p: Preprocessing,
  o: { batchSize: number; shuffle: boolean; seed: number; fresh?: (epoch: number) => Promise<ClipData>; augment?: Random },
) {
  let epoch = 0;
  async function* run(e: number): AsyncGenerator<Batch> {
    const set = o.fresh && e > 0 ? await o.fresh(e) : d;
    try {
      const loader = new DataLoader(new TensorDataset(set.clips, set.labels), {
        batchSize: o.batchSize,
        shuffle: o.shuffle,
        seed: o.seed + e,
      });
      for await (const [x, y] of loader as AsyncIterable<Tensor[]>) {
        const xf = o.augment ? tidy(() => prepareClips(jitterClips(x!, o.augment!), p)) : prepareClips(x!, p);
        x!.dispose();
        yield [xf, y!];
      }
    } finally {
      if (set !== d) dispose(set);
    }
  }
  return {
    length: Math.ceil(d.clips.shape[0]! / o.batchSize),
    [Symbol.asyncIterator]: () => run(epoch++)[Symbol.asyncIterator](),
  };
}

/**
 * Label-preserving augmentation of a fixed set of clips (uint8 [B, T, 3, S, S] → float in
 * [0, 255]): each clip gets one random crop of 80–100 % of its side, resized back (the same for
 * all its frames, so motion is kept) and one brightness and contrast change of up to ±20 %.
 * No flips: mirroring turns "move left" into "move right". Without it the default network
 * memorises a fixed 300-clip set (training loss 0.02) and scores chance on held-out clips.
 */
export function jitterClips(x: Tensor, rng: Random): Tensor {
  const [b, t, c, s] = x.shape as [number, number, number, number];
  const clips: Tensor[] = [];
  for (let i = 0; i < b; i++) {
    const side = Math.max(2, Math.round(s * (0.8 + 0.2 * rng.nextFloat())));
    const [y0, x0] = [rng.int(s - side + 1), rng.int(s - side + 1)];
    const crop = x.select(0, i).narrow(2, y0, side).narrow(3, x0, side).float();
    const brightness = 0.8 + 0.4 * rng.nextFloat();
    const contrast = 0.8 + 0.4 * rng.nextFloat();
    const mean = crop.mean();
    clips.push(resize(crop, [s, s]).sub(mean).mul(contrast).add(mean).mul(brightness).clamp(0, 255));
  }
  return stack(clips).reshape([b, t, c, s, s]);
}

/** Seeds of the generated validation clips and of each epoch's fresh training clips, kept apart. */
const VAL_SEED = 1_000_003;
const EPOCH_SEED = 2_000_029;

/** The task's classifiers: [B, T, 3, H, W] normalised frames → [B, classes] logits. */
export type VideoClassifier = FactorisedVideoCNN | FrameTransformer;

function buildModel(arch: string, h: Hyper): VideoClassifier {
  if (!(ARCHS as readonly string[]).includes(arch))
    throw new FlambeauError("E_ARG", `${TASK}: unknown model "${arch}"; models: ${ARCHS.join(", ")}`);
  if ((arch as Arch) === "cnn-transformer") return new FrameTransformer({ numClasses: h.numClasses, width: h.width });
  return new FactorisedVideoCNN({ numClasses: h.numClasses, width: h.width, temporal: (arch as Arch) === "r2plus1d" });
}

type TrainOptions = TrainInput & { frames?: number; size?: number; width?: number; count?: number };

async function train(o: TrainOptions): Promise<TaskTrainResult> {
  const { seed, log } = o;
  manualSeed(seed);
  const frames = o.frames ?? 8;
  const size = o.size ?? 32;
  const objects = generatorOf(o.data);
  let data: ClipData;
  let val: ClipData;
  let fresh: ((epoch: number) => Promise<ClipData>) | undefined;
  if (objects) {
    const count = Math.min(o.count ?? 1080, o.limit ?? Number.POSITIVE_INFINITY);
    data = await generated(objects, "train", { count, size, frames, seed });
    // Validation: other clips of the training objects and photos (the held-out ones are for evaluate).
    val = await generated(objects, "train", { count: Math.max(27, Math.round(count / 6)), size, frames, seed: seed + VAL_SEED });
    // --limit asks for at most n training examples: a fixed set then, as for any data.
    if (o.limit === undefined) fresh = (e) => generated(objects, "train", { count, size, frames, seed: seed + VAL_SEED + EPOCH_SEED * e });
  } else {
    const all = await folder(o.data, frames, size);
    if (o.val) {
      data = all;
      val = await folder(o.val, frames, size, all.classes);
    } else {
      const n = all.clips.shape[0]!;
      const perm = [...new Random(seed, 17).permutation(n)];
      const nVal = Math.max(1, Math.round(n * 0.15));
      val = rows(all, perm.slice(0, nVal));
      data = rows(all, perm.slice(nVal));
      dispose(all);
    }
    if (o.limit !== undefined && o.limit < data.clips.shape[0]!) {
      const cut = rows(
        data,
        Array.from({ length: o.limit }, (_, i) => i),
      );
      dispose(data);
      data = cut;
    }
  }
  const n = data.clips.shape[0]!;
  const pre: Preprocessing = { size, frames, ...stats(data.clips), generator: objects ? { objects } : null };
  const arch = o.model ?? "r2plus1d";
  const hyper: Hyper = { numClasses: data.classes.length, width: o.width ?? 16 };
  const model = buildModel(arch, hyper);
  // 16, not 32: twice the steps for the same compute; at 15 epochs validation reaches 69 % against 26 %.
  const batchSize = o.batchSize ?? 16;
  // Sized to the data: about 2,000 optimiser steps (30 epochs of the generator's 1,080 clips),
  // at most 200 epochs; a small fixed set needs the steps as much as a large one.
  const epochs = o.epochs ?? Math.min(200, Math.max(30, Math.ceil(2000 / Math.ceil(n / batchSize))));
  // The attention layers diverge for a while at the convolutions' 3e-3 (chance for 15 of 30 epochs).
  const peakLr = o.lr ?? (arch === "cnn-transformer" ? 1e-3 : 3e-3);
  log(
    `${TASK}: ${n} training / ${val.clips.shape[0]} validation clips of ${frames}×${size}×${size}, ${data.classes.length} classes; ${arch}, ${plural(epochs, "epoch")}, batch ${batchSize}, lr ${peakLr}`,
  );
  const optimizer = new AdamW(model.parameters(), { lr: peakLr, weightDecay: 1e-4 });
  const steps = Math.ceil(n / batchSize);
  const total = epochs * steps;
  const trainer = new Trainer({
    name: TASK,
    model,
    optimizer,
    loss: (out, y) => crossEntropy(out, y),
    meter: () => new ClassificationMeter(hyper.numClasses),
    progress: o.progress,
    callbacks: [new WarmupCosineLR(optimizer, peakLr, total, Math.min(steps, Math.ceil(total * 0.05)))],
    keepBest: { monitor: "valAccuracy" },
  });
  const valLoader = () => loaderOf(val, pre, { batchSize: 128, shuffle: false, seed });
  const history = await trainer.fit(
    loaderOf(data, pre, { batchSize, shuffle: true, seed, ...(fresh ? { fresh } : { augment: new Random(seed, 31) }) }),
    {
      epochs,
      val: valLoader(),
    },
  );
  const metrics = await trainer.evaluate(valLoader());
  const { confusionMatrix: _cm, ...summary } = metrics;
  await saveModelDir<Hyper, Preprocessing>(
    o.out,
    {
      task: TASK,
      architecture: arch,
      hyper,
      labels: data.classes,
      preprocessing: pre,
      metrics: {
        validation: summary,
        epochs,
        batchSize,
        lr: peakLr,
        seed,
        trainExamples: n,
        bestEpoch: history.bestEpoch,
        source: data.source,
      },
    },
    model.stateDict(),
  );
  // The validation split's confusion matrix beside the model, for the studio.
  await saveValidationReport(o.out, TASK, data.classes, metrics);
  dispose(data);
  dispose(val);
  model.dispose();
  return { dir: o.out, metrics, history };
}

export async function loadVideoClassifier(dir: string): Promise<{ model: VideoClassifier; pre: Preprocessing; labels: string[] }> {
  const { config, weights } = await loadModelDir<Hyper, Preprocessing>(dir, TASK);
  try {
    if (!config.preprocessing) throw new FlambeauError("E_FORMAT", `${dir}/config.json has no preprocessing; retrain the model`);
    const model = buildModel(config.architecture, config.hyper);
    model.loadStateDict(weights);
    model.eval();
    return { model, pre: config.preprocessing, labels: config.labels ?? [] };
  } finally {
    for (const t of weights.values()) t.dispose();
  }
}

/** The held-out test data of `data` for a model: generated clips of test objects and photos, or a folder. */
async function testData(data: string, pre: Preprocessing, labels: readonly string[], limit?: number): Promise<ClipData> {
  const objects = generatorOf(data);
  if (objects) return generated(objects, "test", { count: limit ?? 900, size: pre.size, frames: pre.frames, seed: 0 });
  const d = await folder(data, pre.frames, pre.size, labels);
  if (limit === undefined || limit >= d.clips.shape[0]!) return d;
  const cut = rows(
    d,
    Array.from({ length: limit }, (_, i) => i),
  );
  dispose(d);
  return cut;
}

async function evaluate(dir: string, data: string, o: EvalArgs = {}): Promise<Record<string, unknown>> {
  const { model, pre, labels } = await loadVideoClassifier(dir);
  try {
    const test = await testData(data, pre, labels, o.limit);
    try {
      const trainer = evaluator({ model, loss: (out, y) => crossEntropy(out, y), meter: () => new ClassificationMeter(labels.length) });
      const m = await trainer.evaluate(loaderOf(test, pre, { batchSize: o.batchSize ?? 128, shuffle: false, seed: 0 }));
      return { ...m, labels, clips: test.clips.shape[0], source: test.source };
    } finally {
      dispose(test);
    }
  } finally {
    model.dispose();
  }
}

export interface VideoLabel {
  input: string;
  label: string;
  probability: number;
  /** The annotated GIF, when asked for. */
  gif?: string;
}

/** Class probabilities [B, K] for uint8 clips [B, T, 3, S, S]. */
export function classifyClips(model: VideoClassifier, clips: Tensor, pre: Preprocessing): Float32Array {
  return noGrad(() => tidy(() => model.forward(prepareClips(clips, pre)).softmax(1).data() as Float32Array));
}

async function load(dir: string): Promise<Predictor<VideoLabel, { gif?: boolean }>> {
  const { model, pre, labels } = await loadVideoClassifier(dir);
  const outDir = join(dir, "predictions");
  return {
    task: TASK,
    async predict(inputs, o = {}) {
      const out: VideoLabel[] = [];
      const per = pre.frames * 3 * pre.size * pre.size;
      for (const file of inputs) {
        const clip = await loadClip(file, pre.frames, pre.size);
        const x = tensor(clip, { shape: [1, pre.frames, 3, pre.size, pre.size] });
        const p = classifyClips(model, x, pre);
        x.dispose();
        let k = 0;
        for (let c = 1; c < labels.length; c++) if (p[c]! > p[k]!) k = c;
        const r: VideoLabel = { input: file, label: labels[k] ?? String(k), probability: p[k]! };
        if (o.gif) {
          mkdirSync(outDir, { recursive: true });
          const scale = Math.max(1, Math.floor(192 / pre.size));
          const drawn = await captionFrames(
            clip.subarray(0, per),
            pre.frames,
            pre.size,
            scale,
            `${r.label} ${(100 * r.probability).toFixed(0)}%`,
          );
          const side = pre.size * scale;
          r.gif = join(outDir, `${basename(file, extname(file))}-${r.label}.gif`);
          await writeVideo(r.gif, { start: 0, shape: [pre.frames, 3, side, side], data: drawn }, { fps: 4 });
        }
        out.push(r);
      }
      return out;
    },
    dispose: () => model.dispose(),
  };
}

const formatPrediction = (r: VideoLabel): string =>
  `${r.label} ${(100 * r.probability).toFixed(1)}%${r.gif ? ` (annotated clip: ${r.gif})` : ""}`;

/** Held-out clips drawn in the demo as frame strips. */
const DEMO_STRIPS = 6;

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  // Full: the README's recipe (1,080 fresh clips an epoch, 30 epochs; 900 test clips). Quick: half the epochs.
  const b = o.full ? { count: 1080, epochs: 30, test: 900 } : { count: 1080, epochs: 15, test: 180 };
  const data = "clips";
  const r = await train({ data, out: o.out, seed: 0, count: b.count, epochs: b.epochs, progress: o.progress, log: o.log ?? (() => {}) });
  const m = await evaluate(o.out, data, { limit: b.test });
  const { model, pre, labels } = await loadVideoClassifier(o.out);
  let rows: { image: Uint8Array; caption: string }[][];
  try {
    // The first held-out clips (the first of those evaluate scored).
    const test = await generated("fashion", "test", { count: DEMO_STRIPS, size: pre.size, frames: pre.frames, seed: 0 });
    try {
      const p = classifyClips(model, test.clips, pre);
      const truth = test.labels.data() as BigInt64Array;
      const k = labels.length;
      rows = Array.from({ length: DEMO_STRIPS }, (_, i) => {
        let best = 0;
        for (let c = 1; c < k; c++) if (p[i * k + c]! > p[i * k + best]!) best = c;
        const strip = tidy(
          () =>
            frameStrip([test.clips.select(0, i)])
              .contiguous()
              .data() as Uint8Array,
        );
        const mark = best === Number(truth[i]) ? "✓" : "✗";
        return [
          {
            image: strip,
            caption: `${mark} predicted ${labels[best]} (${(100 * p[i * k + best]!).toFixed(0)} %), true ${labels[Number(truth[i])]}`,
          },
        ];
      });
    } finally {
      dispose(test);
    }
  } finally {
    model.dispose();
  }
  const extraHtml = await sceneFiguresHtml(
    `Held-out clips, ${pre.frames} frames left to right (held-out items and photos; chance is ${(100 / labels.length).toFixed(1)} %)`,
    rows,
    { height: pre.size, width: pre.frames * pre.size },
  );
  return {
    task: TASK,
    dataset: `generated clips, ${pre.frames} frames of ${pre.size}×${pre.size}: ${labels.length} actions of Fashion-MNIST items on photos (${b.count} for training, ${m.clips} held-out clips)`,
    commands: [
      `flambeau train ${TASK} --data ${data} --count ${b.count} --epochs ${b.epochs} --out ${o.out}`,
      `flambeau eval ${o.out} --data ${data} --limit ${b.test} --json`,
    ],
    metrics: { accuracy: m.accuracy as number, top5: m.top5 as number, macroF1: m.macroF1 as number },
    history: r.history.epochs.map((e) => ({ loss: e.loss!, valLoss: e.valLoss, valAccuracy: e.valAccuracy })),
    seconds: (performance.now() - t0) / 1000,
    confusion: { labels, matrix: m.confusionMatrix as number[][] },
    extraHtml,
  };
}

export const videoClassification = defineTask({
  name: TASK,
  description:
    "name the action in a video clip (a small R(2+1)D network, or a CNN + temporal Transformer; accuracy on held-out objects and backgrounds)",
  dataFormat:
    "`clips` (generated: Fashion-MNIST items moving, rotating, growing, bouncing, appearing or swapping on real photos; `clips:digits` for opencv-doc's digits; test clips use held-out objects and photos) or a folder with a subfolder of videos per class (.mp4 .avi .webm …, decoded by ffmpeg)",
  models: [...ARCHS],
  defaultModel: "r2plus1d",
  baseline: "frame-cnn: the same network with spatial convolutions in place of the temporal ones (frames seen one at a time, averaged)",
  options: OPTIONS,
  train,
  evaluate,
  load,
  loadModule: async (dir) => (await loadVideoClassifier(dir)).model,
  formatPrediction,
  demo,
});
