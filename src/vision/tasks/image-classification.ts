// image-classification: any labelled image set (IDX or ImageFolder) → a CNN trained from
// scratch with shift augmentation, AdamW and a warm-up + cosine schedule; metrics top-1,
// top-5, macro-F1 and the confusion matrix; predict gives top-k labels with probabilities.

import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { DataLoader, TensorDataset } from "../../data/index.js";
import { rowKeys } from "../../data/split-keys.js";
import { hasSplitRecord, selectUntrained } from "../../data/split-overlap.js";
import { saveSplitRecord } from "../../data/split-record.js";
import { optimizeForInference } from "../../nn/utils/inference.js";
import { AdamW } from "../../optim/index.js";
import { plural } from "../../tasks/format.js";
import { opt } from "../../tasks/options.js";
import {
  type DemoOptions,
  type DemoSection,
  defineTask,
  type EvalArgs,
  type InputBytes,
  type Predictor,
  type TaskTrainResult,
  type TrainInput,
} from "../../tasks/task.js";
import { WarmupCosineLR } from "../../train/callbacks.js";
import { type ConfigSchemaParts, MAX_IMAGE_SIZE, schema } from "../../train/config-schema.js";
import { EPOCH_RULES, epochsForData } from "../../train/epoch-budget.js";
import { imageProcessorConfig } from "../../train/hf-processor.js";
import { ClassificationMeter } from "../../train/metrics.js";
import { loadModelDir, saveModelDir, saveValidationReport } from "../../train/model-dir.js";
import { type Batch, evaluator, Trainer } from "../../train/trainer.js";
import { randomTranslate } from "../augment.js";
import { imageShallowPipeline } from "../features/pipeline.js";
import { carveValidation, type LabelledImages, loadImageData, take } from "../image-data.js";
import { encodePng, readImage } from "../image-io.js";
import type { Genotype } from "../models/nas/genotype.js";
import { loadGenotype } from "../models/nas/genotype-file.js";
import { IMAGE_CLASSIFIERS, type ImageClassifierName } from "../models/zoo.js";

const TASK = "image-classification";
/** Images decoded and classified per forward in predict. */
const PREDICT_CHUNK = 64;

const OPTIONS = {
  hflip: opt.flag("mirror training images left-right as augmentation (clothes, objects; not digits or text)", { phases: ["train"] }),
  topK: opt.int("labels to show", { phases: ["predict"], default: 3 }),
  width: opt.int("channels of small-cnn's first block (default 32; each block doubles them)", {
    phases: ["train"],
    search: { low: 8, high: 64, log: true },
  }),
  depth: opt.int("conv blocks of small-cnn (default 2)", { phases: ["train"], search: { low: 1, high: 3 } }),
  genotype: opt.path("nas-cell's cell: the genotype.json, nas.json or --out folder of `flambeau nas` (--width: channels per node)", {
    phases: ["train"],
  }),
};
type Hyper = { inChannels: number; numClasses: number; size: number; width?: number; depth?: number; genotype?: Genotype };

interface Preprocessing {
  size: number;
  channels: 1 | 3;
  mean: number[];
  std: number[];
}

/** What config.json must hold for this task (bounds keep a hand-edited file from asking for absurd sizes). */
const CONFIG_SCHEMA: ConfigSchemaParts = {
  hyper: schema.object(
    {
      inChannels: schema.int(1, 3),
      numClasses: schema.int(1, 100000),
      size: schema.int(1, MAX_IMAGE_SIZE),
      width: schema.int(1, 1024),
      depth: schema.int(1, 12),
      // Per-block channels and hidden units of a small-cnn whose pruned channels were removed (`compress --shrink`).
      channels: schema.numbers(schema.int(1, 1024), 1, 12),
      hidden: schema.int(1, 65536),
    },
    ["inChannels", "numClasses", "size"],
  ),
  preprocessing: schema.object({
    size: schema.int(1, MAX_IMAGE_SIZE),
    channels: schema.int(1, 3),
    mean: schema.numbers(schema.number(), 1, 3),
    std: schema.numbers(schema.positive(), 1, 3),
  }),
};

