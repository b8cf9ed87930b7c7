// speaker-diarization: who speaks when, and how many speak. Energy VAD → x-vector embeddings
// (TDNN + statistics pooling, trained here on speaker classification over the training voices)
// of sliding windows → agglomerative clustering whose cosine threshold is tuned on validation
// conversations, so the number of speakers is estimated. Metrics: DER with md-eval's 0.25 s
// collar (overlap scored) and speaker-count accuracy on conversations of voices never heard
// in training, beside the one-speaker baseline (all detected speech = one speaker).
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { Random } from "../../data/random.js";
import { writeTextAtomic } from "../../io/atomic.js";
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
import { type ConfigSchemaParts, schema } from "../../train/config-schema.js";
import { ClassificationMeter } from "../../train/metrics.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { type Batch, Trainer } from "../../train/trainer.js";
import { readMono } from "../data/audio-folder.js";
import { DEFAULT_FRONTEND, logMel } from "../data/frontend.js";
import type { LabelledUtterance, NamedConversation } from "../diarization/conversation-set.js";
import { BUILTIN_DIARIZATION_SETS, resolveDiarizationData } from "../diarization/data.js";
import { type DerResult, diarizationErrorRate, pooledDer } from "../diarization/der.js";
import { analyse, clusterTurns, type DiarizerConfig, diarize } from "../diarization/diarize.js";
import { formatRttm, writeRttm } from "../diarization/rttm.js";
import { timelineSvg } from "../diarization/timeline-svg.js";
import type { SpeakerTurn } from "../diarization/turns.js";
import { XVector } from "../diarization/xvector.js";

const TASK = "speaker-diarization";
const ARCH = "xvector-tdnn";
/** md-eval's -c 0.25 (pyannote.metrics collar=0.5): the standard forgiveness collar. */
const COLLAR = 0.25;
/** Training crops: the same 1.5 s as the inference windows. */
const CROP = 24000;

const OPTIONS = {
  rttm: opt.path("write the predicted turns of all inputs to this RTTM file", { phases: ["predict"] }),
  threshold: opt.number("clustering cosine threshold (default: the one tuned on validation)", { phases: ["eval", "predict"] }),
  timeline: opt.path("write an SVG of reference vs predicted turns of the first three recordings", { phases: ["eval"] }),
};

type Hyper = { nMels: number; numSpeakers: number; channels: number; embedding: number };
interface Preprocessing extends DiarizerConfig {
  data: string;
}

const CONFIG_SCHEMA: ConfigSchemaParts = {
  hyper: schema.object({
    nMels: schema.int(1, 512),
    numSpeakers: schema.int(1, 100000),
    channels: schema.int(1, 4096),
    embedding: schema.int(1, 4096),
  }),
  preprocessing: schema.object({
    sampleRate: schema.int(1000, 384000),
    window: schema.positive(),
    hop: schema.positive(),
    threshold: schema.number(),
    minSize: schema.int(1, 1000),
    center: schema.numbers(schema.number(), 1, 4096),
  }),
};

/** A random `len`-sample crop of `x`, tiled when `x` is shorter (no silence padding to skew the statistics). */
function crop(x: Float32Array, len: number, rng: Random): Float32Array {
  const out = new Float32Array(len);
  if (x.length === 0) return out;
  if (x.length >= len) {
    const at = rng.int(x.length - len + 1);
    out.set(x.subarray(at, at + len));
    return out;
  }
  for (let i = 0; i < len; i += x.length) out.set(x.subarray(0, Math.min(x.length, len - i)), i);
  return out;
}

