// text-classification: labelled texts (SpamAssassin e-mails, State of the Union chunks,
// fortune categories, or a CSV/TSV/JSONL/Parquet/Arrow file with text and label columns) → word
// vocabulary → TextCNN, BiLSTM/GRU, a BERT-style encoder or the TF-IDF logistic baseline;
// metrics accuracy, macro-F1, per-class F1 and the confusion matrix beside a majority-class
// baseline. Label cells holding lists make it multi-label: a sigmoid per class, trained with
// binary cross-entropy, scored by micro/macro F1.

import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { binaryCrossEntropyWithLogits, crossEntropy } from "../../core/ops/loss.js";
import { permutation } from "../../data/random.js";
import { textKeys } from "../../data/split-keys.js";
import { selectUntrained } from "../../data/split-overlap.js";
import { saveSplitRecord } from "../../data/split-record.js";
import type { Module } from "../../nn/index.js";
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
  type TrainArgs,
  type TrainInput,
} from "../../tasks/task.js";
import { type ConfigSchemaParts, schema } from "../../train/config-schema.js";
import { EPOCH_RULES, epochsForData } from "../../train/epoch-budget.js";
import { ClassificationMeter, perClassScores } from "../../train/metrics.js";
import { loadModelDir, saveModelDir, saveValidationReport } from "../../train/model-dir.js";
import { MultiLabelMeter } from "../../train/multilabel-meter.js";
import { evaluator, Trainer } from "../../train/trainer.js";
import { BUILTIN_TEXT_SETS, spamAssassin } from "../datasets/corpora.js";
import { emailText } from "../email.js";
import { textShallowPipeline } from "../features/pipeline.js";
import { transferEncoder } from "../mlm.js";
import { BertClassifier, type BertOptions, BowLogistic, RnnClassifier, TextCnn, WideDeepText } from "../models/index.js";
import type { LabelledTexts, TextColumns } from "../readers.js";
import { carveValidation, loadTextData, padIds, subset, take, textBatches, textTokens } from "../text-data.js";
import { loadDirTokenizer, WordLevelTokenizer } from "../tokenizers/word-level.js";
import { Vocab } from "../vocab.js";
import { CLS_TOKEN, loadFillMask, SMALL_BERT } from "./fill-mask.js";

export const TEXT_CLASSIFICATION = "text-classification";

const OPTIONS = {
  topK: opt.int("labels to show", { phases: ["predict"], default: 3 }),
  init: opt.path("fine-tune the pre-trained encoder of a fill-mask (or feature-extraction) model directory (model bert)", {
    phases: ["train"],
  }),
  embedDim: opt.int("token embedding size of textcnn, wide-deep, bilstm and bigru (default 64; 100 for the RNNs)", {
    phases: ["train"],
    search: { low: 32, high: 128, log: true },
  }),
  dropout: opt.number("dropout of textcnn, wide-deep, bilstm, bigru (before the classifier; default 0.5, 0.3 for the RNNs) and bert", {
    phases: ["train"],
    search: { low: 0, high: 0.5 },
  }),
  labelFraction: opt.fraction("use this stratified, seeded fraction of the labelled training data", { phases: ["train"] }),
  textColumn: opt.string("the column (JSON key) of a CSV/TSV/JSONL/Parquet/Arrow file that holds the text", {
    phases: ["train", "eval"],
    default: "text",
  }),
  labelColumn: opt.string('the column holding the label; a list in it ("a|b", a JSON array) makes the task multi-label', {
    phases: ["train", "eval"],
    default: "label",
  }),
};

const columnsOf = (o: { textColumn?: string; labelColumn?: string }): TextColumns => ({
  ...(o.textColumn !== undefined ? { text: o.textColumn } : {}),
  ...(o.labelColumn !== undefined ? { label: o.labelColumn } : {}),
});

/** The classifier's sizes; a model fine-tuned from a pre-trained encoder (--init) also keeps the encoder's options. */
interface Hyper extends BertOptions {
  numClasses: number;
  /** Token embedding size of the non-BERT classifiers. */
  embedDim?: number;
}
type Classifier = { forward(ids: Tensor): Tensor } & Module;

export interface ClassifierSpec {
  make: (h: Hyper) => Classifier;
  lr: number;
  epochs: number;
  /** Tokens read per text (default 256). */
  maxTokens?: number;
}

