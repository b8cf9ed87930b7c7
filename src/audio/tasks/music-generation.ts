// music-generation: a decoder-only Transformer over performance events (Music Transformer's
// NOTE_ON / NOTE_OFF / TIME_SHIFT / VELOCITY vocabulary), conditioned on a style token — the
// Debian MIDI set a piece came from — trained on windows of the packaged MIDI files with
// transposition (±3 semitones) and tempo (±5 %) augmentation, split by piece. Evaluation:
// held-out NLL per token beside add-k n-grams (orders 1–3) on the same windows; a style
// classifier's accuracy on held-out real windows and on generated pieces; pitch-class and
// note-duration histograms' overlapping area with the real held-out pieces (Yang & Lerch 2020),
// for the Transformer's and the best n-gram's samples. Predict writes MIDI and a FluidSynth WAV.
import { mkdirSync, renameSync } from "node:fs";
import { dirname, extname } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tidy } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { AdamW } from "../../optim/index.js";
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
import { type Note, notesToMidi, writeMidi } from "../music/midi.js";
import { batchIds, lmLoss, MusicLM, type MusicLMOptions, sampleMusic } from "../music/model.js";
import { fitNgram, type NgramModel, ngramNll, sampleNgram } from "../music/ngram.js";
import { MUSIC_GENERATION_DATA, type MusicPiece, musicCorpus } from "../music/pieces.js";
import { renderMidiSamples } from "../music/render.js";
import { compareToReal, pieceStats } from "../music/stats.js";
import { styleAccuracy, trainStyleClassifier } from "../music/style-classifier.js";
import { decodeTokens, encodeNotes, PAD, STYLE, tokenSeconds, vocabSize } from "../music/tokens.js";
import { fixedWindows, WindowSampler } from "../music/windows.js";
import { encodeWav, writeWav } from "../wav.js";

const TASK = "music-generation";

const OPTIONS = {
  window: opt.int("tokens per training window (the model's context, style token included)", { phases: ["train"], default: 128 }),
  windowsPerEpoch: opt.int("training windows drawn per epoch", { phases: ["train"], default: 2048 }),
  dModel: opt.int("model width", { phases: ["train"], default: 64 }),
  layers: opt.int("Transformer blocks", { phases: ["train"], default: 2 }),
  style: opt.string("style to generate: one the model learnt (openmsx, planetblupi) or its index (default the first)", {
    phases: ["predict"],
  }),
  seconds: opt.number("seconds of music to generate", { phases: ["eval", "predict"], positive: true }),
  out: opt.path("MIDI file to write; its FluidSynth rendering goes beside it as .wav", { phases: ["predict"], default: "piece.mid" }),
  temperature: opt.number("sampling temperature", { phases: ["eval", "predict"], default: 1, positive: true }),
  context: opt.int("tokens of context when sampling, style token included (default the training window; fewer is faster)", {
    phases: ["eval", "predict"],
  }),
  samples: opt.int("pieces generated per style for the statistics", { phases: ["eval"], default: 4 }),
};
type MusicOptions = OptionValues<typeof OPTIONS>;

interface Preprocessing {
  styles: string[];
  data: string;
  seed: number;
  window: number;
}

/** Windows scored per held-out piece (the planetblupi pieces are ten times longer than openmsx's). */
const WINDOWS_PER_PIECE = 16;

function windowNll(model: MusicLM, windows: readonly { tokens: number[] }[], batch = 16): { nll: number; tokens: number } {
  let s = 0;
  let n = 0;
  model.eval();
  for (let i = 0; i < windows.length; i += batch)
    noGrad(() =>
      tidy(() => {
        const w = windows.slice(i, i + batch);
        s += lmLoss(model, batchIds(w.map((x) => x.tokens)), "sum").item();
        n += w.reduce((a, x) => a + x.tokens.length - 1, 0);
      }),
    );
  return { nll: s / Math.max(1, n), tokens: n };
}

