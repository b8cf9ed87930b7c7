// text-to-speech: text → espeak-ng phonemes (in the speaker's accent) → a FastSpeech 2-style
// multi-speaker acoustic model → log-mels → a Vocos neural vocoder (or Griffin-Lim) → waveform.
// Durations for training come from monotonic alignment search over per-(speaker, phoneme)
// Gaussians trained by hard EM (../tts/aligner.ts); the vocoder trains after the acoustic model
// on the recordings' true mels and the acoustic model's teacher-forced ones. Evaluation on
// held-out sentences (texts no speaker read in training): mel-cepstral distortion (DTW) to the
// reference voice's recording, the CER of a saved automatic-speech-recognition model (--asr)
// on the synthesized and on the reference audio, and the real-time factor; beside the
// ground-truth mel through the same vocoders (the upper bound) and the mean-mel-per-phoneme
// lookup (the lower baseline), each through both vocoders.
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { AdamW } from "../../optim/index.js";
import { plural } from "../../tasks/format.js";
import { escapeHtml } from "../../tasks/html.js";
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
import { ModelCheckpoint, WarmupCosineLR } from "../../train/callbacks.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { Trainer } from "../../train/trainer.js";
import { readMono } from "../data/audio-folder.js";
import { DEFAULT_FRONTEND, type FrontendConfig } from "../data/frontend.js";
import { asrScores } from "../metrics/asr.js";
import { allVoices } from "../speech/voices.js";
import { type AlignInput, lookupMel, type PhonemeStats, phonemeStats, trainAligner } from "../tts/aligner.js";
import { melOf, melOfWave, TTS_DATA, type TtsUtterance, ttsCorpus } from "../tts/corpus.js";
import { FastSpeech, type FastSpeechOptions, validMask } from "../tts/fastspeech.js";
import { melCepstra, melCepstralDistortion } from "../tts/mcd.js";
import { PhonemeVocab, phonemize, phonemizerVoice } from "../tts/phonemes.js";
import { vocode, vocodeNeural } from "../tts/vocode.js";
import { trainVocoder, type VocoderClip } from "../tts/vocoder-train.js";
import { Vocos, type VocosOptions } from "../tts/vocos.js";
import { encodeWav, writeWav } from "../wav.js";
import { automaticSpeechRecognition } from "./automatic-speech-recognition.js";

const TASK = "text-to-speech";
const ARCHS = ["fastspeech2"] as const;

const OPTIONS = {
  speaker: opt.string("voice to speak with (a voice id such as flite:slt, or its index; default the first)", { phases: ["predict"] }),
  outDir: opt.path("folder the WAV files are written to", { phases: ["predict"], default: "tts-out" }),
  pace: opt.number("duration multiplier (> 1 slower)", { phases: ["predict"], positive: true }),
  asr: opt.path("a saved automatic-speech-recognition model: its CER on the synthesized and reference audio", { phases: ["eval"] }),
  report: opt.path("an HTML page with audio elements for the first held-out sentences", { phases: ["eval"] }),
  iterations: opt.int("Griffin-Lim iterations", { phases: ["eval", "predict"], default: 32 }),
  vocoderSteps: opt.count("training steps of the Vocos neural vocoder after the acoustic model (0: Griffin-Lim only)", {
    phases: ["train"],
    default: 3000,
  }),
  griffinLim: opt.flag("vocode with Griffin-Lim even when the model has a neural vocoder", { phases: ["predict"] }),
};
type TtsOptions = OptionValues<typeof OPTIONS>;

interface Preprocessing {
  frontend: FrontendConfig;
  phonemes: string[];
  speakers: string[];
  data: string;
  seed: number;
  lookup: PhonemeStats;
  /** The neural vocoder's hyper-parameters (its weights are the `vocoder.` entries); absent: Griffin-Lim. */
  vocoder?: VocosOptions;
}

const VOCODER_PREFIX = "vocoder.";

interface Example extends AlignInput {
  durs: number[];
}