export const TEXT_CLASSIFIERS: Record<string, ClassifierSpec> = {
  "wide-deep": { make: (h) => new WideDeepText(h), lr: 3e-3, epochs: 6, maxTokens: 2000 },
  textcnn: { make: (h) => new TextCnn(h), lr: 3e-3, epochs: 6 },
  bilstm: { make: (h) => new RnnClassifier({ ...h, cell: "lstm" }), lr: 2e-3, epochs: 6 },
  bigru: { make: (h) => new RnnClassifier({ ...h, cell: "gru" }), lr: 2e-3, epochs: 6 },
  "bow-logistic": { make: (h) => new BowLogistic(h), lr: 2e-2, epochs: 12, maxTokens: 2000 },
  bert: { make: (h) => new BertClassifier({ ...SMALL_BERT, ...h }), lr: 1e-3, epochs: 20, maxTokens: SMALL_BERT.maxLength },
};

function buildModel(arch: string, h: Hyper): Classifier {
  const spec = TEXT_CLASSIFIERS[arch];
  if (!spec) throw new FlambeauError("E_ARG", `unknown text classifier "${arch}"; models: ${Object.keys(TEXT_CLASSIFIERS).join(", ")}`);
  return spec.make(h);
}

export const DEFAULT_CLASSIFIER = "wide-deep";

/** The TF-IDF logistic side of a wide & deep model learns at bow-logistic's pace (lr × 20/3, no decay). */
function paramGroups(model: Classifier, lr: number) {
  if (!(model instanceof WideDeepText)) return model.parameters();
  const wide = TEXT_CLASSIFIERS["bow-logistic"]!.lr / TEXT_CLASSIFIERS["wide-deep"]!.lr;
  return [{ params: model.deep.parameters() }, { params: model.wide.parameters(), lr: lr * wide, weightDecay: 0 }];
}

interface Preprocessing {
  maxTokens: number;
  /** Inputs given as files are raw e-mails (headers + MIME body) to be decoded first. */
  email: boolean;
  majorityClass: number;
  source: string;
  /** tokenizer.json (a vocab.json in directories saved before). */
  tokenizer?: string;
  vocab?: string;
  /** Every text starts with <cls>. */
  cls: boolean;
  /** Labels are sets: a sigmoid per class (probability > 0.5 predicts it). */
  multiLabel?: boolean;
}

/** What config.json must hold for this task (bounds on what is read as a size). */
const CONFIG_SCHEMA: ConfigSchemaParts = {
  hyper: schema.object(
    {
      vocabSize: schema.int(1, 10_000_000),
      numClasses: schema.int(1, 100000),
      embedDim: schema.int(1, 4096),
      dropout: schema.number(),
    },
    ["vocabSize", "numClasses"],
  ),
  preprocessing: schema.object({ maxTokens: schema.int(1, 100000), cls: schema.boolean(), majorityClass: schema.int(0, 100000) }),
};

const lossFn = (out: Tensor, y: Tensor) => crossEntropy(out, y);
const multiLossFn = (out: Tensor, y: Tensor) => binaryCrossEntropyWithLogits(out, y);
/** The loss and the scores of a single-label or a multi-label model over `numClasses`. */
const headOf = (multi: boolean | undefined, numClasses: number) =>
  multi
    ? { loss: multiLossFn, meter: () => new MultiLabelMeter(numClasses), monitor: "valMicroF1" }
    : { loss: lossFn, meter: () => new ClassificationMeter(numClasses), monitor: "valAccuracy" };

/** What train reads beyond the declared options (code only: the CLI has no flag for them). */
interface CodeOnly {
  /** Labelled texts given directly (instead of loading `data`). */
  trainData?: LabelledTexts;
  /** With `init`: false keeps the vocabulary and architecture but starts from random weights (the ablation). */
  initWeights?: boolean;
}

export type TextClassificationTrainOptions = TrainArgs & OptionValues<typeof OPTIONS> & CodeOnly;

/** A stratified, seeded subset: round(fraction × n_c) texts (at least 1) of every class c, in the original order. */
export function labelSubset(d: LabelledTexts, fraction: number, seed = 0): LabelledTexts {
  if (!(fraction > 0 && fraction <= 1))
    throw new FlambeauError("E_ARG", `${TEXT_CLASSIFICATION}: labelFraction must be in (0, 1], got ${fraction}`, TEXT_CLASSIFICATION);
  if (fraction === 1) return d;
  const keep: number[] = [];
  d.classes.forEach((_, c) => {
    const members = d.labels.flatMap((l, i) => (l === c ? [i] : []));
    if (members.length === 0) return;
    const perm = permutation(members.length, seed * 7919 + c);
    const n = Math.max(1, Math.round(fraction * members.length));
    for (const j of perm.subarray(0, n)) keep.push(members[j]!);
  });
  return subset(
    d,
    keep.sort((a, b) => a - b),
  );
}

