// audio-classification: keyword spotting, speaker identification, instrument recognition or
// any AudioFolder → log-mel features on the engine → a 2D CNN or TC-ResNet trained with noise
// mixing at random SNRs, random placement and SpecAugment (more of each on small sets: see
// data/recipe.ts); metrics accuracy, macro-F1 and the confusion matrix (and the majority-class
// baseline); predict reads wav files, a long one window by window.

import { existsSync, statSync } from "node:fs";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { Random } from "../../data/random.js";
import { sampleKeys } from "../../data/split-keys.js";
import { selectUntrained } from "../../data/split-overlap.js";
import { saveSplitRecord } from "../../data/split-record.js";
import { AdamW } from "../../optim/index.js";
import { plural } from "../../tasks/format.js";
import { type OptionValues, opt } from "../../tasks/options.js";
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
import { type ConfigSchemaParts, schema } from "../../train/config-schema.js";
import { audioFeatureExtractorConfig } from "../../train/hf-processor.js";
import { ClassificationMeter } from "../../train/metrics.js";
import { loadModelDir, saveModelDir, saveValidationReport } from "../../train/model-dir.js";
import { type Batch, evaluator, Trainer } from "../../train/trainer.js";
import { freqMask, randomTimeShift, timeMask } from "../augment.js";
import { readMono } from "../data/audio-folder.js";
import { type BatchOptions, type ClipSet, fitLength, type NoiseMix, subsetOf, waveBatch } from "../data/clip-set.js";
import { DEFAULT_FRONTEND, type FrontendConfig, logMel } from "../data/frontend.js";
import { type AugmentRecipe, augmentRecipe, RECIPE_NOTE } from "../data/recipe.js";
import { type AudioData, BUILTIN_AUDIO_SETS, resolveAudioData } from "../data/sources.js";
import { windowStarts } from "../data/windows.js";
import { audioShallowPipeline } from "../features/pipeline.js";
import { AUDIO_CLASSIFIERS, type AudioClassifierName } from "../models/zoo.js";
import { spectrogramGallery } from "./report.js";

const TASK = "audio-classification";

const OPTIONS = {
  topK: opt.int("labels to show", { phases: ["predict"], default: 3 }),
  width: opt.int("channels of the first conv block (kws-cnn: default 16; tc-resnet8: 16·k, default 24)", {
    phases: ["train"],
    search: { low: 8, high: 48, log: true },
  }),
  dropout: opt.number("dropout before the classifier (default 0.3 for kws-cnn, 0.2 for tc-resnet8)", {
    phases: ["train"],
    search: { low: 0, high: 0.5 },
  }),
};
type Hyper = { nMels: number; numClasses: number; width?: number; dropout?: number };

interface Preprocessing extends FrontendConfig {
  length: number;
  data: string;
}

/** What config.json must hold for this task; the bounds keep a hand-edited file from asking for absurd sizes. */
const CONFIG_SCHEMA: ConfigSchemaParts = {
  hyper: schema.object(
    {
      nMels: schema.int(1, 512),
      numClasses: schema.int(1, 100000),
      width: schema.int(1, 1024),
      dropout: schema.number(),
    },
    ["nMels", "numClasses"],
  ),
  preprocessing: schema.object({
    sampleRate: schema.int(1000, 384000),
    nFft: schema.int(16, 65536),
    winLength: schema.int(1, 65536),
    hopLength: schema.int(1, 65536),
    nMels: schema.int(1, 512),
    mean: schema.number(),
    std: schema.positive(),
    length: schema.int(1, 384000 * 600),
  }),
};

type Classifier = ReturnType<(typeof AUDIO_CLASSIFIERS)[AudioClassifierName]>;

function buildModel(arch: string, hyper: Hyper): Classifier {
  const make = AUDIO_CLASSIFIERS[arch as AudioClassifierName];
  if (!make) throw new FlambeauError("E_ARG", `unknown audio classifier "${arch}"; models: ${Object.keys(AUDIO_CLASSIFIERS).join(", ")}`);
  // tc-resnet8 sizes its blocks as multiples of 16 channels: `width` is its first block's.
  const o = arch === "tc-resnet8" && hyper.width !== undefined ? { ...hyper, widthMultiplier: hyper.width / 16 } : hyper;
  return make(o as Hyper);
}

