// automatic-speech-recognition: log-mels → conv front-end + BiLSTM → CTC over characters.
// Training mixes background noise at random SNRs and applies SpecAugment; the best epoch by
// validation CER (greedy) is kept. A character n-gram LM is trained on the training
// transcripts, and its weight and a per-character bonus for the CTC prefix beam search are
// chosen on the validation voices only. Metrics: corpus WER and CER (greedy and beam + LM).
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { ctcLoss } from "../../core/ops/loss.js";
import { Random } from "../../data/random.js";
import { AdamW } from "../../optim/index.js";
import { plural } from "../../tasks/format.js";
import { type OptionValues, opt } from "../../tasks/options.js";
import { defineTask, type EvalArgs, type Predictor, type TaskTrainResult, type TrainInput } from "../../tasks/task.js";
import { ModelCheckpoint, WarmupCosineLR } from "../../train/callbacks.js";
import { shardRows } from "../../train/distributed/shard.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { Trainer } from "../../train/trainer.js";
import { CTC_CLASSES, encodeTranscript } from "../asr/alphabet.js";
import { type CharLmJson, CharNgramLM } from "../asr/char-lm.js";
import { ctcBeamDecode, ctcGreedyDecode } from "../asr/ctc-decode.js";
import { GrammarConstraint, loadGrammar } from "../asr/grammar.js";
import { freqMask, reverberate, speedPerturb, syntheticRir, timeMask } from "../augment.js";
import { readMono } from "../data/audio-folder.js";
import type { NoiseMix } from "../data/clip-set.js";
import { DEFAULT_FRONTEND, type FrontendConfig, logMel } from "../data/frontend.js";
import { type AsrData, BUILTIN_ASR_SETS, resolveAsrData, subsetTranscribed, type TranscribedSet } from "../data/transcript-set.js";
import { asrScores } from "../metrics/asr.js";
import { CtcBiLSTM, type CtcBiLstmOptions } from "../models/ctc-bilstm.js";

const TASK = "automatic-speech-recognition";
const ARCHS = ["ctc-bilstm"] as const;

const OPTIONS = {
  beam: opt.int("beam width of the decoder (default: the saved one)", { phases: ["eval", "predict"] }),
  lmWeight: opt.number("weight of the character language model (0: none; default: the saved one)", { phases: ["eval", "predict"] }),
  // On by default: over 15 epochs it lowered the WER on the real recordings (100 → 92 %) for a
  // higher one on unseen synthetic voices (2.8 → 5.3 %); over 6 epochs it only hurt (README).
  augment: opt.choice(
    ["none", "speed", "speed-reverb"] as const,
    "waveform augmentation of the training clips before noise and SpecAugment",
    {
      phases: ["train"],
      default: "speed-reverb",
    },
  ),
  grammar: opt.string(
    'a JSGF (.gram, .jsgf) or Sphinx FSG (.fsg) file: spell only its sentences, without the character LM; "testdata" (eval): each recording\'s own grammar where its data set has one',
    { phases: ["eval", "predict"] },
  ),
};
type AsrOptions = OptionValues<typeof OPTIONS>;

export interface AsrDecoding {
  beam: number;
  lmWeight: number;
  charBonus: number;
}

interface Preprocessing extends FrontendConfig {
  data: string;
  decoding: AsrDecoding;
  lm: CharLmJson;
}

function buildModel(arch: string, hyper: CtcBiLstmOptions): CtcBiLSTM {
  if (arch !== "ctc-bilstm") throw new FlambeauError("E_ARG", `unknown speech-to-text model "${arch}"; models: ${ARCHS.join(", ")}`);
  return new CtcBiLSTM(hyper);
}