async function train(o: TrainInput & OptionValues<typeof OPTIONS> & CodeOnly): Promise<TaskTrainResult> {
  const { seed, log } = o;
  manualSeed(seed);
  const columns = columnsOf(o);
  let data = o.trainData ?? (await loadTextData(o.data, "train", undefined, columns));
  const examples = data.texts.length;
  if (o.labelFraction !== undefined) data = labelSubset(data, o.labelFraction, seed);
  const multi = data.targets !== undefined;
  let val: LabelledTexts;
  if (o.val) val = await loadTextData(o.val, "test", data.classes, columns);
  else ({ train: data, val } = carveValidation(data, 0.1, seed));
  if (o.limit !== undefined) data = take(data, o.limit, seed);
  const arch = o.model ?? (o.init ? "bert" : DEFAULT_CLASSIFIER);
  const spec = TEXT_CLASSIFIERS[arch];
  if (!spec) buildModel(arch, { vocabSize: 1, numClasses: 1 });
  if (o.init && arch !== "bert")
    throw new FlambeauError(
      "E_ARG",
      `${TEXT_CLASSIFICATION}: --init fine-tunes a pre-trained encoder, so the model must be "bert", not "${arch}"`,
    );
  const init = o.init ? await loadFillMask(o.init) : undefined;
  const maxTokens = init?.maxLength ?? spec?.maxTokens ?? 256;
  const specials = arch === "bert" ? ["<pad>", "<unk>", CLS_TOKEN] : ["<pad>", "<unk>"];
  const tokenizer =
    init?.tokenizer ??
    new WordLevelTokenizer(
      Vocab.build(
        data.texts.map((t) => textTokens(t, maxTokens)),
        { minFreq: 2, maxSize: 30000, specials },
      ),
      { normalize: "lowercase", split: "words", specials, ...(arch === "bert" ? { prefix: CLS_TOKEN } : {}), maxLength: maxTokens },
    );
  const vocab = tokenizer.vocab;
  const enc = (texts: readonly string[]) => texts.map((t) => tokenizer.encode(t));
  const trainIds = enc(data.texts);
  const valIds = enc(val.texts);
  const counts = data.classes.map((_, c) => data.labels.filter((l) => l === c).length);
  const pre: Preprocessing = {
    maxTokens,
    email: data.source.startsWith("spam-assassin"),
    majorityClass: counts.indexOf(Math.max(...counts)),
    source: data.source,
    tokenizer: "tokenizer.json",
    cls: tokenizer.spec.prefix !== undefined,
    ...(multi ? { multiLabel: true } : {}),
  };
  const hyper: Hyper = {
    ...(init?.hyper ?? {}),
    vocabSize: vocab.size,
    numClasses: data.classes.length,
    ...(o.embedDim !== undefined ? { embedDim: o.embedDim } : {}),
    ...(o.dropout !== undefined ? { dropout: o.dropout } : {}),
  };
  const model = buildModel(arch, hyper);
  if (init) {
    if (o.initWeights !== false) transferEncoder(init.model, model as BertClassifier);
    for (const t of init.weights.values()) t.dispose();
  }
  if (model instanceof BowLogistic || model instanceof WideDeepText) model.fitIdf(trainIds);
  const batchSize = o.batchSize ?? 32;
  const plan = epochsForData(trainIds.length, batchSize, EPOCH_RULES.text(spec!.epochs));
  const epochs = o.epochs ?? plan.epochs;
  const lr = o.lr ?? spec!.lr;
  log(
    `${TEXT_CLASSIFICATION}: ${trainIds.length} training / ${valIds.length} validation texts, ${data.classes.length} classes${multi ? " (multi-label)" : ""}, vocabulary ${vocab.size}; ${arch}${init ? ` initialised from ${o.init}${o.initWeights === false ? " (vocabulary only)" : ""}` : ""}, ${o.epochs === undefined ? plan.reason : plural(epochs, "epoch")}, batch ${batchSize}, lr ${lr}`,
  );
  const optimizer = new AdamW(paramGroups(model, lr), { lr, weightDecay: arch === "bow-logistic" ? 0 : 1e-2 });
  const head = headOf(multi, data.classes.length);
  const trainer = new Trainer({
    name: TEXT_CLASSIFICATION,
    model,
    optimizer,
    loss: head.loss,
    meter: head.meter,
    progress: o.progress,
    gradClipNorm: 5,
    keepBest: { monitor: head.monitor },
  });
  const targetsOf = (d: LabelledTexts) => (multi ? (d.targets ?? d.labels.map((l) => [l])) : d.labels);
  const numClasses = data.classes.length;
  const history = await trainer.fit(textBatches(trainIds, targetsOf(data), { batchSize, shuffle: true, seed, numClasses }), {
    epochs,
    val: textBatches(valIds, targetsOf(val), { batchSize: 64, shuffle: false, seed, numClasses }),
  });
  const metrics = await trainer.evaluate(textBatches(valIds, targetsOf(val), { batchSize: 64, shuffle: false, seed, numClasses }));
  const { confusionMatrix: _cm, f1PerClass: _f1, ...summary } = metrics;
  await saveModelDir<Hyper, Preprocessing>(
    o.out,
    {
      task: TEXT_CLASSIFICATION,
      architecture: arch,
      hyper,
      labels: data.classes,
      preprocessing: pre,
      metrics: {
        validation: summary,
        epochs,
        batchSize,
        lr,
        seed,
        trainExamples: trainIds.length,
        bestEpoch: history.bestEpoch,
        ...(o.init ? { init: o.init, initWeights: o.initWeights !== false } : {}),
        ...(o.labelFraction !== undefined ? { labelFraction: o.labelFraction } : {}),
      },
    },
    model.stateDict(),
  );
  // The validation split's confusion matrix beside the model, for the studio.
  await saveValidationReport(o.out, TEXT_CLASSIFICATION, data.classes, metrics);
  await tokenizer.save(join(o.out, "tokenizer.json"));
  // A user's file with no --val: eval and compare on that file then leave out the training rows.
  const carved = !o.val && !o.trainData && !(BUILTIN_TEXT_SETS as readonly string[]).includes(o.data);
  await saveSplitRecord(
    o.out,
    carved
      ? {
          task: TEXT_CLASSIFICATION,
          data: o.data,
          seed,
          examples,
          keyOf: "text",
          train: textKeys(data.texts),
          heldOut: textKeys(val.texts),
        }
      : undefined,
  );
  return { dir: o.out, metrics, history };
}