interface LoaderOptions {
  batchSize: number;
  /** Training batches: drawn through the recipe's augmentation. */
  recipe?: AugmentRecipe;
  /** Evaluation noise (a fixed draw). */
  mix?: NoiseMix;
  seed: number;
}

/** Batches of standardised log-mels; each training epoch draws fresh placement, noise and masks. */
function loaderOf(set: ClipSet, pre: Preprocessing, o: LoaderOptions) {
  let epoch = 0;
  const n = set.clips.length;
  return {
    length: Math.ceil(n / o.batchSize),
    async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
      const r = o.recipe;
      // Evaluation draws the same noise every time: a fixed seed, not the epoch.
      const rng = new Random(o.seed, r ? ++epoch : 0);
      const order = r ? Array.from(rng.permutation(n)) : Array.from({ length: n }, (_, i) => i);
      const bo: BatchOptions = { length: pre.length, randomOffset: r !== undefined, mix: r ? r.mix : o.mix };
      for (let s = 0; s < n; s += o.batchSize) {
        const idx = order.slice(s, s + o.batchSize);
        if (r && idx.length < 2) continue; // batch norm needs two examples
        const x = tidy(() => {
          let w = waveBatch(set, idx, bo, rng);
          if (r && r.maxShift > 0) w = randomTimeShift(w, r.maxShift, rng);
          let f = logMel(w, pre);
          if (r) {
            f = timeMask(f, r.timeMask, rng);
            f = freqMask(f, r.freqMask, rng);
          }
          return f;
        });
        yield [
          x,
          tensor(
            idx.map((i) => set.labels[i]!),
            { dtype: "int64" },
          ),
        ];
      }
    },
  };
}

/** Mean and std of the training log-mels (clean clips, centred), for standardisation. */
function featureStats(set: ClipSet, pre: Preprocessing): { mean: number; std: number } {
  return noGrad(() =>
    tidy(() => {
      const idx = Array.from({ length: Math.min(512, set.clips.length) }, (_, i) => i);
      const f = logMel(waveBatch(set, idx, { length: pre.length }, new Random(0)), { ...pre, mean: 0, std: 1 });
      return { mean: f.mean().item(), std: Math.max(1e-3, f.std().item()) };
    }),
  );
}

function majorityBaseline(set: ClipSet): number {
  const counts = new Array<number>(set.classes.length).fill(0);
  for (const l of set.labels) counts[l]!++;
  return Math.max(...counts) / Math.max(1, set.labels.length);
}

/** The training loss: cross-entropy with a little label smoothing (evaluation reports the plain one). */
const smoothedLoss = (out: Tensor, y: Tensor): Tensor => crossEntropy(out, y, { labelSmoothing: 0.05 });