/** Mixes one noise segment into a copy of `clip` at an SNR drawn from `mix` (JS side, before padding). */
function mixNoise(clip: Float32Array, mix: NoiseMix | undefined, rng: Random): Float32Array {
  if (!mix || mix.noise.length === 0) return clip;
  // Draw everything first, so the stream does not depend on whether noise is applied.
  const src = mix.noise[rng.int(mix.noise.length)]!;
  const at0 = rng.int(Math.max(1, src.length));
  const snr = mix.snrDb[0] + rng.nextFloat() * (mix.snrDb[1] - mix.snrDb[0]);
  if (rng.nextFloat() >= (mix.p ?? 1) || src.length === 0) return clip;
  let ps = 0;
  let pn = 0;
  const seg = new Float32Array(clip.length);
  for (let j = 0, at = at0; j < clip.length; j++, at = at + 1 === src.length ? 0 : at + 1) {
    seg[j] = src[at]!;
    ps += clip[j]! * clip[j]!;
    pn += seg[j]! * seg[j]!;
  }
  if (pn === 0 || ps === 0) return clip;
  const k = Math.sqrt(ps / pn / 10 ** (snr / 10));
  const out = new Float32Array(clip.length);
  for (let j = 0; j < clip.length; j++) out[j] = clip[j]! + k * seg[j]!;
  return out;
}

type Augment = NonNullable<AsrOptions["augment"]>;

/**
 * Ko et al. 2015's speed perturbation (×0.9, ×1, ×1.1: tempo and pitch together, as a tape)
 * and, with "speed-reverb", a synthetic room (RT60 0.2–0.7 s) for half the clips: synthetic
 * voices are dry and steady, real recordings are neither.
 */
function perturb(clip: Float32Array, kind: Augment, rng: Random, sampleRate: number): Float32Array {
  if (kind === "none") return clip;
  // Draw everything first, so the stream does not depend on which branch runs.
  const speed = [0.9, 1, 1.1][rng.int(3)]!;
  const room = rng.nextFloat() < 0.5;
  const rt60 = 0.2 + 0.5 * rng.nextFloat();
  const roomSeed = rng.int(1 << 30);
  let out = speed === 1 ? clip : noGrad(() => tidy(() => (speedPerturb(tensor(clip), speed, sampleRate).data() as Float32Array).slice()));
  if (kind === "speed-reverb" && room) out = reverberate(out, syntheticRir(sampleRate, rt60, new Random(roomSeed)));
  return out;
}

/** Frames the STFT (centred) gives for `n` samples. */
const framesOf = (n: number, hop: number): number => Math.floor(n / hop) + 1;

interface AsrBatch {
  x: Tensor;
  frames: number[];
  idx: number[];
}

/** Zero-padded log-mels [B, 1, nMels, T] of clips `idx` (perturbed, then noise mixed), with valid frame counts. */
function featureBatch(
  set: TranscribedSet,
  idx: readonly number[],
  pre: FrontendConfig,
  mix: NoiseMix | undefined,
  rng: Random,
  augment: Augment = "none",
): AsrBatch {
  const clips = idx.map((i) => mixNoise(perturb(set.clips[i]!, augment, rng, pre.sampleRate), mix, rng));
  const len = Math.max(pre.hopLength, ...clips.map((c) => c.length));
  const flat = new Float32Array(clips.length * len);
  clips.forEach((c, i) => flat.set(c, i * len));
  const x = logMel(tensor(flat, { shape: [clips.length, len] }), pre);
  return { x, frames: clips.map((c) => Math.min(x.shape[3]!, framesOf(c.length, pre.hopLength))), idx: [...idx] };
}

/** Index batches of similar lengths (fewer padded frames); shuffled batch order when training. */
function lengthBatches(set: TranscribedSet, batchSize: number, rng: Random | null): number[][] {
  const n = set.clips.length;
  let order = Array.from({ length: n }, (_, i) => i);
  if (rng) {
    // Sort a shuffled order by length with jitter, so batches differ between epochs.
    const perm = Array.from(rng.permutation(n));
    const key = perm.map((i) => set.clips[i]!.length * (0.85 + 0.3 * rng.nextFloat()));
    order = perm
      .map((i, k) => [i, key[k]!] as const)
      .sort((a, b) => a[1] - b[1])
      .map((p) => p[0]);
  } else order.sort((a, b) => set.clips[a]!.length - set.clips[b]!.length);
  const out: number[][] = [];
  for (let s = 0; s < n; s += batchSize) out.push(order.slice(s, s + batchSize));
  return rng ? rng.shuffle(out) : out;
}