/** Per-channel mean and std of uint8 images scaled to [0, 1]. */
function channelStats(images: Tensor): { mean: number[]; std: number[] } {
  return tidy(() => {
    const n = Math.min(images.shape[0]!, 10000);
    const x = images.narrow(0, 0, n).float().div(255);
    const mean = x.mean({ dim: [0, 2, 3] }).toArray() as number[];
    const std = x.std({ dim: [0, 2, 3] }).toArray() as number[];
    return { mean, std: std.map((s) => Math.max(s, 1e-3)) };
  });
}

/** uint8 [B, C, H, W] → normalised float32, optionally shifted (and mirrored with `hflip`). */
function prepare(x: Tensor, p: Preprocessing, augment: boolean, hflip = false): Tensor {
  return tidy(() => {
    const mean = tensor(p.mean, { shape: [1, p.channels, 1, 1] });
    const std = tensor(p.std, { shape: [1, p.channels, 1, 1] });
    let f = x.float().div(255).sub(mean).div(std);
    if (augment) f = randomTranslate(f, { maxShift: Math.max(1, Math.round(p.size / 14)), hflip });
    return f;
  });
}

async function* batches(
  d: LabelledImages,
  p: Preprocessing,
  o: { batchSize: number; shuffle: boolean; augment: boolean; hflip?: boolean; seed: number },
): AsyncGenerator<Batch> {
  const loader = new DataLoader(new TensorDataset(d.images, d.labels), { batchSize: o.batchSize, shuffle: o.shuffle, seed: o.seed });
  for await (const [x, y] of loader as AsyncIterable<Tensor[]>) {
    const xf = prepare(x!, p, o.augment, o.hflip);
    x!.dispose();
    yield [xf, y!];
  }
}
function loaderOf(
  d: LabelledImages,
  p: Preprocessing,
  o: { batchSize: number; shuffle: boolean; augment: boolean; hflip?: boolean; seed: number },
) {
  let epoch = 0;
  return {
    length: Math.ceil(d.images.shape[0]! / o.batchSize),
    [Symbol.asyncIterator]: () => batches(d, p, { ...o, seed: o.seed + epoch++ })[Symbol.asyncIterator](),
  };
}

type ImageClassifier = ReturnType<(typeof IMAGE_CLASSIFIERS)[ImageClassifierName]>;

function buildModel(arch: string, hyper: Hyper): ImageClassifier {
  const make = IMAGE_CLASSIFIERS[arch as ImageClassifierName];
  if (!make) throw new FlambeauError("E_ARG", `unknown image classifier "${arch}"; models: ${Object.keys(IMAGE_CLASSIFIERS).join(", ")}`);
  return make(hyper);
}