function loaderOf(set: readonly LabelledUtterance[], pre: Preprocessing, o: { batchSize: number; train: boolean; seed: number }) {
  let epoch = 0;
  return {
    length: Math.ceil(set.length / o.batchSize),
    async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
      const rng = new Random(o.seed, 77, o.train ? ++epoch : 0);
      const order = o.train ? Array.from(rng.permutation(set.length)) : set.map((_, i) => i);
      for (let s = 0; s < order.length; s += o.batchSize) {
        const idx = order.slice(s, s + o.batchSize);
        if (o.train && idx.length < 2) continue; // batch norm needs two examples
        const flat = new Float32Array(idx.length * CROP);
        idx.forEach((i, j) => {
          const c = crop(set[i]!.samples, CROP, rng);
          // Loudness varies between speakers and microphones: ±6 dB in training.
          const g = o.train ? 10 ** ((12 * rng.nextFloat() - 6) / 20) : 1;
          for (let t = 0; t < CROP; t++) flat[j * CROP + t] = c[t]! * g;
        });
        yield [
          logMel(tensor(flat, { shape: [idx.length, CROP] }), pre),
          tensor(
            idx.map((i) => set[i]!.label),
            { dtype: "int64" },
          ),
        ];
      }
    },
  };
}

/** Mean embedding of the training utterances (subtracted before cosine scoring). */
function embeddingCenter(model: XVector, set: readonly LabelledUtterance[], pre: Preprocessing): number[] {
  const rng = new Random(5);
  const idx = Array.from(rng.permutation(set.length)).slice(0, 256);
  return noGrad(() =>
    tidy(() => {
      const flat = new Float32Array(idx.length * CROP);
      idx.forEach((i, j) => flat.set(crop(set[i]!.samples, CROP, rng), j * CROP));
      return Array.from(
        model
          .embed(logMel(tensor(flat, { shape: [idx.length, CROP] }), pre))
          .mean(0)
          .data() as Float32Array,
      );
    }),
  );
}

function featureStats(set: readonly LabelledUtterance[]): { mean: number; std: number } {
  const rng = new Random(3);
  return noGrad(() =>
    tidy(() => {
      const idx = Array.from(rng.permutation(set.length)).slice(0, 256);
      const flat = new Float32Array(idx.length * CROP);
      idx.forEach((i, j) => flat.set(crop(set[i]!.samples, CROP, rng), j * CROP));
      const f = logMel(tensor(flat, { shape: [idx.length, CROP] }), { ...DEFAULT_FRONTEND, mean: 0, std: 1 });
      return { mean: f.mean().item(), std: Math.max(1e-3, f.std().item()) };
    }),
  );
}

export interface ConversationScore {
  id: string;
  der: DerResult;
  speakers: number;
  predictedSpeakers: number;
  turns: SpeakerTurn[];
}

/** DER and speaker counts over conversations at one threshold, from analysed recordings. */
function scoreAll(
  convs: readonly NamedConversation[],
  analysed: readonly ReturnType<typeof analyse>[],
  threshold: number,
  minSize: number,
): { pooled: ReturnType<typeof pooledDer>; countAccuracy: number; per: ConversationScore[] } {
  const per = convs.map((c, i) => {
    const out = clusterTurns(analysed[i]!, threshold, minSize);
    const speakers = new Set(c.turns.map((t) => t.speaker)).size;
    return {
      id: c.id,
      der: diarizationErrorRate(c.turns, out.turns, { collar: COLLAR }),
      speakers,
      predictedSpeakers: out.speakers,
      turns: out.turns,
    };
  });
  const countAccuracy = per.filter((p) => p.speakers === p.predictedSpeakers).length / Math.max(1, per.length);
  return { pooled: pooledDer(per.map((p) => p.der)), countAccuracy, per };
}

/** The one-speaker baseline: every VAD speech region is one speaker. */
function oneSpeakerBaseline(convs: readonly NamedConversation[], analysed: readonly ReturnType<typeof analyse>[]) {
  return pooledDer(
    convs.map((c, i) =>
      diarizationErrorRate(
        c.turns,
        analysed[i]!.speech.map(([s, e]) => ({ start: s, end: e, speaker: "one" })),
        { collar: COLLAR },
      ),
    ),
  );
}

