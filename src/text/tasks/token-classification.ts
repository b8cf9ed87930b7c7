// token-classification: one tag per token — part-of-speech on the Brown corpus (simplified
// Brown tags), silver entity spans (BIO over proper-noun runs), or any CoNLL file — with a
// BiLSTM over word embeddings and a character CNN, optionally under a CRF. Metrics: token
// accuracy, and entity precision/recall/F1 (seqeval rules) when the tags are BIO.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tidy } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { exampleKey } from "../../data/split-keys.js";
import { selectUntrained } from "../../data/split-overlap.js";
import { saveSplitRecord } from "../../data/split-record.js";
import { AdamW, LambdaLR } from "../../optim/index.js";
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
import { schema } from "../../train/config-schema.js";
import { EPOCH_RULES, epochsForData } from "../../train/epoch-budget.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { runDistillPending } from "../../train/run-settings.js";
import { evaluator, type Meter, Trainer } from "../../train/trainer.js";
import { brownEntities, brownPos } from "../datasets/brown.js";
import type { TextSplit } from "../datasets/corpora.js";
import { entityScores } from "../entities.js";
import { BiLstmTagger } from "../models/bilstm-tagger.js";
import { lengthsOf } from "../models/common.js";
import { readTaggedSentences, type TaggedSentence } from "../readers.js";
import { encodeSentences, IGNORE_TAG, normWord, packSentences, tagBatches, takeSentences, wordChars } from "../tag-data.js";
import { loadDirTokenizer, WordLevelTokenizer } from "../tokenizers/word-level.js";
import { Vocab } from "../vocab.js";

export const TOKEN_CLASSIFICATION = "token-classification";
export const TAGGER_MODELS = ["bilstm-crf", "bilstm"] as const;

const BUILTIN_TAG_SETS = ["brown", "brown-pos", "brown-tags", "brown-entities"];

/** A sentence's content key for the split record: its tokens (the same sentence tagged otherwise was still seen). */
const sentenceKeys = (s: readonly TaggedSentence[]): string[] => s.map((x) => exampleKey(x.tokens.join("\t")));

export async function loadTagData(data: string, split: TextSplit): Promise<TaggedSentence[]> {
  if (data === "brown" || data === "brown-pos") return brownPos(split, "universal");
  if (data === "brown-tags") return brownPos(split, "brown");
  if (data === "brown-entities") return brownEntities(split);
  if (!existsSync(data) || !statSync(data).isFile())
    throw new FlambeauError(
      "E_IO",
      `tagged data ${JSON.stringify(data)}: no such file, and not a built-in set (brown, brown-tags, brown-entities)`,
    );
  return readTaggedSentences(data);
}

const isBio = (tags: readonly string[]) => tags.every((t) => t === "O" || /^[BIES]-/.test(t)) && tags.some((t) => t !== "O");