async function train(o: TrainInput & { hflip?: boolean; width?: number; depth?: number; genotype?: string }): Promise<TaskTrainResult> {
  const { seed, log } = o;
  manualSeed(seed);
  let data = await loadImageData(o.data, "train", {});
  const examples = data.images.shape[0]!;
  let val: LabelledImages;
  if (o.val)
    val = await loadImageData(o.val, "test", {
      size: data.images.shape[2],
      channels: data.images.shape[1] as 1 | 3,
      classes: data.classes,
    });
  else ({ train: data, val } = carveValidation(data, 0.1));
  if (o.limit !== undefined) data = take(data, o.limit);
  const n = data.images.shape[0]!;
  const [, channels, size] = data.images.shape as [number, 1 | 3, number];
  const stats = channelStats(data.images);
  const pre: Preprocessing = { size, channels, ...stats };
  const arch = o.model ?? "small-cnn";
  // width and depth shape small-cnn and nas-cell (channels per node, cells) only; the other zoo models have their own fixed shapes.
  const shaped = arch === "small-cnn" || arch === "nas-cell";
  const shape = shaped ? { ...(o.width ? { width: o.width } : {}), ...(o.depth ? { depth: o.depth } : {}) } : {};
  if (!shaped && (o.width || o.depth)) log(`${TASK}: --width/--depth shape small-cnn only; ${arch} keeps its own`);
  const cell = arch === "nas-cell" && o.genotype ? { genotype: await loadGenotype(o.genotype) } : {};
  const hyper: Hyper = { inChannels: channels, numClasses: data.classes.length, size, ...shape, ...cell };
  const model = buildModel(arch, hyper);
  const batchSize = o.batchSize ?? (n >= 20000 ? 128 : n >= 2000 ? 64 : 32);
  const plan = epochsForData(n, batchSize, EPOCH_RULES.image);
  const epochs = o.epochs ?? plan.epochs;
  const peakLr = o.lr ?? 2e-3;
  log(
    `${TASK}: ${n} training / ${val.images.shape[0]} validation images, ${channels}×${size}×${size}, ${data.classes.length} classes; ${arch}, ${o.epochs === undefined ? plan.reason : plural(epochs, "epoch")}, batch ${batchSize}, lr ${peakLr}`,
  );
  const optimizer = new AdamW(model.parameters(), { lr: peakLr, weightDecay: 1e-4 });
  const stepsPerEpoch = Math.ceil(n / batchSize);
  const total = epochs * stepsPerEpoch;
  const warmup = Math.min(stepsPerEpoch, Math.ceil(total * 0.05));
  const trainer = new Trainer({
    name: TASK,
    model,
    optimizer,
    loss: (out, y) => crossEntropy(out, y),
    meter: () => new ClassificationMeter(data.classes.length),
    progress: o.progress,
    callbacks: [new WarmupCosineLR(optimizer, peakLr, total, warmup)],
    keepBest: { monitor: "valAccuracy" },
  });
  const history = await trainer.fit(loaderOf(data, pre, { batchSize, shuffle: true, augment: true, hflip: o.hflip, seed }), {
    epochs,
    val: loaderOf(val, pre, { batchSize: 256, shuffle: false, augment: false, seed }),
  });
  const metrics = await trainer.evaluate(loaderOf(val, pre, { batchSize: 256, shuffle: false, augment: false, seed }));
  const { confusionMatrix: _cm, ...summary } = metrics;
  await saveModelDir<Hyper, Preprocessing & { source: string }>(
    o.out,
    {
      task: TASK,
      architecture: arch,
      hyper,
      labels: data.classes,
      preprocessing: { ...pre, source: data.source },
      metrics: { validation: summary, epochs, batchSize, lr: peakLr, seed, trainExamples: n, bestEpoch: history.bestEpoch },
    },
    model.stateDict(),
    { processor: imageProcessorConfig(pre) },
  );
  // The validation split's confusion matrix beside the model, for the studio.
  await saveValidationReport(o.out, TASK, data.classes, metrics);
  // One ImageFolder and no --val: eval and compare on it then leave out the training images.
  const carved = !o.val && data.source === "imagefolder";
  await saveSplitRecord(
    o.out,
    carved
      ? { task: TASK, data: o.data, seed, examples, keyOf: "decoded pixels", train: imageKeys(data), heldOut: imageKeys(val) }
      : undefined,
  );
  return { dir: o.out, metrics, history };
}

/** Each image's content key for the split record: its decoded pixels at the model's size, so a copied or renamed folder still matches. */
function imageKeys(d: LabelledImages): string[] {
  const [, c, h, w] = d.images.shape as number[];
  return rowKeys(d.images.data() as Uint8Array, c! * h! * w!);
}

const pick = (d: LabelledImages, idx: readonly number[]): LabelledImages => {
  const i = tensor(BigInt64Array.from(idx, BigInt));
  const out = { ...d, images: d.images.indexSelect(0, i), labels: d.labels.indexSelect(0, i) };
  i.dispose();
  return out;
};