function featureStats(set: TranscribedSet, pre: FrontendConfig): { mean: number; std: number } {
  return noGrad(() =>
    tidy(() => {
      const idx = Array.from({ length: Math.min(256, set.clips.length) }, (_, i) => i);
      const b = featureBatch(set, idx, { ...pre, mean: 0, std: 1 }, undefined, new Random(0));
      // Statistics over valid frames only.
      let sum = 0;
      let sq = 0;
      let cnt = 0;
      const d = b.x.data() as Float32Array;
      const [bs, , f, t] = b.x.shape as [number, number, number, number];
      for (let i = 0; i < bs; i++)
        for (let m = 0; m < f; m++)
          for (let k = 0; k < b.frames[i]!; k++) {
            const v = d[(i * f + m) * t + k]!;
            sum += v;
            sq += v * v;
            cnt++;
          }
      const mean = sum / cnt;
      return { mean, std: Math.max(1e-3, Math.sqrt(Math.max(0, sq / cnt - mean * mean))) };
    }),
  );
}

/** CTC loss (mean over utterances of the per-target-length loss, as PyTorch's "mean") of one batch. */
function batchLoss(model: CtcBiLSTM, b: AsrBatch, set: TranscribedSet): Tensor {
  const { logProbs, lengths } = model.forwardWithLengths(b.x, b.frames);
  const targets = b.idx.map((i) => encodeTranscript(set.texts[i]!));
  const flat = targets.flat();
  return ctcLoss(
    logProbs,
    tensor(BigInt64Array.from(flat, BigInt), { shape: [flat.length] }),
    lengths,
    targets.map((t) => t.length),
    { zeroInfinity: true },
  );
}

/** Per-utterance log-probabilities [frames × classes] in `set` order. */
function posteriors(model: CtcBiLSTM, set: TranscribedSet, pre: FrontendConfig, mix: NoiseMix | undefined, batchSize = 32): Float32Array[] {
  model.eval();
  const out: Float32Array[] = new Array(set.clips.length);
  const rng = new Random(0, 77); // evaluation noise: the same every time
  // Noise is drawn in set order so results do not depend on the batching.
  const noisy: TranscribedSet = { ...set, clips: set.clips.map((c) => mixNoise(c, mix, rng)) };
  for (const idx of lengthBatches(noisy, batchSize, null))
    noGrad(() =>
      tidy(() => {
        const b = featureBatch(noisy, idx, pre, undefined, rng);
        const { logProbs, lengths } = model.forwardWithLengths(b.x, b.frames);
        const lp = logProbs.contiguous().data() as Float32Array; // [T, B, C]
        const [, B, C] = logProbs.shape as [number, number, number];
        idx.forEach((k, i) => {
          const a = new Float32Array(lengths[i]! * C);
          for (let t = 0; t < lengths[i]!; t++) a.set(lp.subarray((t * B + i) * C, (t * B + i + 1) * C), t * C);
          out[k] = a;
        });
      }),
    );
  return out;
}

/** Greedy or beam decoding of each utterance; a grammar (per utterance, null: none) replaces the character LM. */
function decodeAll(
  lps: readonly Float32Array[],
  how: "greedy" | AsrDecoding,
  lm: CharNgramLM | null,
  grammars?: readonly (GrammarConstraint | null)[],
): string[] {
  return lps.map((a, i) => {
    if (how === "greedy") return ctcGreedyDecode(a, a.length / CTC_CLASSES, CTC_CLASSES);
    const grammar = grammars?.[i] ?? null;
    return ctcBeamDecode(
      a,
      a.length / CTC_CLASSES,
      CTC_CLASSES,
      grammar ? { beam: how.beam, grammar } : { beam: how.beam, lm, lmWeight: how.lmWeight, charBonus: how.charBonus },
    );
  });
}

/** The grammar each utterance decodes with: one file for all, or "testdata": each clip's own (cached per file). */
function grammarsFor(set: TranscribedSet, spec: string | undefined): (GrammarConstraint | null)[] | undefined {
  if (spec === undefined) return undefined;
  const cache = new Map<string, GrammarConstraint>();
  const get = (path: string) => {
    let g = cache.get(path);
    if (!g) cache.set(path, (g = new GrammarConstraint(loadGrammar(path))));
    return g;
  };
  if (spec !== "testdata") return set.clips.map(() => get(spec));
  if (!set.grammars)
    throw new FlambeauError(
      "E_ARG",
      `${TASK}: --grammar testdata needs a data set whose recordings come with grammars (pocketsphinx-testdata)`,
      TASK,
    );
  return set.grammars.map((p) => (p ? get(p) : null));
}