async function train(o: TrainInput & MusicOptions): Promise<TaskTrainResult> {
  const { seed, log } = o;
  manualSeed(seed);
  const data = o.data || MUSIC_GENERATION_DATA;
  const corpus = musicCorpus(data, { seed });
  let trainPieces = corpus.train;
  if (o.limit !== undefined && o.limit < trainPieces.length)
    trainPieces = Array.from(new Random(seed, 62).permutation(trainPieces.length).subarray(0, o.limit), (i) => trainPieces[i]!);
  const window = o.window ?? 128;
  const hyper: MusicLMOptions = {
    vocabSize: vocabSize(corpus.styles.length),
    dModel: o.dModel ?? 64,
    nhead: 4,
    layers: o.layers ?? 2,
    dimFeedforward: 4 * (o.dModel ?? 64),
    dropout: 0.1,
    maxLength: window,
  };
  const model = new MusicLM(hyper);
  const batchSize = o.batchSize ?? 16;
  // 30 epochs of 2,048 windows (6 min on 2 cores): at 5 the model still held notes far too long
  // and its pitch classes were further from the real ones than the bigram's (README).
  const epochs = o.epochs ?? 30;
  const peakLr = o.lr ?? 3e-3;
  const steps = Math.max(1, Math.ceil((o.windowsPerEpoch ?? 2048) / batchSize));
  const sampler = new WindowSampler(trainPieces, window);
  const valWindows = fixedWindows(corpus.val, window, WINDOWS_PER_PIECE);
  log(`${TASK}: ${corpus.description}; ${valWindows.length} validation windows of ${window} tokens`);
  log(`${TASK}: transformer d${hyper.dModel}×${hyper.layers}, ${epochs} epochs × ${steps} batches of ${batchSize}, lr ${peakLr}`);
  const optimizer = new AdamW(model.parameters(), { lr: peakLr, weightDecay: 0.01 });
  const rng = new Random(seed, 63);
  const pre: Preprocessing = { styles: corpus.styles, data, seed, window };
  const save = (validation: Record<string, number>, done: number, seconds?: number) =>
    saveModelDir<MusicLMOptions, Preprocessing>(
      o.out,
      {
        task: TASK,
        architecture: "transformer",
        hyper,
        labels: corpus.styles,
        preprocessing: pre,
        metrics: { validation, epochs: done, batchSize, lr: peakLr, seed, trainPieces: trainPieces.length, trainSeconds: seconds },
      },
      model.stateDict(),
    );
  const batches = {
    length: steps,
    *[Symbol.iterator]() {
      for (let i = 0; i < steps; i++) yield batchIds(Array.from({ length: batchSize }, () => sampler.draw(rng)));
    },
  };
  const trainer = new Trainer<Tensor>({
    name: TASK,
    model,
    optimizer,
    step: (ids) => lmLoss(model, ids),
    batchSize: (ids) => ids.shape[0]!,
    gradClipNorm: 1,
    validate: () => {
      const r = windowNll(model, valWindows);
      model.train();
      return { valLoss: r.nll };
    },
    keepBest: { monitor: "valLoss", mode: "min" },
    progress: o.progress,
    callbacks: [
      new WarmupCosineLR(optimizer, peakLr, epochs * steps, Math.min(epochs * steps, steps)),
      { onEpochEnd: (st, l) => log(`${TASK}: epoch ${st.epoch}: loss ${l.loss!.toFixed(3)}, validation NLL ${l.valLoss!.toFixed(3)}`) },
      new ModelCheckpoint((epoch, l) => save({ valLoss: l.valLoss! }, epoch), { monitor: "valLoss", mode: "min" }),
    ],
  });
  const history = await trainer.fit(batches, { epochs });
  const validation = { valLoss: windowNll(model, valWindows).nll };
  await save(validation, epochs, history.seconds);
  model.dispose();
  return { dir: o.out, metrics: { ...validation, styles: corpus.styles.length, trainPieces: trainPieces.length }, history };
}