async function loadModel(dir: string): Promise<{ model: ImageClassifier; pre: Preprocessing; labels: string[] }> {
  const { config, weights } = await loadModelDir<Hyper, Preprocessing>(dir, TASK, CONFIG_SCHEMA);
  const model = buildModel(config.architecture, config.hyper);
  model.loadStateDict(weights);
  model.eval();
  return { model, pre: config.preprocessing!, labels: config.labels ?? [] };
}

async function evaluate(dir: string, data: string, o: EvalArgs = {}): Promise<Record<string, unknown>> {
  const { model, pre, labels } = await loadModel(dir);
  // With a split record, --limit counts the untrained images, so all are read first.
  const recorded = hasSplitRecord(dir);
  const read = await loadImageData(data, o.split ?? "test", {
    size: pre.size,
    channels: pre.channels,
    classes: labels,
    limit: recorded ? undefined : o.limit,
  });
  const { keep, overlap } = selectUntrained(dir, data, () => imageKeys(read), o);
  let test = read;
  if (keep) {
    test = pick(read, keep);
    read.images.dispose();
    read.labels.dispose();
  }
  if (recorded && o.limit !== undefined) test = take(test, o.limit);
  const trainer = evaluator({
    model,
    loss: (out, y) => crossEntropy(out, y),
    meter: () => new ClassificationMeter(labels.length),
  });
  const m = await trainer.evaluate(loaderOf(test, pre, { batchSize: o.batchSize ?? 256, shuffle: false, augment: false, seed: 0 }));
  return { examples: test.images.shape[0], ...m, labels, ...(overlap ? { trainingOverlap: overlap } : {}) };
}

export interface Prediction {
  labels: { label: string; probability: number }[];
}

async function load(dir: string): Promise<Predictor<Prediction, { topK?: number }>> {
  const { model, pre, labels } = await loadModel(dir);
  // The inference path: oneDNN's layout where it measures faster, on one image and on a batch (issue 24).
  const infer = optimizeForInference(model, [1, pre.channels, pre.size, pre.size]);
  /** Files or in-memory images, classified in chunks decoded together and run in one forward (a server's batches). */
  async function classify(inputs: readonly (string | InputBytes)[], o: { topK?: number }): Promise<Prediction[]> {
    const out: Prediction[] = [];
    for (let at = 0; at < inputs.length; at += PREDICT_CHUNK) {
      const chunk = inputs.slice(at, at + PREDICT_CHUNK);
      const decode = { size: pre.size, channels: pre.channels };
      const imgs = await Promise.all(
        chunk.map((f) => (typeof f === "string" ? readImage(f, decode) : readImage(f.bytes, { ...decode, name: f.name }))),
      );
      const hw = pre.channels * pre.size * pre.size;
      const pixels = new Uint8Array(imgs.length * hw);
      for (const [i, img] of imgs.entries()) pixels.set(img.data, i * hw);
      const probs = noGrad(() =>
        tidy(() => {
          const x = prepare(tensor(pixels, { shape: [imgs.length, pre.channels, pre.size, pre.size] }), pre, false);
          return infer.forward(x).softmax(1).data() as Float32Array;
        }),
      );
      const k = probs.length / imgs.length;
      for (let i = 0; i < imgs.length; i++) {
        const row = probs.subarray(i * k, (i + 1) * k);
        const order = Array.from(row.keys()).sort((a, b) => row[b]! - row[a]!);
        out.push({ labels: order.slice(0, o.topK ?? 3).map((c) => ({ label: labels[c] ?? String(c), probability: row[c]! })) });
      }
    }
    return out;
  }
  return {
    task: TASK,
    predict: (inputs, o = {}) => classify(inputs, o),
    predictBytes: (inputs, o = {}) => classify(inputs, o),
    dispose: () => model.dispose(),
  };
}