async function train(o: TrainInput): Promise<TaskTrainResult> {
  const { seed, log } = o;
  manualSeed(seed);
  const data = await resolveDiarizationData(o.data, { seed, log });
  if (data.synthesized > 0) log(`${TASK}: synthesized ${data.synthesized} utterances`);
  log(`${TASK}: ${data.description}`);
  let utts = data.train;
  if (o.limit !== undefined && o.limit < utts.length)
    utts = Array.from(new Random(seed, 505).permutation(utts.length))
      .slice(0, o.limit)
      .map((i) => utts[i]!);
  // A tenth of the training utterances (every tenth) watches the speaker classifier.
  const fitSet = utts.filter((_, i) => i % 10 !== 9);
  const watchSet = utts.filter((_, i) => i % 10 === 9);
  const valConvs = o.val ? (await resolveDiarizationData(o.val, { seed, log })).test : data.val;
  const pre: Preprocessing = {
    ...DEFAULT_FRONTEND,
    ...featureStats(utts),
    window: 1.5,
    hop: 0.75,
    threshold: 0.3,
    minSize: 1,
    center: [],
    vad: {},
    data: o.data,
  };
  const hyper: Hyper = { nMels: pre.nMels, numSpeakers: data.speakers.length, channels: 128, embedding: 128 };
  const model = new XVector(hyper);
  const batchSize = o.batchSize ?? 32;
  const epochs = o.epochs ?? 20;
  const peakLr = o.lr ?? 3e-3;
  log(
    `${TASK}: ${fitSet.length} training utterances, ${data.speakers.length} speakers; ${ARCH}, ${plural(epochs, "epoch")}, batch ${batchSize}, lr ${peakLr}`,
  );
  const optimizer = new AdamW(model.parameters(), { lr: peakLr, weightDecay: 1e-3 });
  const steps = epochs * Math.ceil(fitSet.length / batchSize);
  const trainer = new Trainer({
    name: TASK,
    model,
    optimizer,
    loss: (out: Tensor, y: Tensor) => crossEntropy(out, y, { labelSmoothing: 0.05 }),
    meter: () => new ClassificationMeter(data.speakers.length),
    progress: o.progress,
    callbacks: [new WarmupCosineLR(optimizer, peakLr, steps, Math.ceil(steps * 0.05))],
    keepBest: watchSet.length > 0 ? { monitor: "valAccuracy" } : undefined,
  });
  const history = await trainer.fit(loaderOf(fitSet, pre, { batchSize, train: true, seed }), {
    epochs,
    ...(watchSet.length > 0 ? { val: loaderOf(watchSet, pre, { batchSize: 64, train: false, seed }) } : {}),
  });
  model.eval();
  pre.center = embeddingCenter(model, fitSet, pre);
  // The clustering threshold (and the smallest cluster kept) that minimise validation DER.
  const analysed = valConvs.map((c) => analyse(model, c.wave, pre));
  let best = { der: Number.POSITIVE_INFINITY, threshold: 0, minSize: 1, countAccuracy: 0 };
  for (const minSize of [1, 2, 3])
    for (let k = -4; k <= 18; k++) {
      const threshold = k * 0.05;
      const s = scoreAll(valConvs, analysed, threshold, minSize);
      if (s.pooled.der < best.der - 1e-9) best = { der: s.pooled.der, threshold, minSize, countAccuracy: s.countAccuracy };
    }
  pre.threshold = +best.threshold.toFixed(2);
  pre.minSize = best.minSize;
  log(
    `${TASK}: threshold ${pre.threshold}, smallest cluster ${pre.minSize} → validation DER ${(100 * best.der).toFixed(1)} %, count accuracy ${(100 * best.countAccuracy).toFixed(0)} %`,
  );
  const metrics = {
    ...history.epochs[history.epochs.length - 1],
    valDer: best.der,
    valCountAccuracy: best.countAccuracy,
    threshold: pre.threshold,
  };
  await saveModelDir<Hyper, Preprocessing>(
    o.out,
    {
      task: TASK,
      architecture: ARCH,
      hyper,
      labels: data.speakers,
      preprocessing: pre,
      metrics: { validation: metrics, epochs, batchSize, lr: peakLr, seed, trainExamples: fitSet.length, bestEpoch: history.bestEpoch },
    },
    model.stateDict(),
  );
  return { dir: o.out, metrics, history };
}