/** Grid search of the LM weight and character bonus on validation posteriors (lowest WER, then CER). */
function tuneDecoding(
  lps: readonly Float32Array[],
  refs: readonly string[],
  lm: CharNgramLM,
  beam: number,
  log: (l: string) => void,
): AsrDecoding {
  let best: AsrDecoding = { beam, lmWeight: 0, charBonus: 0 };
  let bestKey = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  for (const lmWeight of [0, 0.3, 0.6, 1])
    for (const charBonus of lmWeight === 0 ? [0] : [0, 1, 2]) {
      const d = { beam, lmWeight, charBonus };
      const s = asrScores(refs, decodeAll(lps, d, lm));
      log(
        `${TASK}: validation beam ${beam}, lm weight ${lmWeight}, char bonus ${charBonus}: WER ${(100 * s.wer).toFixed(2)}%, CER ${(100 * s.cer).toFixed(2)}%`,
      );
      if (s.wer < bestKey[0]! || (s.wer === bestKey[0] && s.cer < bestKey[1]!)) {
        bestKey = [s.wer, s.cer];
        best = d;
      }
    }
  return best;
}

/** This rank's utterances of a batch (rank, rank + N, …); the padding stays as it is. */
function shardAsr(b: AsrBatch, rank: number, world: number): AsrBatch | null {
  if (b.idx.length < world) return null;
  const mine = (_: number, k: number) => k % world === rank;
  return { x: shardRows(b.x, rank, world), frames: b.frames.filter(mine), idx: b.idx.filter(mine) };
}