interface TtsBatch {
  ids: Tensor;
  speakers: Tensor;
  lens: number[];
  durs: number[][];
  target: Tensor;
  frames: number[];
  n: number;
}

const NMELS = 80;

/** Log-mels [nMels × frames] of every utterance under `pre` (dB when its mean is 0 and std 1). */
function features(utts: readonly TtsUtterance[], pre: FrontendConfig): { mel: Float32Array; frames: number }[] {
  return utts.map((u) => {
    const { mel, frames } = melOf(u.file, pre);
    return { mel, frames };
  });
}

function batchOf(ex: readonly Example[], nMels: number): TtsBatch {
  const n = Math.max(...ex.map((e) => e.ids.length));
  const t = Math.max(...ex.map((e) => e.frames));
  const ids = new BigInt64Array(ex.length * n);
  const target = new Float32Array(ex.length * t * nMels);
  ex.forEach((e, b) => {
    e.ids.forEach((p, i) => (ids[b * n + i] = BigInt(p)));
    for (let k = 0; k < e.frames; k++) for (let m = 0; m < nMels; m++) target[(b * t + k) * nMels + m] = e.mel[m * e.frames + k]!;
  });
  return {
    ids: tensor(ids, { shape: [ex.length, n] }),
    speakers: tensor(
      BigInt64Array.from(ex, (e) => BigInt(e.speaker)),
      { shape: [ex.length] },
    ),
    lens: ex.map((e) => e.ids.length),
    durs: ex.map((e) => e.durs),
    target: tensor(target, { shape: [ex.length, t, nMels] }),
    frames: ex.map((e) => e.frames),
    n: ex.length,
  };
}

/** Masked L1 of both mel outputs + MSE of the log durations. */
function batchLoss(model: FastSpeech, b: TtsBatch): Tensor {
  return tidy(() => {
    const out = model.synthesize(b.ids, b.speakers, b.lens, b.durs);
    const t = b.target.shape[1]!;
    const fm = validMask(b.frames, t);
    const denom = fm.sum().item() * b.target.shape[2]!;
    const l1 = (y: Tensor) => y.sub(b.target).abs().mul(fm).sum().div(denom);
    const n = b.ids.shape[1]!;
    const pm = validMask(b.lens, n).squeeze(2);
    const logD = tensor(Float32Array.from(b.durs.flatMap((d) => Array.from({ length: n }, (_, i) => Math.log(1 + (d[i] ?? 0))))), {
      shape: [b.n, n],
    });
    const dl = out.logDur.sub(logD).pow(2).mul(pm).sum().div(pm.sum());
    return l1(out.melCoarse).add(l1(out.mel)).add(dl);
  });
}

function lengthBatches(ex: readonly Example[], size: number, rng: Random | null): Example[][] {
  const order = ex.map((_, i) => i).sort((a, b) => ex[a]!.frames - ex[b]!.frames);
  const out: Example[][] = [];
  for (let s = 0; s < order.length; s += size) out.push(order.slice(s, s + size).map((i) => ex[i]!));
  return rng ? rng.shuffle(out) : out;
}