interface Loaded {
  model: Classifier;
  labels: string[];
  pre: Preprocessing;
  encode: (texts: readonly string[]) => number[][];
}

async function loadModel(dir: string): Promise<Loaded> {
  const { config, weights } = await loadModelDir<Hyper, Preprocessing>(dir, TEXT_CLASSIFICATION, CONFIG_SCHEMA);
  const model = buildModel(config.architecture, config.hyper);
  model.loadStateDict(weights);
  model.eval();
  const pre = config.preprocessing!;
  const tokenizer = loadDirTokenizer(dir, "tokenizer.json", {
    vocabFile: "vocab.json",
    spec: { normalize: "lowercase", split: "words", ...(pre.cls ? { prefix: CLS_TOKEN } : {}), maxLength: pre.maxTokens },
  });
  return {
    model,
    labels: config.labels ?? [],
    pre,
    encode: (texts) => texts.map((t) => tokenizer.encode(t)),
  };
}

async function evaluate(dir: string, data: string, o: EvalArgs & OptionValues<typeof OPTIONS> = {}): Promise<Record<string, unknown>> {
  const { model, labels, pre, encode } = await loadModel(dir);
  let test = await loadTextData(data, o.split ?? "test", labels, columnsOf(o));
  const { keep, overlap } = selectUntrained(dir, data, () => textKeys(test.texts), o);
  if (keep) test = subset(test, keep);
  if (o.limit !== undefined) test = take(test, o.limit);
  if (pre.multiLabel) {
    const m = await evaluator({ model, loss: multiLossFn, meter: () => new MultiLabelMeter(labels.length) }).evaluate(
      textBatches(encode(test.texts), test.targets ?? test.labels.map((l) => [l]), {
        batchSize: o.batchSize ?? 64,
        shuffle: false,
        seed: 0,
        numClasses: labels.length,
      }),
    );
    model.dispose();
    const per = m.f1PerClass as number[];
    return {
      examples: test.texts.length,
      ...m,
      f1PerClass: Object.fromEntries(labels.map((l, i) => [l, per[i]!])),
      labels,
      ...(overlap ? { trainingOverlap: overlap } : {}),
    };
  }
  const m = await evaluator({ model, loss: lossFn, meter: () => new ClassificationMeter(labels.length) }).evaluate(
    textBatches(encode(test.texts), test.labels, { batchSize: o.batchSize ?? 64, shuffle: false, seed: 0 }),
  );
  model.dispose();
  const per = perClassScores(m.confusionMatrix as number[][]);
  const majority = test.labels.filter((l) => l === pre.majorityClass).length / test.labels.length;
  return {
    examples: test.texts.length,
    ...m,
    f1PerClass: Object.fromEntries(labels.map((l, i) => [l, per.f1[i]!])),
    majorityBaselineAccuracy: majority,
    labels,
    ...(overlap ? { trainingOverlap: overlap } : {}),
  };
}