const formatPrediction = (p: Prediction): string => p.labels.map((l) => `${l.label} ${(100 * l.probability).toFixed(1)}%`).join(", ");

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const budget = o.full ? {} : { limit: 12000, epochs: 3 };
  const r = await train({ data: "fashion-mnist", out: o.out, seed: 0, progress: o.progress, log: o.log ?? (() => {}), ...budget });
  const m = await evaluate(o.out, "fashion-mnist");
  // A few test images with the model's answers, for the report.
  const { model, pre, labels } = await loadModel(o.out);
  const test = await loadImageData("fashion-mnist", "test", { limit: 24 });
  const samples: NonNullable<DemoSection["samples"]> = [];
  const probs = noGrad(() => tidy(() => model.forward(prepare(test.images, pre, false)).softmax(1)));
  const top = probs.maxDim(1);
  const pIdx = top.indices.data() as BigInt64Array;
  const pVal = top.values.data() as Float32Array;
  const truth = test.labels.data() as BigInt64Array;
  for (let i = 0; i < 24; i++) {
    const px = test.images.select(0, i);
    const png = await encodePng(px.data() as Uint8Array, 1, 28, 28);
    samples.push({
      image: `data:image/png;base64,${png.toString("base64")}`,
      truth: labels[Number(truth[i])]!,
      predicted: labels[Number(pIdx[i])]!,
      probability: pVal[i]!,
    });
  }
  const extra = o.full ? "" : " --limit 12000 --epochs 3";
  return {
    task: TASK,
    dataset: "Fashion-MNIST",
    commands: [`flambeau train ${TASK} --data fashion-mnist --out ${o.out}${extra}`, `flambeau eval ${o.out} --data fashion-mnist --json`],
    metrics: { accuracy: m.accuracy as number, ...(m.top5 !== undefined ? { top5: m.top5 as number } : {}), macroF1: m.macroF1 as number },
    history: r.history.epochs.map((e) => ({ loss: e.loss!, valLoss: e.valLoss, valAccuracy: e.valAccuracy })),
    seconds: (performance.now() - t0) / 1000,
    confusion: { labels, matrix: m.confusionMatrix as number[][] },
    samples,
  };
}

export const imageClassification = defineTask({
  name: TASK,
  description: "classify images (a CNN learned from the pixels; top-1/top-5 accuracy, macro-F1, confusion matrix)",
  dataFormat:
    "an MNIST-family IDX folder (train-/t10k- images and labels, gzipped or not; `fashion-mnist` = Debian's copy; optional classes.txt) or an ImageFolder root/<class>/*.png|jpg (or root/train and root/test)",
  models: Object.keys(IMAGE_CLASSIFIERS),
  defaultModel: "small-cnn",
  options: OPTIONS,
  shallow: imageShallowPipeline,
  baseline: "HOG features + logistic regression (`flambeau compare image-classification`)",
  train,
  evaluate,
  load,
  loadModule: async (dir) => (await loadModel(dir)).model,
  loadExport: async (dir) => {
    const { model, pre, labels } = await loadModel(dir);
    // Two images of a fixed pattern, prepared as predict prepares decoded pixels.
    const n = 2 * pre.channels * pre.size * pre.size;
    const pixels = Uint8Array.from({ length: n }, (_, i) => (i * 37) % 256);
    return {
      module: model,
      inputs: [prepare(tensor(pixels, { shape: [2, pre.channels, pre.size, pre.size] }), pre, false)],
      inputNames: ["pixels"],
      outputNames: ["logits"],
      metadata: {
        input: `float32 [batch, ${pre.channels}, ${pre.size}, ${pre.size}]: the image resized to ${pre.size}×${pre.size}, ${pre.channels === 1 ? "gray" : "RGB"}, values/255, minus mean, divided by std per channel`,
        output: "logits [batch, classes]; softmax gives the probabilities of labels",
        preprocessing: JSON.stringify({ size: pre.size, channels: pre.channels, mean: pre.mean, std: pre.std }),
        labels: JSON.stringify(labels),
      },
    };
  },
  formatPrediction,
  demo,
});