async function train(o: TrainInput & OptionValues<typeof OPTIONS>): Promise<TaskTrainResult> {
  const { seed, log } = o;
  manualSeed(seed);
  const data: AudioData = await resolveAudioData(o.data, { seed, log });
  if (data.generation && data.generation.synthesized > 0)
    log(
      `${TASK}: synthesized ${data.generation.synthesized} clips in ${data.generation.seconds.toFixed(1)} s (${data.generation.clipsPerSecond.toFixed(1)} clips/s)`,
    );
  let trainSet = data.train;
  if (o.limit !== undefined && o.limit < trainSet.clips.length) {
    const perm = Array.from(new Random(seed, 505).permutation(trainSet.clips.length)).slice(0, o.limit);
    trainSet = subsetOf(trainSet, perm);
  }
  const val = o.val ? (await resolveAudioData(o.val, { seed, classes: data.train.classes, windowLength: data.length })).test : data.val;
  const pre: Preprocessing = { ...DEFAULT_FRONTEND, length: data.length, data: o.data };
  Object.assign(pre, featureStats(trainSet, pre));
  const classes = trainSet.classes;
  const arch = o.model ?? "tc-resnet8";
  const hyper: Hyper = {
    nMels: pre.nMels,
    numClasses: classes.length,
    ...(o.width !== undefined ? { width: o.width } : {}),
    ...(o.dropout !== undefined ? { dropout: o.dropout } : {}),
  };
  const model = buildModel(arch, hyper);
  const n = trainSet.clips.length;
  const batchSize = o.batchSize ?? (n >= 2000 ? 64 : 32);
  const epochs = o.epochs ?? Math.min(40, Math.max(8, Math.ceil(60_000 / n)));
  const peakLr = o.lr ?? 3e-3;
  const recipe = augmentRecipe(n, {
    window: pre.length,
    frames: Math.floor(pre.length / pre.hopLength) + 1,
    sampleRate: pre.sampleRate,
    ...(data.trainMix ? { mix: data.trainMix } : {}),
    ...(data.builtIn ? { tuned: true } : {}),
  });
  log(`${TASK}: ${data.description}`);
  log(`${TASK}: ${recipe.summary}`);
  log(
    `${TASK}: ${n} training / ${val.clips.length} validation clips, ${classes.length} classes; ${arch}, ${plural(epochs, "epoch")}, batch ${batchSize}, lr ${peakLr}`,
  );
  const optimizer = new AdamW(model.parameters(), { lr: peakLr, weightDecay: 1e-3 });
  const stepsPerEpoch = Math.ceil(n / batchSize);
  const total = epochs * stepsPerEpoch;
  const warmup = Math.min(stepsPerEpoch, Math.ceil(total * 0.05));
  const trainer = new Trainer({
    name: TASK,
    model,
    optimizer,
    loss: smoothedLoss,
    meter: () => new ClassificationMeter(classes.length),
    progress: o.progress,
    callbacks: [new WarmupCosineLR(optimizer, peakLr, total, warmup)],
    keepBest: { monitor: "valAccuracy" },
  });
  const valLoader = () => loaderOf(val, pre, { batchSize: 128, mix: data.testMix, seed });
  const history = await trainer.fit(loaderOf(trainSet, pre, { batchSize, recipe, seed }), {
    epochs,
    val: valLoader(),
  });
  const metrics = await trainer.evaluate(valLoader());
  const { confusionMatrix: _cm, ...summary } = metrics;
  await saveModelDir<Hyper, Preprocessing>(
    o.out,
    {
      task: TASK,
      architecture: arch,
      hyper,
      labels: classes,
      preprocessing: pre,
      metrics: {
        validation: summary,
        epochs,
        batchSize,
        lr: peakLr,
        seed,
        trainExamples: n,
        bestEpoch: history.bestEpoch,
        augmentation: recipe.summary,
      },
    },
    model.stateDict(),
    { processor: audioFeatureExtractorConfig(pre) },
  );
  // The validation split's confusion matrix beside the model, for the studio.
  await saveValidationReport(o.out, TASK, classes, metrics);
  // One AudioFolder and no --val: eval and compare on it then leave out the training clips.
  const carved = !o.val && existsSync(o.data) && statSync(o.data).isDirectory();
  await saveSplitRecord(
    o.out,
    carved
      ? {
          task: TASK,
          data: o.data,
          seed,
          examples: data.train.clips.length + data.val.clips.length,
          keyOf: "samples at 16 kHz",
          train: clipKeys(trainSet),
          heldOut: clipKeys(data.val),
        }
      : undefined,
  );
  return { dir: o.out, metrics, history };
}

/** Each clip's content key for the split record: its decoded samples, so a copied or renamed folder still matches. */
const clipKeys = (s: ClipSet): string[] => sampleKeys(s.clips);

async function loadModel(dir: string): Promise<{ model: Classifier; pre: Preprocessing; labels: string[] }> {
  const { config, weights } = await loadModelDir<Hyper, Preprocessing>(dir, TASK, CONFIG_SCHEMA);
  const model = buildModel(config.architecture, config.hyper);
  model.loadStateDict(weights);
  model.eval();
  return { model, pre: config.preprocessing!, labels: config.labels ?? [] };
}