export interface TextPrediction {
  input: string;
  labels: { label: string; probability: number }[];
  /** Multi-label models: every label whose probability is over 0.5. */
  predicted?: string[];
}

/** Loads a classifier once; each predict gives the class probabilities of its texts (a path to an existing file is read; raw e-mails are decoded for spam models). */
async function load(dir: string): Promise<Predictor<TextPrediction, OptionValues<typeof OPTIONS>>> {
  const l = await loadModel(dir);
  return {
    task: TEXT_CLASSIFICATION,
    predict: async (inputs, o = {}) => predictTexts(l, inputs, o.topK ?? 3),
    dispose: () => l.model.dispose(),
  };
}

function predictTexts({ model, labels, pre, encode }: Loaded, inputs: readonly string[], topK: number): TextPrediction[] {
  const texts = inputs.map((s) => {
    if (s.length < 4096 && existsSync(s) && statSync(s).isFile()) {
      const raw = readFileSync(s, "latin1");
      return pre.email ? emailText(raw) : Buffer.from(raw, "latin1").toString("utf8");
    }
    return s;
  });
  texts.forEach((t, i) => {
    if (t.trim() === "") throw new FlambeauError("E_ARG", `${TEXT_CLASSIFICATION}: input ${i + 1} is an empty text`);
  });
  const ids = encode(texts);
  // A multi-label model scores each class on its own (sigmoid); a single-label one shares out 1 (softmax).
  const probs = noGrad(() =>
    tidy(() => {
      const logits = model.forward(padIds(ids));
      return (pre.multiLabel ? logits.sigmoid() : logits.softmax(1)).data() as Float32Array;
    }),
  ) as Float32Array;
  const C = labels.length;
  return texts.map((_, b) => {
    const p = Array.from(probs.subarray(b * C, (b + 1) * C));
    const order = [...p.keys()].sort((x, y) => p[y]! - p[x]!);
    return {
      input: inputs[b]!.length > 60 ? `${inputs[b]!.slice(0, 57)}...` : inputs[b]!,
      labels: order.slice(0, topK).map((i) => ({ label: labels[i]!, probability: p[i]! })),
      ...(pre.multiLabel ? { predicted: order.filter((i) => p[i]! > 0.5).map((i) => labels[i]!) } : {}),
    };
  });
}