async function train(o: TrainInput & AsrOptions): Promise<TaskTrainResult> {
  const { seed, log } = o;
  const augment: Augment = o.augment ?? "speed-reverb";
  manualSeed(seed);
  const data: AsrData = await resolveAsrData(o.data, { seed, log });
  if (!data.trainable)
    throw new FlambeauError("E_ARG", `${o.data} is an evaluation-only set; train on ${BUILTIN_ASR_SETS[0]} or a transcript TSV`);
  let trainSet = data.train;
  if (o.limit !== undefined && o.limit < trainSet.clips.length)
    trainSet = subsetTranscribed(trainSet, Array.from(new Random(seed, 505).permutation(trainSet.clips.length)).slice(0, o.limit));
  const val = o.val ? (await resolveAsrData(o.val, { seed })).test : data.val.clips.length > 0 ? data.val : trainSet;
  const frontend: FrontendConfig = { ...DEFAULT_FRONTEND };
  Object.assign(frontend, featureStats(trainSet, frontend));
  const arch = o.model ?? "ctc-bilstm";
  const hyper: CtcBiLstmOptions = { nMels: frontend.nMels, numClasses: CTC_CLASSES, hidden: 96, layers: 2, dropout: 0.1, stride: 3 };
  const model = buildModel(arch, hyper);
  const n = trainSet.clips.length;
  const batchSize = o.batchSize ?? 16;
  const epochs = o.epochs ?? 12;
  const peakLr = o.lr ?? 2e-3;
  log(`${TASK}: ${data.description}`);
  log(
    `${TASK}: ${n} training / ${val.clips.length} validation utterances; ${arch}, ${plural(epochs, "epoch")}, batch ${batchSize}, lr ${peakLr}, augmentation ${augment}`,
  );
  const optimizer = new AdamW(model.parameters(), { lr: peakLr, weightDecay: 1e-2 });
  const stepsPerEpoch = Math.ceil(n / batchSize);
  const total = epochs * stepsPerEpoch;
  const warmup = Math.min(stepsPerEpoch, Math.ceil(total * 0.05));
  const save = (
    validation: Record<string, number>,
    decoding: AsrDecoding,
    lm: CharNgramLM,
    doneEpochs: number,
    bestEpoch?: number,
    seconds?: number,
  ) =>
    saveModelDir<CtcBiLstmOptions, Preprocessing>(
      o.out,
      {
        task: TASK,
        architecture: arch,
        hyper,
        labels: [..."_ abcdefghijklmnopqrstuvwxyz'"],
        preprocessing: { ...frontend, data: o.data, decoding, lm: lm.toJSON() },
        metrics: {
          validation,
          epochs: doneEpochs,
          batchSize,
          lr: peakLr,
          seed,
          trainExamples: n,
          bestEpoch,
          trainSeconds: seconds,
          augment,
        },
      },
      model.stateDict(),
    );
  // Training batches: similar lengths, noise mixed, SpecAugment; one random stream drives all of it.
  const rng = new Random(seed, 1);
  const batches = {
    length: stepsPerEpoch,
    *[Symbol.iterator](): Generator<AsrBatch> {
      for (const idx of lengthBatches(trainSet, batchSize, rng)) {
        if (idx.length < 2) continue; // batch norm needs two examples
        yield tidy(() => {
          const b = featureBatch(trainSet, idx, frontend, data.trainMix, rng, augment);
          return { ...b, x: freqMask(timeMask(b.x, { maxWidth: 12, count: 2 }, rng), { maxWidth: 6, count: 2 }, rng) };
        });
      }
    },
  };
  const trainer = new Trainer<AsrBatch>({
    name: TASK,
    model,
    optimizer,
    step: (b) => batchLoss(model, b, trainSet),
    batchSize: (b) => b.idx.length,
    shard: shardAsr,
    gradClipNorm: 5,
    // Validation CER with greedy decoding picks the best epoch.
    validate: () => {
      const s = asrScores(val.texts, decodeAll(posteriors(model, val, frontend, data.testMix), "greedy", null));
      return { valWer: s.wer, valCer: s.cer };
    },
    keepBest: { monitor: "valCer", mode: "min" },
    progress: o.progress,
    callbacks: [
      new WarmupCosineLR(optimizer, peakLr, total, warmup),
      {
        onEpochEnd: (st, l) =>
          log(
            `${TASK}: epoch ${st.epoch}: loss ${l.loss!.toFixed(3)}, validation WER ${(100 * l.valWer!).toFixed(2)}%, CER ${(100 * l.valCer!).toFixed(2)}% (${l.seconds!.toFixed(0)} s)`,
          ),
      },
      // Each better epoch is saved at once (greedy decoding until the LM is tuned), so a stopped run leaves a model.
      new ModelCheckpoint(
        (epoch, l) =>
          save(
            { greedyWer: l.valWer!, greedyCer: l.valCer! },
            { beam: 16, lmWeight: 0, charBonus: 0 },
            CharNgramLM.train(trainSet.texts, { order: 6 }),
            epoch,
            epoch,
          ),
        { monitor: "valCer", mode: "min" },
      ),
    ],
  });
  const history = await trainer.fit(batches, { epochs });
  // The LM sees the training transcripts only; its weight is chosen on validation.
  const lm = CharNgramLM.train(trainSet.texts, { order: 6 });
  const lps = posteriors(model, val, frontend, data.testMix);
  // Tuned on at most 300 validation utterances (the beam search runs once per setting).
  const tuneN = Math.min(300, val.clips.length);
  const decoding = tuneDecoding(lps.slice(0, tuneN), val.texts.slice(0, tuneN), lm, 16, log);
  const greedy = asrScores(val.texts, decodeAll(lps, "greedy", null));
  const withLm = asrScores(val.texts, decodeAll(lps, decoding, lm));
  const metrics = {
    wer: withLm.wer,
    cer: withLm.cer,
    greedyWer: greedy.wer,
    greedyCer: greedy.cer,
    lmWeight: decoding.lmWeight,
    charBonus: decoding.charBonus,
    beam: decoding.beam,
  };
  await save(metrics, decoding, lm, epochs, history.bestEpoch, history.seconds);
  return { dir: o.out, metrics, history };
}

async function loadModel(dir: string): Promise<{ model: CtcBiLSTM; pre: Preprocessing; lm: CharNgramLM }> {
  const { config, weights } = await loadModelDir<CtcBiLstmOptions, Preprocessing>(dir, TASK);
  const model = buildModel(config.architecture, config.hyper);
  model.loadStateDict(weights);
  model.eval();
  const pre = config.preprocessing!;
  return { model, pre, lm: CharNgramLM.fromJSON(pre.lm) };
}

/** Decoding settings: the saved ones, overridden by the caller's. */
function decodingOf(pre: Preprocessing, o: AsrOptions): AsrDecoding {
  const d = { ...pre.decoding };
  if (o.beam !== undefined) d.beam = o.beam;
  if (o.lmWeight !== undefined) {
    d.lmWeight = o.lmWeight;
    // The character bonus balances the LM's cost per character; without the LM it only adds insertions.
    if (o.lmWeight === 0) d.charBonus = 0;
  }
  return d;
}