/** Test-split metrics; built-in sets use their held-out voices/files and test noise. */
async function evaluate(dir: string, data: string, o: EvalArgs = {}): Promise<Record<string, unknown>> {
  const { model, pre, labels } = await loadModel(dir);
  try {
    return await evaluateModel(model, pre, labels, dir, data, o);
  } finally {
    model.dispose();
  }
}

async function evaluateModel(
  model: Classifier,
  pre: Preprocessing,
  labels: string[],
  dir: string,
  data: string,
  o: EvalArgs,
): Promise<Record<string, unknown>> {
  const d = await resolveAudioData(data, { classes: labels, windowLength: pre.length });
  if (d.test.classes.join("\n") !== labels.join("\n"))
    throw new FlambeauError(
      "E_ARG",
      `${data} has classes ${d.test.classes.join(", ")}, but the model in ${dir} knows ${labels.join(", ")}`,
    );
  const split = o.split === "train" ? d.train : d.test;
  const { keep, overlap } = selectUntrained(dir, data, () => clipKeys(split), o);
  const all = keep ? subsetOf(split, keep) : split;
  const test =
    o.limit !== undefined
      ? subsetOf(
          all,
          Array.from({ length: Math.min(o.limit, all.clips.length) }, (_, i) => i),
        )
      : all;
  const trainer = evaluator({ model, loss: (out, y) => crossEntropy(out, y), meter: () => new ClassificationMeter(labels.length) });
  const m = await trainer.evaluate(loaderOf(test, pre, { batchSize: o.batchSize ?? 128, mix: d.testMix, seed: 0 }));
  return {
    examples: test.clips.length,
    ...m,
    majorityBaseline: majorityBaseline(test),
    labels,
    data: d.description,
    ...(overlap ? { trainingOverlap: overlap } : {}),
  };
}

export interface Prediction {
  file: string;
  /** The clip's labels; for a recording of two windows or more, from the mean of its windows' probabilities. */
  labels: { label: string; probability: number }[];
  /** A recording of two windows or more: each window's best label (start and end in seconds). */
  windows?: { start: number; end: number; label: string; probability: number }[];
  /** For recordings longer than twice the window: confident detections along the recording. */
  detections?: { start: number; end: number; label: string; probability: number }[];
}

/** Class probabilities of windows [B, length]. */
function classify(model: Classifier, pre: Preprocessing, windows: Float32Array[]): Float32Array[] {
  return noGrad(() =>
    tidy(() => {
      const flat = new Float32Array(windows.length * pre.length);
      windows.forEach((w, i) => flat.set(w, i * pre.length));
      const p = model.forward(logMel(tensor(flat, { shape: [windows.length, pre.length] }), pre)).softmax(1);
      const d = p.data() as Float32Array;
      const k = p.shape[1]!;
      return windows.map((_, i) => d.slice(i * k, (i + 1) * k));
    }),
  );
}

async function load(dir: string): Promise<Predictor<Prediction, { topK?: number }>> {
  const { model, pre, labels } = await loadModel(dir);
  return {
    task: TASK,
    async predict(inputs, o = {}) {
      const out: Prediction[] = [];
      for (const file of inputs) {
        const clip = readMono(file, pre.sampleRate);
        // The windows training cut such a recording into; a shorter clip is one (centred) window.
        const starts = windowStarts(clip.length, pre.length);
        const wins = starts.length ? starts.map((s) => clip.subarray(s, s + pre.length)) : [fitLength(clip, pre.length)];
        const per: Float32Array[] = [];
        for (let i = 0; i < wins.length; i += 64) per.push(...classify(model, pre, wins.slice(i, i + 64)));
        const probs = new Float32Array(per[0]!.length);
        for (const q of per) q.forEach((v, k) => (probs[k]! += v / per.length));
        const order = Array.from(probs.keys()).sort((a, b) => probs[b]! - probs[a]!);
        const p: Prediction = {
          file,
          labels: order.slice(0, o.topK ?? 3).map((i) => ({ label: labels[i] ?? String(i), probability: probs[i]! })),
        };
        if (starts.length)
          p.windows = per.map((q, w) => {
            let best = 0;
            for (let k = 1; k < q.length; k++) if (q[k]! > q[best]!) best = k;
            const start = starts[w]! / pre.sampleRate;
            return { start, end: start + pre.length / pre.sampleRate, label: labels[best] ?? String(best), probability: q[best]! };
          });
        if (clip.length >= 2 * pre.length) p.detections = scan(model, pre, labels, clip);
        out.push(p);
      }
      return out;
    },
    dispose: () => model.dispose(),
  };
}