const formatPrediction = (p: TextPrediction): string => {
  const top = p.labels.map((l) => `${l.label} ${(100 * l.probability).toFixed(1)}%`).join(", ");
  return p.predicted ? `[${p.predicted.join(", ")}] ${top}` : top;
};

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const budget = o.full ? {} : { limit: 1500, epochs: 3 };
  const r = await train({ data: "spam-assassin", out: o.out, seed: 0, progress: o.progress, log: o.log ?? (() => {}), ...budget });
  const m = await evaluate(o.out, "spam-assassin");
  const test = take(spamAssassin("test"), 12, 1);
  const l = await loadModel(o.out);
  const preds = predictTexts(l, test.texts, 2);
  l.model.dispose();
  const samples = preds.map((p, i) => ({
    input: test.texts[i]!.replace(/\s+/g, " ").slice(0, 160),
    truth: test.classes[test.labels[i]!]!,
    predicted: p.labels[0]!.label,
    probability: p.labels[0]!.probability,
  }));
  const spamF1 = (m.f1PerClass as Record<string, number>).spam ?? 0;
  const rows = samples
    .map(
      (s) =>
        `<tr><td style="color:${s.truth === s.predicted ? "#1a7f37" : "#cf222e"}">${escapeHtml(s.predicted)} ${(100 * s.probability).toFixed(1)}%</td><td>${escapeHtml(s.truth)}</td><td>${escapeHtml(s.input)}</td></tr>`,
    )
    .join("");
  const extra = o.full ? "" : " --limit 1500 --epochs 3";
  return {
    task: TEXT_CLASSIFICATION,
    dataset: "SpamAssassin public corpus (easy + hard ham vs spam, fixed 80/20 split)",
    commands: [
      `flambeau train ${TEXT_CLASSIFICATION} --data spam-assassin --out ${o.out}${extra}`,
      `flambeau eval ${o.out} --data spam-assassin --json`,
    ],
    metrics: {
      accuracy: m.accuracy as number,
      macroF1: m.macroF1 as number,
      spamF1,
      majorityBaseline: m.majorityBaselineAccuracy as number,
    },
    history: r.history.epochs.map((e) => ({ loss: e.loss!, valLoss: e.valLoss, valAccuracy: e.valAccuracy })),
    seconds: (performance.now() - t0) / 1000,
    confusion: { labels: m.labels as string[], matrix: m.confusionMatrix as number[][] },
    samples,
    extraHtml: `<table class="text-preds"><tr><th>predicted</th><th>truth</th><th>e-mail (subject, sender, body)</th></tr>${rows}</table>`,
  };
}

export const textClassification = defineTask({
  name: TEXT_CLASSIFICATION,
  description:
    "classify texts (wide & deep = TF-IDF logistic + TextCNN, TextCNN, BiLSTM/GRU, BERT-style encoder or TF-IDF logistic baseline; accuracy, macro-F1, confusion matrix)",
  dataFormat:
    "a .csv/.tsv/.jsonl/.parquet/.arrow file with text and label columns (named by --text-column/--label-column; a label list `a|b` or a JSON array makes it multi-label), or a built-in set: spam-assassin (raw e-mails, ham vs spam), sotu (State of the Union authorship, presidents with ≥ 8 addresses), fortunes (Debian fortune categories)",
  models: Object.keys(TEXT_CLASSIFIERS),
  defaultModel: DEFAULT_CLASSIFIER,
  searchModels: ["wide-deep", "textcnn", "bilstm"],
  options: OPTIONS,
  shallow: textShallowPipeline,
  baseline: "TF-IDF + logistic regression (`flambeau compare text-classification`); eval reports the majority class beside it",
  train,
  evaluate,
  load,
  loadModule: async (dir) => (await loadModel(dir)).model,
  loadExport: async (dir) => {
    const { model, labels, pre, encode } = await loadModel(dir);
    // Exported for inputs padded to maxTokens: the graph's sequence length is fixed.
    const T = pre.maxTokens;
    const ids = new BigInt64Array(2 * T);
    encode(["an example text to trace the model with", "another one"]).forEach((seq, b) => {
      seq.slice(0, T).forEach((id, t) => {
        ids[b * T + t] = BigInt(id);
      });
    });
    const file = ["tokenizer.json", "vocab.json"].map((f) => join(dir, f)).find((f) => existsSync(f));
    return {
      module: model,
      inputs: [tensor(ids, { shape: [2, T] })],
      inputNames: ["input_ids"],
      outputNames: ["logits"],
      metadata: {
        input: `int64 [batch, ${T}]: token ids from the tokenizer below (lowercased words${pre.cls ? `, "${CLS_TOKEN}" first` : ""}), at most ${T}, padded with 0`,
        output: `logits [batch, classes]; ${pre.multiLabel ? "a sigmoid per class gives each label's probability (multi-label)" : "softmax gives the probabilities of labels"}`,
        preprocessing: JSON.stringify({ maxTokens: T, cls: pre.cls, email: pre.email, padId: 0, multiLabel: pre.multiLabel === true }),
        labels: JSON.stringify(labels),
        ...(file ? { tokenizer: readFileSync(file, "utf8") } : {}),
      },
    };
  },
  formatPrediction,
  demo,
});

/** Trains a classifier from code (also from labelled texts in memory, or as the vocabulary-only ablation of --init). */
export const trainTextClassifier = (o: TextClassificationTrainOptions): Promise<TaskTrainResult> => textClassification.train({ ...o });