async function train(o: TrainInput & TtsOptions): Promise<TaskTrainResult> {
  const { seed, log } = o;
  manualSeed(seed);
  const data = o.data || TTS_DATA;
  const corpus = await ttsCorpus(data, { seed, log });
  let trainUtts = corpus.train;
  if (o.limit !== undefined && o.limit < trainUtts.length)
    trainUtts = Array.from(new Random(seed, 505).permutation(trainUtts.length))
      .slice(0, o.limit)
      .map((i) => trainUtts[i]!);
  const vocab = PhonemeVocab.build(trainUtts.map((u) => u.phones));
  // dB log-mels first; their training mean and std standardise everything after.
  const raw: FrontendConfig = { ...DEFAULT_FRONTEND, nMels: NMELS, mean: 0, std: 1 };
  const trainF = features(trainUtts, raw);
  let sum = 0;
  let sq = 0;
  let cnt = 0;
  for (const f of trainF)
    for (const v of f.mel) {
      sum += v;
      sq += v * v;
      cnt++;
    }
  const mean = sum / cnt;
  const frontend: FrontendConfig = { ...raw, mean, std: Math.sqrt(Math.max(1e-6, sq / cnt - mean * mean)) };
  const standardise = (f: { mel: Float32Array; frames: number }) => ({
    mel: f.mel.map((v) => (v - frontend.mean) / frontend.std),
    frames: f.frames,
  });
  const toInput = (u: TtsUtterance, f: { mel: Float32Array; frames: number }): AlignInput => ({
    ...standardise(f),
    ids: vocab.encode(u.phones),
    speaker: u.speaker,
  });
  const trainIn = trainUtts.map((u, i) => toInput(u, trainF[i]!));
  const valIn = corpus.val.map((u) => toInput(u, features([u], raw)[0]!));
  const t0 = performance.now();
  const aligned = trainAligner([...trainIn, ...valIn], { nMels: NMELS, vocab: vocab.size, speakers: corpus.speakers.length, log });
  log(`${TASK}: aligned ${trainIn.length + valIn.length} utterances in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const trainEx: Example[] = trainIn.map((u, i) => ({ ...u, durs: aligned.durations[i]! }));
  const valEx: Example[] = valIn.map((u, i) => ({ ...u, durs: aligned.durations[trainIn.length + i]! }));
  // The lookup baseline's statistics come from the training utterances only.
  const lookup = phonemeStats(trainIn, aligned.durations.slice(0, trainIn.length), NMELS, vocab.size, corpus.speakers.length);
  const hyper: FastSpeechOptions = {
    vocab: vocab.size,
    speakers: corpus.speakers.length,
    nMels: NMELS,
    dim: 128,
    heads: 2,
    encoderLayers: 2,
    decoderLayers: 2,
    dropout: 0.1,
  };
  const model = new FastSpeech(hyper);
  const batchSize = o.batchSize ?? 16;
  const epochs = o.epochs ?? 25;
  const peakLr = o.lr ?? 2e-3;
  log(`${TASK}: ${corpus.description}`);
  log(
    `${TASK}: ${trainEx.length} training / ${valEx.length} validation utterances, ${vocab.size} phoneme symbols; fastspeech2, ${plural(epochs, "epoch")}, batch ${batchSize}, lr ${peakLr}`,
  );
  const optimizer = new AdamW(model.parameters(), { lr: peakLr, weightDecay: 1e-2 });
  const stepsPerEpoch = Math.ceil(trainEx.length / batchSize);
  const total = epochs * stepsPerEpoch;
  const rng = new Random(seed, 1);
  let vocoder: { model: Vocos; hyper: VocosOptions } | null = null;
  const pre = (): Preprocessing => ({
    frontend,
    phonemes: vocab.symbols,
    speakers: corpus.speakers,
    data,
    seed,
    lookup,
    ...(vocoder ? { vocoder: vocoder.hyper } : {}),
  });
  const weights = (): Map<string, Tensor> => {
    const sd = model.stateDict();
    if (vocoder) for (const [k, v] of vocoder.model.stateDict()) sd.set(VOCODER_PREFIX + k, v);
    return sd;
  };
  const save = (validation: Record<string, number>, done: number, bestEpoch?: number, seconds?: number) =>
    saveModelDir<FastSpeechOptions, Preprocessing>(
      o.out,
      {
        task: TASK,
        architecture: "fastspeech2",
        hyper,
        labels: corpus.speakers,
        preprocessing: pre(),
        metrics: { validation, epochs: done, batchSize, lr: peakLr, seed, trainExamples: trainEx.length, bestEpoch, trainSeconds: seconds },
      },
      weights(),
    );
  const batches = {
    length: stepsPerEpoch,
    *[Symbol.iterator](): Generator<TtsBatch> {
      for (const ex of lengthBatches(trainEx, batchSize, rng)) yield batchOf(ex, NMELS);
    },
  };
  const valBatches = lengthBatches(valEx, batchSize, null);
  const trainer = new Trainer<TtsBatch>({
    name: TASK,
    model,
    optimizer,
    step: (b) => batchLoss(model, b),
    batchSize: (b) => b.n,
    gradClipNorm: 1,
    validate: () => {
      model.eval();
      let s = 0;
      let n = 0;
      for (const ex of valBatches)
        noGrad(() =>
          tidy(() => {
            const b = batchOf(ex, NMELS);
            s += batchLoss(model, b).item() * b.n;
            n += b.n;
          }),
        );
      model.train();
      return { valLoss: s / Math.max(1, n) };
    },
    keepBest: { monitor: "valLoss", mode: "min" },
    progress: o.progress,
    callbacks: [
      new WarmupCosineLR(optimizer, peakLr, total, Math.min(total, 2 * stepsPerEpoch)),
      {
        onEpochEnd: (st, l) => {
          if (st.epoch % 5 === 0 || st.epoch === epochs)
            log(`${TASK}: epoch ${st.epoch}: loss ${l.loss!.toFixed(3)}, validation ${l.valLoss!.toFixed(3)} (${l.seconds!.toFixed(0)} s)`);
        },
      },
      new ModelCheckpoint((epoch, l) => save({ valLoss: l.valLoss! }, epoch, epoch), { monitor: "valLoss", mode: "min" }),
    ],
  });
  const history = await trainer.fit(batches, { epochs });
  const best = history.epochs[(history.bestEpoch ?? history.epochs.length) - 1];
  const metrics: Record<string, number> = { valLoss: best?.valLoss ?? Number.NaN };
  const vocoderSteps = o.vocoderSteps ?? 3000;
  if (vocoderSteps > 0) {
    model.eval();
    const predicted = teacherForced(model, trainEx, batchSize);
    const clipOf = (u: TtsUtterance, e: Example, extra: Float32Array[]): VocoderClip => ({
      wave: readMono(u.file, frontend.sampleRate),
      frames: e.frames,
      mels: [e.mel, ...extra],
    });
    const trained = await trainVocoder(
      trainEx.map((e, i) => clipOf(trainUtts[i]!, e, predicted.has(e) ? [predicted.get(e)!] : [])),
      valEx.map((e, i) => clipOf(corpus.val[i]!, e, [])),
      { frontend, steps: vocoderSteps, seed, log, progress: o.progress },
    );
    vocoder = trained;
    metrics.vocoderValMelL1 = trained.valMelL1;
    metrics.vocoderSeconds = trained.seconds;
  }
  await save(metrics, epochs, history.bestEpoch, history.seconds + (metrics.vocoderSeconds ?? 0));
  vocoder?.model.dispose();
  return { dir: o.out, metrics, history };
}

/**
 * The acoustic model's mels for training utterances under their true durations [nMels × frames]
 * each, the inputs a vocoder fine-tunes on (none where the durations do not cover the frames).
 */
function teacherForced(model: FastSpeech, ex: readonly Example[], size: number): Map<Example, Float32Array> {
  const out = new Map<Example, Float32Array>();
  for (const part of lengthBatches(ex, size, null))
    noGrad(() =>
      tidy(() => {
        const b = batchOf(part, NMELS);
        const y = model.synthesize(b.ids, b.speakers, b.lens, b.durs);
        part.forEach((e, k) => {
          if (y.frames[k] === e.frames)
            out.set(e, (y.mel.select(0, k).narrow(0, 0, e.frames).transpose(0, 1).contiguous().data() as Float32Array).slice());
        });
      }),
    );
  return out;
}

interface LoadedTts {
  model: FastSpeech;
  vocoder: Vocos | null;
  pre: Preprocessing;
  vocab: PhonemeVocab;
}

async function loadModel(dir: string): Promise<LoadedTts> {
  const { config, weights } = await loadModelDir<FastSpeechOptions, Preprocessing>(dir, TASK);
  const pre = config.preprocessing!;
  const acoustic = new Map<string, Tensor>();
  const neural = new Map<string, Tensor>();
  for (const [k, v] of weights) {
    if (k.startsWith(VOCODER_PREFIX)) neural.set(k.slice(VOCODER_PREFIX.length), v);
    else acoustic.set(k, v);
  }
  const model = new FastSpeech(config.hyper);
  model.loadStateDict(acoustic);
  model.eval();
  let vocoder: Vocos | null = null;
  if (pre.vocoder) {
    vocoder = new Vocos(pre.vocoder);
    vocoder.loadStateDict(neural);
    vocoder.eval();
  }
  return { model, vocoder, pre, vocab: new PhonemeVocab(pre.phonemes) };
}

/** Standardised mel [nMels × frames] → waveform, through the model's neural vocoder or Griffin-Lim. */
function toWave(t: LoadedTts, mel: Float32Array, frames: number, o: { iterations?: number; griffinLim?: boolean }): Float32Array {
  return t.vocoder && !o.griffinLim ? vocodeNeural(t.vocoder, mel, frames) : vocode(mel, frames, t.pre.frontend, o.iterations);
}

/** The model's standardised mel [nMels × frames] for phonemes `ids` spoken by `speaker`. */
function synthesizeMel(model: FastSpeech, ids: readonly number[], speaker: number, pace = 1): { mel: Float32Array; frames: number } {
  return noGrad(() =>
    tidy(() => {
      const out = model.synthesize(
        tensor(BigInt64Array.from(ids, BigInt), { shape: [1, ids.length] }),
        tensor(BigInt64Array.from([BigInt(speaker)]), { shape: [1] }),
        [ids.length],
        null,
        pace,
      );
      const frames = out.frames[0]!;
      const mel = (out.mel.squeeze(0).narrow(0, 0, frames).transpose(0, 1).contiguous().data() as Float32Array).slice();
      return { mel, frames };
    }),
  );
}

/** MCD (dB) of a waveform to the reference recording's, 13 mel-cepstra from 80-band dB mels. */
function mcdTo(ref: Float64Array, refFrames: number, wave: Float32Array, pre: FrontendConfig): number {
  const raw = { ...pre, mean: 0, std: 1 };
  const { mel, frames } = melOfWave(wave, raw);
  return melCepstralDistortion(ref, refFrames, melCepstra(mel, raw.nMels, frames, 13), frames, 13);
}

/** MCD of a standardised mel (a prediction, before any vocoder) to the reference's mel-cepstra. */
function melMcdTo(ref: Float64Array, refFrames: number, m: { mel: Float32Array; frames: number }, pre: FrontendConfig): number {
  const db = m.mel.map((v) => v * pre.std + pre.mean);
  return melCepstralDistortion(ref, refFrames, melCepstra(db, pre.nMels, m.frames, 13), m.frames, 13);
}

/** Every audio an evaluation compares; "model" is the acoustic model through its own vocoder. */
const SYSTEMS = [
  "reference",
  "groundTruthGriffinLim",
  "groundTruthVocoder",
  "model",
  "modelGriffinLim",
  "lookup",
  "lookupVocoder",
] as const;
type System = (typeof SYSTEMS)[number];
type Synthesized = Exclude<System, "reference">;
const LABELS: Record<System, string> = {
  reference: "reference voice",
  groundTruthGriffinLim: "ground-truth mel + Griffin-Lim",
  groundTruthVocoder: "ground-truth mel + Vocos",
  model: "FastSpeech 2",
  modelGriffinLim: "FastSpeech 2 + Griffin-Lim",
  lookup: "mean-mel lookup + Griffin-Lim",
  lookupVocoder: "mean-mel lookup + Vocos",
};
/** A metric's key for a system: `mcd` / `cer` for the model, `mcdLookup` / `cerLookup` for the others. */
const keyOf = (metric: string, s: System) => (s === "model" ? metric : `${metric}${s[0]!.toUpperCase()}${s.slice(1)}`);

const wavDataUri = (w: Float32Array, sr: number) => `data:audio/wav;base64,${Buffer.from(encodeWav([clip(w)], sr)).toString("base64")}`;
const clip = (w: Float32Array) => w.map((v) => Math.max(-1, Math.min(1, v)));

/** The evaluation's figures and a table of audio elements for its first `rows` sentences. */
async function evaluateWithSamples(
  dir: string,
  data: string,
  o: EvalArgs & TtsOptions,
  rows: number,
): Promise<{ metrics: Record<string, unknown>; table: string }> {
  const loaded = await loadModel(dir);
  const { model, vocoder, pre, vocab } = loaded;
  const work = mkdtempSync(join(tmpdir(), "flambeau-tts-"));
  try {
    const corpus = await ttsCorpus(data || pre.data, { seed: pre.seed });
    if (corpus.speakers.join() !== pre.speakers.join())
      throw new FlambeauError(
        "E_ARG",
        `${TASK}: the model speaks ${pre.speakers.join(", ")}; the data has ${corpus.speakers.join(", ")}`,
        TASK,
      );
    const test = o.limit !== undefined ? corpus.test.slice(0, o.limit) : corpus.test;
    const f = pre.frontend;
    const raw = { ...f, mean: 0, std: 1 };
    // Without a neural vocoder "model" is already Griffin-Lim's, and the Vocos rows do not exist.
    const systems: System[] = vocoder ? [...SYSTEMS] : ["reference", "groundTruthGriffinLim", "model", "lookup"];
    const synthesized = systems.filter((s): s is Synthesized => s !== "reference");
    const mcd = new Map<System, number[]>(synthesized.map((s) => [s, []]));
    // Before the vocoder: the predicted mel itself against the reference's (what the acoustic model learns).
    const mcdMel = { model: [] as number[], lookup: [] as number[] };
    const files = new Map<System, string[]>(systems.map((s) => [s, []]));
    let synthSeconds = 0;
    let audioSeconds = 0;
    const html: string[] = [];
    const gl = (m: { mel: Float32Array; frames: number }) => vocode(m.mel, m.frames, f, o.iterations);
    const neural = (m: { mel: Float32Array; frames: number }) => vocodeNeural(vocoder!, m.mel, m.frames);
    test.forEach((u, k) => {
      const ids = vocab.encode(u.phones);
      const ref = melOf(u.file, raw);
      const refCep = melCepstra(ref.mel, f.nMels, ref.frames, 13);
      const std = ref.mel.map((v) => (v - f.mean) / f.std);
      const t0 = performance.now();
      const m = synthesizeMel(model, ids, u.speaker);
      const modelWave = toWave(loaded, m.mel, m.frames, o);
      synthSeconds += (performance.now() - t0) / 1000;
      audioSeconds += modelWave.length / f.sampleRate;
      const lk = lookupMel(ids, u.speaker, pre.lookup);
      mcdMel.model.push(melMcdTo(refCep, ref.frames, m, f));
      mcdMel.lookup.push(melMcdTo(refCep, ref.frames, lk, f));
      const truth = { mel: std, frames: ref.frames };
      // Each synthesized system's audio; the recording itself is read only for the report's rows.
      const render: Record<Synthesized, () => Float32Array> = {
        groundTruthGriffinLim: () => gl(truth),
        groundTruthVocoder: () => neural(truth),
        model: () => modelWave,
        modelGriffinLim: () => gl(m),
        lookup: () => gl(lk),
        lookupVocoder: () => neural(lk),
      };
      const waves = new Map<System, Float32Array>(synthesized.map((s) => [s, render[s]()]));
      files.get("reference")!.push(u.file);
      for (const s of synthesized) {
        mcd.get(s)!.push(mcdTo(refCep, ref.frames, waves.get(s)!, f));
        const file = join(work, `${s}-${k}.wav`);
        writeWav(file, [clip(waves.get(s)!)], f.sampleRate);
        files.get(s)!.push(file);
      }
      if (k < rows) {
        waves.set("reference", readMono(u.file, f.sampleRate));
        html.push(
          `<tr><td>${escapeHtml(u.text)}<br/><small>${escapeHtml(corpus.speakers[u.speaker]!)}</small></td>${systems
            .map((s) => `<td><audio controls src="${wavDataUri(waves.get(s)!, f.sampleRate)}"></audio></td>`)
            .join("")}</tr>`,
        );
      }
    });
    const avg = (a: number[]) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
    const out: Record<string, unknown> = {
      examples: test.length,
      vocoder: vocoder ? "vocos" : "griffin-lim",
      ...Object.fromEntries(synthesized.map((s) => [keyOf("mcd", s), avg(mcd.get(s)!)])),
      mcdMel: avg(mcdMel.model),
      mcdMelLookup: avg(mcdMel.lookup),
      realTimeFactor: synthSeconds / Math.max(1e-9, audioSeconds),
      griffinLimIterations: o.iterations ?? 32,
      data: corpus.description,
    };
    if (o.asr) {
      const asr = await automaticSpeechRecognition.load(o.asr);
      try {
        const texts = test.map((u) => u.text);
        for (const s of systems) {
          const hyps = (await asr.predict(files.get(s)!)).map((p) => p.text);
          out[keyOf("cer", s)] = asrScores(texts, hyps).cer;
          if (s === "model")
            out.samples = test.slice(0, 8).map((u, i) => ({ text: u.text, speaker: corpus.speakers[u.speaker], heard: hyps[i] }));
        }
        out.asrModel = o.asr;
      } finally {
        asr.dispose();
      }
    }
    const label = (s: System) => (s === "model" ? `${LABELS.model} + ${vocoder ? "Vocos" : "Griffin-Lim"}` : LABELS[s]);
    const figures = synthesized.map((s) => `${escapeHtml(label(s))} ${(out[keyOf("mcd", s)] as number).toFixed(2)}`).join(", ");
    const table = `<p>MCD (dB) of the audio: ${figures}; of the mel before the vocoder: model ${(out.mcdMel as number).toFixed(2)}, lookup ${(out.mcdMelLookup as number).toFixed(2)}</p><table border="1" cellpadding="4"><tr><th>held-out sentence</th>${systems.map((s) => `<th>${escapeHtml(label(s))}</th>`).join("")}</tr>${html.join("")}</table>`;
    return { metrics: out, table };
  } finally {
    model.dispose();
    vocoder?.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

async function evaluate(dir: string, data: string, o: EvalArgs & TtsOptions): Promise<Record<string, unknown>> {
  const { metrics, table } = await evaluateWithSamples(dir, data, o, o.report ? 8 : 0);
  if (o.report) {
    const page = `<!doctype html><meta charset="utf-8"><title>text-to-speech samples</title><h1>text-to-speech: held-out sentences</h1>${table}`;
    const tmp = `${o.report}.${process.pid}.tmp`;
    writeFileSync(tmp, page);
    renameSync(tmp, o.report);
    metrics.report = o.report;
  }
  return metrics;
}

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const data = o.full ? TTS_DATA : `${TTS_DATA}?speakers=2&sentences=40&test=2&val=2`;
  const epochs = o.full ? 25 : 10;
  const vocoderSteps = o.full ? 3000 : 300;
  const r = await train({ data, out: o.out, seed: 0, epochs, vocoderSteps, progress: o.progress, log: o.log ?? (() => {}) });
  const { metrics: m, table } = await evaluateWithSamples(o.out, data, {}, 4);
  const pick = (k: string) => (typeof m[k] === "number" ? (m[k] as number) : Number.NaN);
  return {
    task: TASK,
    dataset: String(m.data),
    commands: [
      `flambeau train ${TASK} --data "${data}" --out ${o.out} --epochs ${epochs} --vocoder-steps ${vocoderSteps}`,
      `flambeau eval ${o.out} --data "${data}" --report tts.html --json`,
      `flambeau predict ${o.out} "turn left then stop" --out-dir tts-out`,
    ],
    metrics: {
      mcd: pick("mcd"),
      mcdModelGriffinLim: pick("mcdModelGriffinLim"),
      mcdLookup: pick("mcdLookup"),
      mcdLookupVocoder: pick("mcdLookupVocoder"),
      mcdGroundTruthVocoder: pick("mcdGroundTruthVocoder"),
      mcdMel: pick("mcdMel"),
      realTimeFactor: pick("realTimeFactor"),
    },
    history: r.history.epochs.map((e) => ({ loss: e.loss!, valLoss: e.valLoss })),
    seconds: (performance.now() - t0) / 1000,
    extraHtml: `<p>Held-out sentences (no voice read them in training): the reference recording, the true mel through both vocoders, the model, and the per-phoneme lookup baseline.</p>${table}`,
  };
}

export interface TtsPrediction {
  text: string;
  speaker: string;
  file: string;
  seconds: number;
  realTimeFactor: number;
}

/** A speaker index from a voice id or an index. */
function speakerIndex(pre: Preprocessing, s: string | undefined): number {
  if (s === undefined) return 0;
  const byId = pre.speakers.indexOf(s);
  if (byId >= 0) return byId;
  const k = Number(s);
  if (Number.isInteger(k) && k >= 0 && k < pre.speakers.length) return k;
  throw new FlambeauError(
    "E_ARG",
    `${TASK}: unknown speaker ${JSON.stringify(s)}; this model speaks ${pre.speakers.map((v, i) => `${i}: ${v}`).join(", ")}`,
    TASK,
  );
}

const slug = (t: string) =>
  t
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 40) || "speech";

async function load(dir: string): Promise<Predictor<TtsPrediction, TtsOptions>> {
  const loaded = await loadModel(dir);
  const { model, vocoder, pre, vocab } = loaded;
  return {
    task: TASK,
    async predict(inputs, o = {}) {
      const speaker = speakerIndex(pre, o.speaker);
      const voice = allVoices().find((v) => v.id === pre.speakers[speaker]);
      const accent = voice ? phonemizerVoice(voice) : "en-us";
      const outDir = o.outDir ?? "tts-out";
      mkdirSync(outDir, { recursive: true });
      return inputs.map((text, k) => {
        if (text.trim() === "") throw new FlambeauError("E_ARG", `${TASK}: input ${k} is empty; give the text to speak`, TASK);
        const t0 = performance.now();
        const m = synthesizeMel(model, vocab.encode(phonemize(text, accent)), speaker, o.pace ?? 1);
        const wave = toWave(loaded, m.mel, m.frames, o);
        const secs = (performance.now() - t0) / 1000;
        const file = join(outDir, `${k}-${slug(text)}.wav`);
        const tmp = `${file}.${process.pid}.tmp.wav`;
        writeWav(tmp, [clip(wave)], pre.frontend.sampleRate);
        renameSync(tmp, file);
        const seconds = wave.length / pre.frontend.sampleRate;
        return { text, speaker: pre.speakers[speaker]!, file, seconds, realTimeFactor: secs / Math.max(1e-9, seconds) };
      });
    },
    dispose: () => {
      model.dispose();
      vocoder?.dispose();
    },
  };
}

export const textToSpeech = defineTask({
  name: TASK,
  description:
    "text to speech (espeak-ng phonemes → multi-speaker FastSpeech 2 with MAS-aligned durations → log-mels → a Vocos neural vocoder or Griffin-Lim; MCD, CER of our speech-to-text model, real-time factor)",
  dataFormat: `${TTS_DATA} (options as ?speakers=4&sentences=200&test=8&val=4, or voices=espeak-ng:en-us+m3,flite:slt)`,
  models: [...ARCHS],
  defaultModel: "fastspeech2",
  options: OPTIONS,
  baseline:
    "the mean log-mel per (speaker, phoneme) held for its mean duration (lower), and the ground-truth mel through the same vocoders (upper bound)",
  train,
  evaluate,
  load,
  demo,
  formatPrediction: (p: TtsPrediction) =>
    `${p.file} (${p.speaker}, ${p.seconds.toFixed(2)} s, real-time factor ${p.realTimeFactor.toFixed(2)})`,
});