/** Slides the window over a long recording (hop 1/8 window) and merges runs of one confident label. */
function scan(model: Classifier, pre: Preprocessing, labels: string[], clip: Float32Array) {
  const hop = Math.floor(pre.length / 8);
  const starts: number[] = [];
  for (let s = 0; s + pre.length <= clip.length; s += hop) starts.push(s);
  const probs: Float32Array[] = [];
  for (let i = 0; i < starts.length; i += 64)
    probs.push(
      ...classify(
        model,
        pre,
        starts.slice(i, i + 64).map((s) => clip.slice(s, s + pre.length)),
      ),
    );
  const dets: { start: number; end: number; label: string; probability: number }[] = [];
  probs.forEach((p, i) => {
    let best = 0;
    for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
    if (p[best]! < 0.9) return;
    const start = starts[i]! / pre.sampleRate;
    const end = (starts[i]! + pre.length) / pre.sampleRate;
    const last = dets[dets.length - 1];
    if (last && last.label === labels[best] && start <= last.end) {
      last.end = end;
      last.probability = Math.max(last.probability, p[best]!);
    } else dets.push({ start, end, label: labels[best] ?? String(best), probability: p[best]! });
  });
  return dets;
}

const formatPrediction = (q: Prediction): string => {
  const top = q.labels.map((l) => `${l.label} ${(100 * l.probability).toFixed(1)}%`).join(", ");
  const det = q.detections?.length
    ? `; detected: ${q.detections.map((d) => `${d.label} @${d.start.toFixed(2)}–${d.end.toFixed(2)} s`).join(", ")}`
    : "";
  const win = q.windows ? ` (mean of ${q.windows.length} windows)` : "";
  return `${top}${win}${det}`;
};

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  // Demo budget: 12 words, two accents per voice group, one rendition (744 clips); full: the whole generated set.
  const data = o.full ? "speech-commands-synth" : "speech-commands-synth?words=12&accents=2&repeats=1";
  const epochs = o.full ? 20 : 12;
  const model = "tc-resnet8";
  const lr = o.full ? undefined : 5e-3;
  const r = await train({ data, out: o.out, seed: 0, model, epochs, lr, progress: o.progress, log: o.log ?? (() => {}) });
  const m = await evaluate(o.out, data);
  const { model: net, pre, labels } = await loadModel(o.out);
  const d = await resolveAudioData(data, {});
  // A few test clips (unseen voices, 10 dB noise) with the model's answers and their log-mel images.
  const pick = Array.from(new Random(2).permutation(d.test.clips.length).subarray(0, Math.min(8, d.test.clips.length)));
  const sub = subsetOf(d.test, pick);
  const waves = waveBatch(
    sub,
    pick.map((_, i) => i),
    { length: pre.length, mix: d.testMix },
    new Random(1),
  );
  const feats = logMel(waves, pre);
  const probs = noGrad(() => net.forward(feats).softmax(1));
  const top = probs.maxDim(1);
  const pIdx = top.indices.data() as BigInt64Array;
  const pVal = top.values.data() as Float32Array;
  const samples: NonNullable<DemoSection["samples"]> = pick.map((_, i) => ({
    input: sub.sources[i]!,
    truth: labels[sub.labels[i]!]!,
    predicted: labels[Number(pIdx[i])]!,
    probability: pVal[i]!,
  }));
  const extraHtml = await spectrogramGallery(
    feats,
    samples.map((s) => `${s.input} → ${s.predicted} (${(100 * s.probability).toFixed(0)}%)`),
    `Log-mel spectrograms (40 bands × 1 s) of test clips from voices never heard in training, mixed with unseen background noise at 10 dB SNR.`,
  );
  const extra = ` --model ${model} --epochs ${epochs}${lr ? ` --lr ${lr}` : ""}`;
  return {
    task: TASK,
    dataset: `keyword spotting on speech synthesized by espeak-ng and flite (${labels.length} words, test voices unseen, 10 dB SNR noise)`,
    commands: [`flambeau train ${TASK} --data "${data}" --out ${o.out}${extra}`, `flambeau eval ${o.out} --data "${data}" --json`],
    metrics: { accuracy: m.accuracy as number, macroF1: m.macroF1 as number, majorityBaseline: m.majorityBaseline as number },
    history: r.history.epochs.map((e) => ({ loss: e.loss!, valLoss: e.valLoss, valAccuracy: e.valAccuracy })),
    seconds: (performance.now() - t0) / 1000,
    confusion: { labels, matrix: m.confusionMatrix as number[][] },
    samples,
    extraHtml,
  };
}