/** Test-split WER/CER, greedy and with the beam search + LM; built-in sets use their unseen voices and test noise. */
async function evaluate(dir: string, data: string, o: EvalArgs & AsrOptions = {}): Promise<Record<string, unknown>> {
  const { model, pre, lm } = await loadModel(dir);
  try {
    return await evaluateModel(model, pre, lm, data, o);
  } finally {
    model.dispose();
  }
}

async function evaluateModel(
  model: CtcBiLSTM,
  pre: Preprocessing,
  lm: CharNgramLM,
  data: string,
  o: EvalArgs & AsrOptions,
): Promise<Record<string, unknown>> {
  const d = await resolveAsrData(data, {});
  let test = d.test;
  if (o.limit !== undefined)
    test = subsetTranscribed(
      test,
      Array.from({ length: Math.min(o.limit, test.clips.length) }, (_, i) => i),
    );
  const t0 = performance.now();
  const lps = posteriors(model, test, pre, d.testMix, o.batchSize ?? 32);
  const decoding = decodingOf(pre, o);
  const greedyHyps = decodeAll(lps, "greedy", null);
  const grammars = grammarsFor(test, o.grammar);
  const beamHyps = decodeAll(lps, decoding, lm, grammars);
  const greedy = asrScores(test.texts, greedyHyps);
  const beam = asrScores(test.texts, beamHyps);
  return {
    examples: test.clips.length,
    wer: beam.wer,
    cer: beam.cer,
    greedyWer: greedy.wer,
    greedyCer: greedy.cer,
    refWords: beam.refWords,
    beam: decoding.beam,
    lmWeight: decoding.lmWeight,
    charBonus: decoding.charBonus,
    ...(grammars ? { grammar: o.grammar, grammarUtterances: grammars.filter(Boolean).length } : {}),
    seconds: (performance.now() - t0) / 1000,
    data: d.description,
    samples: test.texts.slice(0, 12).map((truth, i) => ({ source: test.sources[i], truth, greedy: greedyHyps[i], beam: beamHyps[i] })),
  };
}

export interface AsrPrediction {
  file: string;
  text: string;
  greedy: string;
  seconds: number;
}

async function load(dir: string): Promise<Predictor<AsrPrediction, AsrOptions>> {
  const { model, pre, lm } = await loadModel(dir);
  return {
    task: TASK,
    async predict(inputs, o = {}) {
      const decoding = decodingOf(pre, o);
      if (o.grammar === "testdata")
        throw new FlambeauError("E_ARG", `${TASK}: predict takes a grammar file (--grammar commands.gram), not "testdata"`, TASK);
      const grammar = o.grammar !== undefined ? new GrammarConstraint(loadGrammar(o.grammar)) : null;
      return inputs.map((file) => {
        const clip = readMono(file, pre.sampleRate);
        const set: TranscribedSet = { clips: [clip], texts: [""], sampleRate: pre.sampleRate, sources: [file] };
        const [lp] = posteriors(model, set, pre, undefined, 1);
        return {
          file,
          text: decodeAll([lp!], decoding, lm, [grammar])[0]!,
          greedy: decodeAll([lp!], "greedy", null)[0]!,
          seconds: clip.length / pre.sampleRate,
        };
      });
    },
    dispose: () => model.dispose(),
  };
}

export const automaticSpeechRecognition = defineTask({
  name: TASK,
  description:
    "speech to text (log-mels → conv + BiLSTM → CTC over characters; greedy or prefix beam search with a character n-gram LM; WER, CER)",
  dataFormat: `a TSV of path<TAB>transcript lines (paths relative to the TSV), or ${BUILTIN_ASR_SETS.join(" (options as ?sentences=80&groups=45&snr=20), ")} (real recordings, evaluation only)`,
  models: [...ARCHS],
  defaultModel: "ctc-bilstm",
  options: OPTIONS,
  baseline: "greedy CTC decoding without the language model (reported beside the beam + LM figures)",
  train,
  evaluate,
  load,
  formatPrediction: (p: AsrPrediction) => p.text,
});