async function loadModel(dir: string): Promise<{ model: XVector; pre: Preprocessing }> {
  const { config, weights } = await loadModelDir<Hyper, Preprocessing>(dir, TASK, CONFIG_SCHEMA);
  if (config.architecture !== ARCH)
    throw new FlambeauError("E_FORMAT", `${TASK}: unknown architecture "${config.architecture}" in ${dir}; models: ${ARCH}`, TASK);
  const model = new XVector(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  return { model, pre: config.preprocessing! };
}

export interface DiarizationEvaluation {
  recordings: number;
  der: number;
  missed: number;
  falseAlarm: number;
  confusion: number;
  derNoCollar: number;
  countAccuracy: number;
  oneSpeakerBaselineDer: number;
  collar: number;
  per: ConversationScore[];
}

async function evaluateWith(
  model: XVector,
  pre: Preprocessing,
  data: string,
  o: EvalArgs & { threshold?: number },
): Promise<DiarizationEvaluation & { data: string; convs: NamedConversation[] }> {
  const d = await resolveDiarizationData(data, {});
  const convs = o.limit !== undefined ? d.test.slice(0, o.limit) : d.test;
  const analysed = convs.map((c) => analyse(model, c.wave, pre));
  const s = scoreAll(convs, analysed, o.threshold ?? pre.threshold, pre.minSize);
  const strict = pooledDer(convs.map((c, i) => diarizationErrorRate(c.turns, s.per[i]!.turns)));
  const t = s.pooled.total || 1;
  return {
    recordings: convs.length,
    der: s.pooled.der,
    missed: s.pooled.missed / t,
    falseAlarm: s.pooled.falseAlarm / t,
    confusion: s.pooled.confusion / t,
    derNoCollar: strict.der,
    countAccuracy: s.countAccuracy,
    oneSpeakerBaselineDer: oneSpeakerBaseline(convs, analysed).der,
    collar: COLLAR,
    per: s.per,
    data: d.description,
    convs,
  };
}

/** Reference and hypothesis rows of the first `n` recordings, one SVG each. */
function timelines(per: readonly ConversationScore[], convs: readonly NamedConversation[], n: number): string[] {
  return per.slice(0, n).map((p, i) => {
    const c = convs[i]!;
    return timelineSvg(
      [
        { label: "reference", turns: c.turns },
        { label: "hypothesis", turns: p.turns, colourAs: p.der.mapping },
      ],
      c.wave.length / c.sampleRate,
      { title: `${p.id}: ${p.speakers} speakers, ${p.predictedSpeakers} found; DER ${(100 * p.der.der).toFixed(1)} % (0.25 s collar)` },
    );
  });
}

/** The SVGs stacked in one picture. */
function stackSvgs(svgs: readonly string[]): string {
  const sizes = svgs.map((s) => [Number(/width="(\d+)"/.exec(s)![1]), Number(/height="(\d+)"/.exec(s)![1])] as const);
  const w = Math.max(...sizes.map((z) => z[0]));
  let y = 0;
  const parts = svgs.map((s, i) => {
    const at = y;
    y += sizes[i]![1] + 8;
    return s.replace("<svg ", `<svg y="${at}" `);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${y}" viewBox="0 0 ${w} ${y}"><rect width="${w}" height="${y}" fill="white"/>${parts.join("")}</svg>\n`;
}

async function evaluate(
  dir: string,
  data: string,
  o: EvalArgs & { threshold?: number; timeline?: string } = {},
): Promise<Record<string, unknown>> {
  const { model, pre } = await loadModel(dir);
  try {
    const { convs, per, ...m } = await evaluateWith(model, pre, data, o);
    if (o.timeline) await writeTextAtomic("speaker-diarization", o.timeline, stackSvgs(timelines(per, convs, 3)));
    return {
      ...m,
      perRecording: per.map((p) => ({ id: p.id, der: p.der.der, speakers: p.speakers, predictedSpeakers: p.predictedSpeakers })),
    };
  } finally {
    model.dispose();
  }
}

export interface DiarizationPrediction {
  file: string;
  speakers: number;
  turns: SpeakerTurn[];
}

async function load(dir: string): Promise<Predictor<DiarizationPrediction, { rttm?: string; threshold?: number }>> {
  const { model, pre } = await loadModel(dir);
  return {
    task: TASK,
    async predict(inputs, o = {}) {
      const cfg = o.threshold !== undefined ? { ...pre, threshold: o.threshold } : pre;
      const out = inputs.map((file) => {
        const r = diarize(model, readMono(file, pre.sampleRate), cfg);
        return { file, speakers: r.speakers, turns: r.turns };
      });
      if (o.rttm) await writeRttm(o.rttm, Object.fromEntries(out.map((p) => [rttmId(p.file), p.turns])));
      return out;
    },
    dispose: () => model.dispose(),
  };
}

/** A recording's RTTM file id: its base name without extension, spaces replaced. */
const rttmId = (file: string): string => (file.split(/[\\/]/).pop() ?? file).replace(/\.[^.]*$/, "").replace(/\s+/g, "_") || "recording";

const formatPrediction = (p: DiarizationPrediction): string =>
  `${p.file}: ${plural(p.speakers, "speaker")}\n${formatRttm({ [rttmId(p.file)]: p.turns }).trimEnd()}`;

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const data = o.full ? "conversations-synth" : "conversations-synth?test=12&val=8&sentences=8";
  const epochs = o.full ? 12 : 3;
  const r = await train({ data, out: o.out, seed: 0, epochs, progress: o.progress, log: o.log ?? (() => {}) });
  const { model, pre } = await loadModel(o.out);
  try {
    const m = await evaluateWith(model, pre, data, {});
    const figs = timelines(m.per, m.convs, 3);
    return {
      task: TASK,
      dataset: `conversations of 2–4 synthetic voices (espeak-ng, flite) with pauses and overlaps; test voices never heard in training`,
      commands: [
        `flambeau train ${TASK} --data "${data}" --out ${o.out} --epochs ${epochs}`,
        `flambeau eval ${o.out} --data "${data}" --json`,
      ],
      metrics: { der: m.der, countAccuracy: m.countAccuracy, oneSpeakerBaselineDer: m.oneSpeakerBaselineDer, derNoCollar: m.derNoCollar },
      history: r.history.epochs.map((e) => ({ loss: e.loss!, valLoss: e.valLoss, valAccuracy: e.valAccuracy })),
      seconds: (performance.now() - t0) / 1000,
      samples: m.per.slice(0, 8).map((p) => ({
        input: p.id,
        truth: plural(p.speakers, "speaker"),
        predicted: plural(p.predictedSpeakers, "speaker"),
        probability: 1 - Math.min(1, p.der.der),
      })),
      extraHtml: `<p>Reference (top) and predicted (bottom) speaker turns of test conversations; predicted speakers take the colour of the reference speaker DER maps them to. DER uses a 0.25 s collar.</p>${figs.map((f) => `<div>${f}</div>`).join("")}`,
    };
  } finally {
    model.dispose();
  }
}

export const speakerDiarization = defineTask({
  name: TASK,
  description:
    "who speaks when: energy VAD → x-vector embeddings (TDNN, trained here) of sliding windows → agglomerative clustering (speaker count estimated); DER with a 0.25 s collar, speaker-count accuracy",
  dataFormat: `a folder of name.wav + name.rttm pairs, or ${BUILTIN_DIARIZATION_SETS.join(", ")} (options ?test=24&val=12&speakers=2-4&sentences=10&overlap=0.2)`,
  models: [ARCH],
  defaultModel: ARCH,
  options: OPTIONS,
  baseline: "one speaker for all detected speech (reported by eval as oneSpeakerBaselineDer)",
  train,
  evaluate,
  load,
  loadModule: async (dir) => (await loadModel(dir)).model,
  formatPrediction,
  demo,
});