/** Token accuracy (padding ignored) and, for BIO tags, entity-level scores. */
class TagMeter implements Meter {
  #truth: string[][] = [];
  #pred: string[][] = [];
  constructor(
    readonly model: BiLstmTagger,
    readonly tags: readonly string[],
  ) {}
  update(out: Tensor, y: Tensor): void {
    const [B, T] = y.shape as [number, number];
    const yv = y.data() as BigInt64Array;
    const lengths = Array.from({ length: B }, (_, b) => {
      let n = 0;
      for (let t = 0; t < T; t++) if (yv[b * T + t] !== BigInt(IGNORE_TAG)) n = t + 1;
      return n;
    });
    const paths = decodePaths(this.model, out, lengths);
    for (let b = 0; b < B; b++) {
      const tr: string[] = [];
      const pr: string[] = [];
      for (let t = 0; t < lengths[b]!; t++) {
        const g = Number(yv[b * T + t]);
        if (g === IGNORE_TAG) continue;
        tr.push(this.tags[g]!);
        pr.push(this.tags[paths[b]![t]!]!);
      }
      this.#truth.push(tr);
      this.#pred.push(pr);
    }
  }
  compute(): Record<string, unknown> {
    let ok = 0;
    let n = 0;
    this.#truth.forEach((s, i) =>
      s.forEach((t, k) => {
        n++;
        if (this.#pred[i]![k] === t) ok++;
      }),
    );
    const out: Record<string, unknown> = { accuracy: n ? ok / n : 0, tokens: n };
    if (isBio(this.tags)) {
      const e = entityScores(this.#truth, this.#pred);
      Object.assign(out, { entityPrecision: e.precision, entityRecall: e.recall, entityF1: e.f1 });
    }
    return out;
  }
}

/** Best tags per sentence: Viterbi under the CRF, else the argmax of each token. */
function decodePaths(model: BiLstmTagger, emissions: Tensor, lengths: readonly number[]): number[][] {
  if (model.crf) return model.crf.decode(emissions, lengths);
  const [B, T] = emissions.shape as [number, number];
  const am = noGrad(() => tidy(() => emissions.argmax(2).data() as BigInt64Array)) as BigInt64Array;
  return Array.from({ length: B }, (_, b) => Array.from({ length: lengths[b]! }, (_, t) => Number(am[b * T + t])));
}

function lossFor(model: BiLstmTagger) {
  return (out: Tensor, y: Tensor): Tensor =>
    model.crf
      ? model.crf.nll(out, y, y.ne(IGNORE_TAG))
      : crossEntropy(out.reshape([-1, out.shape[2]!]), y.reshape([-1]), { ignoreIndex: IGNORE_TAG });
}

const OPTIONS = {
  wordDim: opt.int("word embedding size (default 64)", { phases: ["train"], search: { low: 32, high: 128, log: true } }),
  hiddenSize: opt.int("LSTM units per direction (default 96)", { phases: ["train"], search: { low: 48, high: 192, log: true } }),
  dropout: opt.number("dropout on the features and the LSTM's output (default 0.33)", {
    phases: ["train"],
    search: { low: 0, high: 0.5 },
  }),
};

interface TagHyper {
  wordVocab: number;
  charVocab: number;
  numTags: number;
  crf: boolean;
  wordDim?: number;
  hiddenSize?: number;
  dropout?: number;
}

interface TagPreprocessing {
  source: string;
  /** tokenizer.json and char_tokenizer.json (words.json and chars.json in directories saved before). */
  tokenizer?: string;
  charTokenizer?: string;
  words?: string;
  chars?: string;
}

const SPECIALS = ["<pad>", "<unk>"];
const WORD_SPEC = { normalize: "lowercase-digits", split: "words", specials: SPECIALS } as const;
const CHAR_SPEC = { normalize: "none", split: "chars", specials: SPECIALS } as const;

async function train(o: TrainInput & OptionValues<typeof OPTIONS>): Promise<TaskTrainResult> {
  const { seed, log } = o;
  manualSeed(seed);
  let train = await loadTagData(o.data, "train");
  const examples = train.length;
  let val: TaggedSentence[];
  if (o.val) val = await loadTagData(o.val, "test");
  else {
    const cut = Math.max(1, Math.round(train.length * 0.05));
    val = train.slice(train.length - cut);
    train = train.slice(0, train.length - cut);
  }
  if (o.limit !== undefined) {
    train = takeSentences(train, o.limit, seed);
    // A small budget gets a proportionally small validation set (evaluated every epoch).
    val = val.slice(0, Math.max(200, Math.round(o.limit / 10)));
  }
  const arch = o.model ?? "bilstm-crf";
  if (!(TAGGER_MODELS as readonly string[]).includes(arch))
    throw new FlambeauError("E_ARG", `unknown tagger "${arch}"; models: ${TAGGER_MODELS.join(", ")}`);
  // Distillation replaces the training loss with a per-token one on the emissions, so a CRF's
  // transitions would never learn: a distilled tagger is the CRF-free bilstm.
  if (arch === "bilstm-crf" && runDistillPending())
    throw new FlambeauError(
      "E_ARG",
      `token-classification: distil into --model bilstm (per-token outputs); bilstm-crf's CRF would not be trained`,
    );
  const tags = [...new Set(train.flatMap((s) => s.tags))].sort();
  const tagIds = new Map(tags.map((t, i) => [t, i]));
  const words = Vocab.build(
    train.map((s) => s.tokens.map(normWord)),
    { minFreq: 2, maxSize: 50000 },
  );
  const chars = Vocab.build(
    train.map((s) => s.tokens.flatMap(wordChars)),
    { minFreq: 1, maxSize: 500 },
  );
  const trainEnc = encodeSentences(train, words, chars, tagIds);
  const valEnc = encodeSentences(val, words, chars, tagIds);
  const hyper: TagHyper = {
    wordVocab: words.size,
    charVocab: chars.size,
    numTags: tags.length,
    crf: arch === "bilstm-crf",
    ...(o.wordDim !== undefined ? { wordDim: o.wordDim } : {}),
    ...(o.hiddenSize !== undefined ? { hiddenSize: o.hiddenSize } : {}),
    ...(o.dropout !== undefined ? { dropout: o.dropout } : {}),
  };
  const model = new BiLstmTagger(hyper);
  const batchSize = o.batchSize ?? 32;
  const plan = epochsForData(train.length, batchSize, EPOCH_RULES.token);
  const epochs = o.epochs ?? plan.epochs;
  const lr = o.lr ?? 3e-3;
  const ntok = train.reduce((a, s) => a + s.tokens.length, 0);
  log(
    `${TOKEN_CLASSIFICATION}: ${train.length} training sentences (${ntok} tokens) / ${val.length} validation, ${tags.length} tags, ${words.size} words, ${chars.size} characters; ${arch}, ${o.epochs === undefined ? plan.reason : plural(epochs, "epoch")}, batch ${batchSize}, lr ${lr}`,
  );
  const optimizer = new AdamW(model.parameters(), { lr, weightDecay: 1e-4 });
  const steps = epochs * Math.ceil(train.length / batchSize);
  const trainer = new Trainer({
    name: TOKEN_CLASSIFICATION,
    model,
    optimizer,
    loss: lossFor(model),
    meter: () => new TagMeter(model, tags),
    progress: o.progress,
    gradClipNorm: 5,
    // Linear decay to 10% of the peak rate.
    scheduler: new LambdaLR(optimizer, (step) => 1 - 0.9 * Math.min(1, step / steps)),
    keepBest: { monitor: "valAccuracy" },
  });
  const history = await trainer.fit(tagBatches(trainEnc, { batchSize, shuffle: true, seed }), {
    epochs,
    val: tagBatches(valEnc, { batchSize: 128, shuffle: false, seed }),
  });
  const metrics = await trainer.evaluate(tagBatches(valEnc, { batchSize: 128, shuffle: false, seed }));
  await saveModelDir<TagHyper, TagPreprocessing>(
    o.out,
    {
      task: TOKEN_CLASSIFICATION,
      architecture: arch,
      hyper,
      labels: tags,
      preprocessing: { source: o.data, tokenizer: "tokenizer.json", charTokenizer: "char_tokenizer.json" },
      metrics: { validation: metrics, epochs, batchSize, lr, seed, trainSentences: train.length, bestEpoch: history.bestEpoch },
    },
    model.stateDict(),
  );
  // Each word's characters go through the character tokenizer (the model keeps the first and last 8).
  await new WordLevelTokenizer(words, WORD_SPEC).save(join(o.out, "tokenizer.json"));
  await new WordLevelTokenizer(chars, CHAR_SPEC).save(join(o.out, "char_tokenizer.json"));
  // A user's CoNLL file with no --val: eval and compare on it then leave out the training sentences.
  const carved = !o.val && !BUILTIN_TAG_SETS.includes(o.data);
  await saveSplitRecord(
    o.out,
    carved
      ? {
          task: TOKEN_CLASSIFICATION,
          data: o.data,
          seed,
          examples,
          keyOf: "tokens",
          train: sentenceKeys(train),
          heldOut: sentenceKeys(val),
        }
      : undefined,
  );
  return { dir: o.out, metrics, history };
}

interface LoadedTagger {
  model: BiLstmTagger;
  tags: string[];
  words: Vocab;
  chars: Vocab;
  /** Splits a sentence into words the way the word tokenizer does. */
  wordTokenizer: WordLevelTokenizer;
}

export async function loadTagger(dir: string): Promise<LoadedTagger> {
  const { config, weights } = await loadModelDir<TagHyper, TagPreprocessing>(dir, TOKEN_CLASSIFICATION, {
    hyper: schema.object(
      {
        wordVocab: schema.int(2, 10_000_000),
        charVocab: schema.int(2, 1_000_000),
        numTags: schema.int(1, 100000),
        crf: schema.boolean(),
        wordDim: schema.int(1, 4096),
        hiddenSize: schema.int(1, 4096),
        dropout: schema.number(),
      },
      ["wordVocab", "charVocab", "numTags", "crf"],
    ),
  });
  const model = new BiLstmTagger(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  const { specials: _w, ...wordSpec } = WORD_SPEC;
  const { specials: _c, ...charSpec } = CHAR_SPEC;
  const wordTokenizer = loadDirTokenizer(dir, "tokenizer.json", { vocabFile: "words.json", spec: wordSpec });
  const chars = loadDirTokenizer(dir, "char_tokenizer.json", { vocabFile: "chars.json", spec: charSpec }).vocab;
  return { model, tags: config.labels ?? [], words: wordTokenizer.vocab, chars, wordTokenizer };
}

async function evaluate(dir: string, data: string, o: EvalArgs = {}): Promise<Record<string, unknown>> {
  const { model, tags, words, chars } = await loadTagger(dir);
  let test = await loadTagData(data, "test");
  const { keep, overlap } = selectUntrained(dir, data, () => sentenceKeys(test), o);
  if (keep) test = keep.map((i) => test[i]!);
  if (o.limit !== undefined) test = takeSentences(test, o.limit);
  const tagIds = new Map(tags.map((t, i) => [t, i]));
  test.forEach((s, i) => {
    const bad = s.tags.find((t) => !tagIds.has(t));
    if (bad !== undefined)
      throw new FlambeauError(
        "E_FORMAT",
        `${data}: sentence ${i + 1}: unknown tag ${JSON.stringify(bad)}; the model knows ${tags.length} tags (${tags.slice(0, 20).join(" ")}…)`,
      );
  });
  const enc = encodeSentences(test, words, chars, tagIds);
  const m = await evaluator({ model, loss: lossFor(model), meter: () => new TagMeter(model, tags) }).evaluate(
    tagBatches(enc, { batchSize: o.batchSize ?? 128, shuffle: false, seed: 0 }),
  );
  model.dispose();
  return { sentences: test.length, ...m, ...(overlap ? { trainingOverlap: overlap } : {}) };
}

export interface TagPrediction {
  tokens: string[];
  tags: string[];
}

/** Loads a tagger once; each predict tags its sentences. */
async function load(dir: string): Promise<Predictor<TagPrediction>> {
  const l = await loadTagger(dir);
  return { task: TOKEN_CLASSIFICATION, predict: async (inputs) => tagSentences(l, inputs), dispose: () => l.model.dispose() };
}

/** Tags each sentence (a path to an existing file: one sentence per non-empty line). */
function tagSentences({ model, tags, words, chars, wordTokenizer }: LoadedTagger, inputs: readonly string[]): TagPrediction[] {
  const sentences = inputs.flatMap((s) =>
    s.length < 4096 && existsSync(s) && statSync(s).isFile()
      ? readFileSync(s, "utf8")
          .split("\n")
          .filter((l) => l.trim())
      : [s],
  );
  const toks = sentences.map((s, i) => {
    const t = wordTokenizer.tokenize(s, { asWritten: true });
    if (!t.length) throw new FlambeauError("E_ARG", `${TOKEN_CLASSIFICATION}: input ${i + 1} has no tokens`);
    // Its id would read as padding and cut the sentence short.
    if (t.includes(words.padToken))
      throw new FlambeauError("E_ARG", `${TOKEN_CLASSIFICATION}: input ${i + 1} contains the padding token ${words.padToken}`);
    return t;
  });
  const enc = encodeSentences(
    toks.map((t) => ({ tokens: t })),
    words,
    chars,
  );
  const [x, y] = packSentences(enc) as [Tensor, Tensor];
  const paths = noGrad(() =>
    tidy(() => {
      const em = model.forward(x);
      return decodePaths(model, em, lengthsOf(x.select(2, 0)));
    }),
  );
  x.dispose();
  y.dispose();
  return toks.map((t, i) => ({ tokens: t, tags: paths[i]!.slice(0, t.length).map((k) => tags[k]!) }));
}

const formatPrediction = (p: TagPrediction): string => p.tokens.map((t, i) => `${t}/${p.tags[i]}`).join(" ");

const TAG_COLORS: Record<string, string> = {
  NOUN: "#ddf4ff",
  VERB: "#ffebe9",
  ADJ: "#fff8c5",
  ADV: "#fbefff",
  PRON: "#dafbe1",
  DET: "#eaeef2",
  ADP: "#f6f8fa",
  ENT: "#ffd8b5",
};

/** Sentences as coloured token chips with their tag underneath; wrong tags outlined in red. */
export function tagsHtml(preds: readonly TagPrediction[], truth?: readonly (readonly string[])[]): string {
  return preds
    .map((p, s) => {
      const chips = p.tokens.map((t, i) => {
        const tag = p.tags[i]!;
        const bg = TAG_COLORS[tag.replace(/^[BI]-/, "")] ?? "#ffffff";
        const wrong = truth?.[s] && truth[s]![i] !== tag;
        const title = wrong ? ` title="truth: ${escapeHtml(truth![s]![i]!)}"` : "";
        return `<span${title} style="display:inline-block;margin:1px;padding:0 3px;background:${bg};${wrong ? "outline:1px solid #cf222e;" : ""}text-align:center">${escapeHtml(t)}<br><small>${escapeHtml(tag)}</small></span>`;
      });
      return `<p style="line-height:1.1">${chips.join("")}</p>`;
    })
    .join("");
}

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const budget = o.full ? {} : { limit: 2000, epochs: 2, batchSize: 32 };
  const r = await train({ data: "brown", out: o.out, seed: 0, progress: o.progress, log: o.log ?? (() => {}), ...budget });
  const m = await evaluate(o.out, "brown");
  const test = takeSentences(
    (await loadTagData("brown", "test")).filter((s) => s.tokens.length >= 6 && s.tokens.length <= 18),
    5,
    2,
  );
  const tagger = await loadTagger(o.out);
  const preds = tagSentences(
    tagger,
    test.map((s) => s.tokens.join(" ")),
  );
  tagger.model.dispose();
  const extra = o.full ? "" : " --limit 2000 --epochs 2 --batch-size 32";
  return {
    task: TOKEN_CLASSIFICATION,
    dataset: "Brown corpus, universal POS tags (held-out 10% of files)",
    commands: [`flambeau train ${TOKEN_CLASSIFICATION} --data brown --out ${o.out}${extra}`, `flambeau eval ${o.out} --data brown --json`],
    metrics: { tokenAccuracy: m.accuracy as number },
    history: r.history.epochs.map((e) => ({ loss: e.loss!, valLoss: e.valLoss, valAccuracy: e.valAccuracy })),
    seconds: (performance.now() - t0) / 1000,
    extraHtml: tagsHtml(
      preds,
      // Re-tokenizing joined Brown tokens can split differently; compare only when it did not.
      preds.map((p, i) => (p.tokens.length === test[i]!.tokens.length ? test[i]!.tags : [])),
    ),
  };
}

export const tokenClassification = defineTask({
  name: TOKEN_CLASSIFICATION,
  description: "tag every token (BiLSTM over words + character CNN, optional CRF; token accuracy, entity P/R/F1 for BIO tags)",
  dataFormat:
    "a CoNLL file (token<TAB>tag per line, blank line between sentences), a .jsonl/.parquet/.arrow table with `tokens` and `tags` (or Hugging Face `ner_tags`/`pos_tags`) lists, or a built-in set: brown (universal POS tags), brown-tags (simplified Brown tags), brown-entities (silver BIO spans over proper-noun runs)",
  models: TAGGER_MODELS,
  defaultModel: "bilstm-crf",
  searchModels: TAGGER_MODELS,
  options: OPTIONS,
  train,
  evaluate,
  load,
  // compress prunes and quantizes the tagger (BiLSTM + char CNN + CRF) like any other module.
  loadModule: async (dir) => (await loadTagger(dir)).model,
  formatPrediction,
  demo,
});