export const audioClassification = defineTask({
  name: TASK,
  description: `classify sounds: keyword spotting, speaker identification, instrument recognition (log-mels → CNN / TC-ResNet; accuracy, macro-F1, confusion); ${RECIPE_NOTE}`,
  dataFormat: `an AudioFolder root/<class>/<clip> (.wav, or .flac/.mp3/.ogg/.opus/.m4a/.aac decoded by ffmpeg, the first 10 min of each) of any rate and channel count (resampled to 16 kHz, mixed to mono; recordings over 1.5 windows cut into windows, the window from the clip lengths or root?window=SECONDS; background recordings to mix in by root?noise=DIR; or root/train and root/test), or a generated/bundled set: ${BUILTIN_AUDIO_SETS.join(", ")} (options as ?groups=20&repeats=1&snr=10)`,
  models: Object.keys(AUDIO_CLASSIFIERS),
  defaultModel: "tc-resnet8",
  searchModels: ["tc-resnet8", "kws-cnn"],
  options: OPTIONS,
  shallow: audioShallowPipeline,
  baseline: "MFCC statistics + logistic regression (`flambeau compare audio-classification`)",
  train,
  evaluate,
  load,
  loadModule: async (dir) => (await loadModel(dir)).model,
  loadExport: async (dir) => {
    const { model, pre, labels } = await loadModel(dir);
    // Two clips of two tones, through the same front end predict uses.
    const wave = Float32Array.from(
      { length: 2 * pre.length },
      (_, i) => 0.3 * Math.sin((i * (i < pre.length ? 440 : 1200) * 2 * Math.PI) / pre.sampleRate),
    );
    const feats = logMel(tensor(wave, { shape: [2, pre.length] }), pre);
    const frames = feats.shape[3]!;
    const { length, sampleRate, nFft, winLength, hopLength, nMels, mean, std } = pre;
    return {
      module: model,
      inputs: [feats],
      inputNames: ["log_mel"],
      outputNames: ["logits"],
      metadata: {
        input: `float32 [batch, 1, ${nMels}, ${frames}]: ${length} samples at ${sampleRate} Hz → power mel spectrogram (Hann window ${winLength}, FFT ${nFft}, hop ${hopLength}, ${nMels} mels; torchaudio MelSpectrogram defaults) → dB with an 80 dB floor per clip → minus mean, divided by std`,
        output: "logits [batch, classes]; softmax gives the probabilities of labels",
        preprocessing: JSON.stringify({ length, sampleRate, nFft, winLength, hopLength, nMels, mean, std, topDb: 80 }),
        labels: JSON.stringify(labels),
      },
    };
  },
  formatPrediction,
  demo,
});