async function loadModel(dir: string): Promise<{ model: MusicLM; pre: Preprocessing }> {
  const { config, weights } = await loadModelDir<MusicLMOptions, Preprocessing>(dir, TASK);
  const model = new MusicLM(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  if (!config.preprocessing) throw new FlambeauError("E_FORMAT", `${TASK}: ${dir}/config.json has no preprocessing (styles)`, TASK);
  return { model, pre: config.preprocessing };
}

const isEvent = (id: number) => id !== PAD && id < STYLE;
const round = (x: number) => Math.round(x * 1e4) / 1e4;

async function evaluate(dir: string, data: string, o: EvalArgs & MusicOptions): Promise<Record<string, unknown>> {
  const { model, pre } = await loadModel(dir);
  try {
    const corpus = musicCorpus(data || pre.data, { seed: pre.seed });
    if (corpus.styles.join() !== pre.styles.join())
      throw new FlambeauError(
        "E_ARG",
        `${TASK}: the model knows the styles ${pre.styles.join(", ")}; the data has ${corpus.styles.join(", ")}`,
        TASK,
      );
    const perPiece = o.limit ?? WINDOWS_PER_PIECE;
    const test = fixedWindows(corpus.test, pre.window, perPiece);
    const val = fixedWindows(corpus.val, pre.window, perPiece);
    const vocab = vocabSize(pre.styles.length);
    const full = (ps: readonly MusicPiece[]) => ps.map((p) => [STYLE + p.style, ...encodeNotes(p.notes)]);
    const out: Record<string, unknown> = { data: corpus.description, testWindows: test.length, windowTokens: pre.window };
    out.nll = round(windowNll(model, test).nll);
    // n-grams on the training pieces; add-k's k chosen on the validation windows.
    let best: { order: number; m: NgramModel; val: number } | undefined;
    const trainSeqs = full(corpus.train);
    for (const order of [1, 2, 3]) {
      let pick: { m: NgramModel; val: number } | undefined;
      const counted = fitNgram(trainSeqs, order, vocab);
      for (const k of [1, 0.1, 0.01, 0.001]) {
        const m = { ...counted, k };
        const v = ngramNll(
          m,
          val.map((w) => w.tokens),
        ).nll;
        if (!pick || v < pick.val) pick = { m, val: v };
      }
      out[`nll${["Unigram", "Bigram", "Trigram"][order - 1]}`] = round(
        ngramNll(
          pick!.m,
          test.map((w) => w.tokens),
        ).nll,
      );
      out[`k${order}`] = pick!.m.k;
      if (!best || pick!.val < best.val) best = { order, ...pick! };
    }
    out.bestNgramOrder = best!.order;
    // The style classifier: trained on windows of the real training pieces, scored on held-out ones.
    const clsWindows = fixedWindows(corpus.train, 512, 24).map((w) => ({ tokens: w.tokens.slice(1), style: w.style }));
    const cls = trainStyleClassifier(clsWindows, pre.styles.length);
    const heldOut = fixedWindows(corpus.test, 512, 24).map((w) => ({ tokens: w.tokens.slice(1), style: w.style }));
    out.styleAccuracyReal = round(styleAccuracy(cls, heldOut).balancedAccuracy);
    // Generated pieces, `samples` per style, from the Transformer and the best n-gram.
    const seconds = o.seconds ?? 20;
    const rng = new Random(pre.seed, 64);
    const random = () => rng.nextFloat();
    const gen: { model: { tokens: number[]; style: number }[]; ngram: { tokens: number[]; style: number }[] } = { model: [], ngram: [] };
    const t0 = performance.now();
    for (let s = 0; s < pre.styles.length; s++)
      for (let i = 0; i < (o.samples ?? 4); i++) {
        gen.model.push({ tokens: sampleMusic(model, s, { seconds, temperature: o.temperature, context: o.context, random }), style: s });
        const ng = sampleNgram(best!.m, [STYLE + s], 20000, random, {
          exclude: (v) => !isEvent(v),
          stop: (q) => tokenSeconds(q) >= seconds,
        });
        gen.ngram.push({ tokens: ng, style: s });
      }
    out.generationSecondsPerPiece = round((performance.now() - t0) / 1000 / Math.max(1, gen.model.length));
    // Real pieces through the same tokens (10 ms steps, no drums, one voice per pitch); overlaps per style, averaged.
    const asTokens = (ps: readonly MusicPiece[]) => ps.map((p) => ({ style: p.style, notes: decodeTokens(encodeNotes(p.notes)) }));
    const real = asTokens(corpus.test);
    const perStyle = (a: readonly { style: number; notes: Note[] }[], b: readonly { style: number; notes: Note[] }[]) => {
      const oas = pre.styles.map((_, s) =>
        compareToReal(
          a.filter((x) => x.style === s).map((x) => x.notes),
          b.filter((x) => x.style === s).map((x) => x.notes),
        ),
      );
      const mean = (k: "pitchClassOA" | "durationOA") => oas.reduce((t, o) => t + o[k], 0) / Math.max(1, oas.length);
      return { pitchClassOA: mean("pitchClassOA"), durationOA: mean("durationOA") };
    };
    const refOA = perStyle(real, asTokens(corpus.train));
    out.pitchClassOATrainVsTest = round(refOA.pitchClassOA);
    out.durationOATrainVsTest = round(refOA.durationOA);
    for (const [name, g] of [
      ["", gen.model],
      ["Ngram", gen.ngram],
    ] as const) {
      const notes = g.map((x) => ({ style: x.style, notes: decodeTokens(x.tokens) }));
      const oa = perStyle(real, notes);
      out[`styleAccuracyGenerated${name}`] = round(styleAccuracy(cls, g).balancedAccuracy);
      out[`pitchClassOA${name}`] = round(oa.pitchClassOA);
      out[`durationOA${name}`] = round(oa.durationOA);
      out[`stats${name || "Model"}`] = pieceStats(notes.map((x) => x.notes));
    }
    out.statsReal = pieceStats(real.map((x) => x.notes));
    out.generatedPieces = gen.model.length;
    out.generatedSeconds = seconds;
    return out;
  } finally {
    model.dispose();
  }
}

export interface MusicPrediction {
  style: string;
  midi: string;
  wav: string;
  seconds: number;
  notes: number;
  tokens: number;
}

function styleIndex(pre: Preprocessing, s: string | undefined): number {
  if (s === undefined) return 0;
  const byName = pre.styles.indexOf(s);
  if (byName >= 0) return byName;
  const k = Number(s);
  if (Number.isInteger(k) && k >= 0 && k < pre.styles.length) return k;
  throw new FlambeauError(
    "E_ARG",
    `${TASK}: unknown style ${JSON.stringify(s)}; this model knows ${pre.styles.map((v, i) => `${i}: ${v}`).join(", ")}`,
    TASK,
  );
}

/** Generates one piece and writes it as MIDI at `midi` and as a WAV beside it. */
async function generatePiece(
  model: MusicLM,
  pre: Preprocessing,
  style: number,
  seconds: number,
  temperature: number,
  context: number | undefined,
  midi: string,
  seed: number,
) {
  const rng = new Random(seed, 65);
  const tokens = sampleMusic(model, style, { seconds, temperature, context, random: () => rng.nextFloat() });
  const notes = decodeTokens(tokens);
  if (notes.length === 0)
    throw new FlambeauError("E_FORMAT", `${TASK}: the model generated no notes in ${seconds} s; train it longer`, TASK);
  mkdirSync(dirname(midi), { recursive: true });
  writeMidi(midi, notesToMidi(notes));
  const wav = `${midi.slice(0, midi.length - extname(midi).length)}.wav`;
  // The rendering replaces an older one (renderMidiFile keeps an existing file: it is a cache).
  const wave = await renderMidiSamples(midi, { maxSeconds: seconds + 2, sampleRate: 22050 });
  const tmp = `${wav}.${process.pid}.tmp.wav`;
  writeWav(tmp, [wave], 22050);
  renameSync(tmp, wav);
  return { style: pre.styles[style]!, midi, wav, seconds: tokenSeconds(tokens), notes: notes.length, tokens: tokens.length };
}

async function load(dir: string): Promise<Predictor<MusicPrediction, MusicOptions>> {
  const { model, pre } = await loadModel(dir);
  let calls = 0;
  return {
    task: TASK,
    async predict(inputs, o = {}) {
      const style = styleIndex(pre, o.style);
      const n = Math.max(1, inputs.length);
      const base = o.out ?? "piece.mid";
      const out: MusicPrediction[] = [];
      for (let i = 0; i < n; i++) {
        const midi = n === 1 ? base : `${base.slice(0, base.length - extname(base).length)}-${i}.mid`;
        out.push(await generatePiece(model, pre, style, o.seconds ?? 20, o.temperature ?? 1, o.context, midi, pre.seed + 1000 * calls + i));
      }
      calls++;
      return out;
    },
    dispose: () => model.dispose(),
  };
}

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const small = { window: 128, windowsPerEpoch: o.full ? 4096 : 96, dModel: 64, layers: 2, epochs: o.full ? 10 : 2, batchSize: 16 };
  const r = await train({ data: MUSIC_GENERATION_DATA, out: o.out, seed: 0, log: o.log ?? (() => {}), ...small });
  const e = await evaluate(o.out, "", { samples: 1, seconds: 8, limit: 4 });
  const { model, pre } = await loadModel(o.out);
  const players: string[] = [];
  try {
    for (let s = 0; s < pre.styles.length; s++) {
      const rng = new Random(0, 66, s);
      const tokens = sampleMusic(model, s, { seconds: 10, random: () => rng.nextFloat() });
      const midi = `${o.out}/demo-${pre.styles[s]}.mid`;
      writeMidi(midi, notesToMidi(decodeTokens(tokens)));
      const wave = await renderMidiSamples(midi, { sampleRate: 16000, maxSeconds: 11 });
      const uri = `data:audio/wav;base64,${Buffer.from(encodeWav([wave], 16000)).toString("base64")}`;
      players.push(
        `<figure style="display:inline-block;margin:4px"><audio controls src="${uri}"></audio><figcaption>${escapeHtml(`style ${pre.styles[s]}: 10 s generated`)}</figcaption></figure>`,
      );
    }
  } finally {
    model.dispose();
  }
  const pick = (k: string) => (typeof e[k] === "number" ? (e[k] as number) : Number.NaN);
  return {
    task: TASK,
    dataset: String(e.data),
    commands: [
      `flambeau train ${TASK} --data ${MUSIC_GENERATION_DATA} --out ${o.out} --window 128 --windows-per-epoch ${small.windowsPerEpoch} --d-model 64 --layers 2 --epochs ${small.epochs}`,
      `flambeau eval ${o.out} --data ${MUSIC_GENERATION_DATA} --samples 1 --seconds 8 --limit 4`,
      `flambeau predict ${o.out} --style openmsx --seconds 20 --out piece.mid`,
    ],
    metrics: {
      nll: pick("nll"),
      nllBigram: pick("nllBigram"),
      nllTrigram: pick("nllTrigram"),
      styleAccuracyReal: pick("styleAccuracyReal"),
      styleAccuracyGenerated: pick("styleAccuracyGenerated"),
      pitchClassOA: pick("pitchClassOA"),
      durationOA: pick("durationOA"),
    },
    history: r.history.epochs.map((l) => ({ loss: l.loss!, valLoss: l.valLoss })),
    seconds: (performance.now() - t0) / 1000,
    extraHtml: `<p>Generated by the Transformer (rendered with FluidSynth, TimGM6mb), one per style:</p><div>${players.join("")}</div>`,
  };
}

export const musicGeneration = defineTask({
  name: TASK,
  description:
    "generate music conditioned on style: a Transformer over MIDI performance events (held-out NLL per token, a style classifier's accuracy on generated pieces, pitch-class/duration overlap with real pieces)",
  dataFormat: `styles joined by commas, each a Debian MIDI set (openmsx, planetblupi) or a folder of .mid files (default ${MUSIC_GENERATION_DATA})`,
  models: ["transformer"],
  defaultModel: "transformer",
  options: OPTIONS,
  baseline: "add-k smoothed unigram/bigram/trigram models of the same event tokens (NLL on the same windows; their samples' statistics)",
  train,
  evaluate,
  load,
  formatPrediction: (p: MusicPrediction) => `${p.midi} and ${p.wav} (${p.style}, ${p.seconds.toFixed(1)} s, ${p.notes} notes)`,
  demo,
});
