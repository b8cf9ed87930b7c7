// translation and summarization: text pairs → a byte-level BPE vocabulary shared by both
// sides → the pre-norm seq2seq Transformer trained with label smoothing and a warm-up +
// inverse-square-root schedule → decoded greedily or with beam search; BLEU and chrF
// (sacreBLEU's) for translation, ROUGE-1/2/L for summarization.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed } from "../../core/index.js";
import { epochBatches } from "../../data/epoch-batches.js";
import { seededSample } from "../../data/random.js";
import { tokenBudgetBatches } from "../../data/token-batches.js";
import { writeTextAtomic } from "../../io/index.js";
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
  type Task,
  type TaskTrainResult,
  type TrainInput,
} from "../../tasks/task.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { evaluator, Trainer } from "../../train/trainer.js";
import { SubwordTokenizer } from "../tokenizers/subword.js";
import { firstSentence, learnDictionary, translateWordByWord } from "./baselines.js";
import { corpusBleu } from "./bleu.js";
import { corpusChrf } from "./chrf.js";
import type { TextPair } from "./ddtp.js";
import { beamSearch, greedyDecode } from "./decode.js";
import { type EncodedPair, type PairBatch, pairBatch, pairLoss, type Special } from "./pair-batch.js";
import { loadPairs, PAIR_DATA_NAMES, type PairColumns } from "./pairs.js";
import { seq2seqModel } from "./pointer.js";
import { corpusRouge } from "./rouge.js";
import { type Seq2SeqOptions, type Seq2SeqTransformer, tokenTensor } from "./transformer.js";

type Kind = "translation" | "summarization";

const OPTIONS = {
  beam: opt.int("beam width of the decoder (eval: greedy unless given; predict: 4 unless given)", { phases: ["eval", "predict"] }),
  minLength: opt.count("no end of output before this many subword tokens", { phases: ["eval", "predict"] }),
  // Not "noRepeatNgram": the CLI would read --no-repeat-ngram as a negated boolean.
  blockNgram: opt.count("never repeat an n-gram of this many subword tokens in one output (3: trigram blocking; 0: off)", {
    phases: ["eval", "predict"],
  }),
  lengthPenalty: opt.number("beam search's length penalty α (0: raw log-probability; default 0.6)", { phases: ["eval", "predict"] }),
  maxSource: opt.int("read only the first N subword tokens of each source (default 256 for summarization, 128 for translation)", {
    phases: ["train"],
  }),
  sourceColumn: opt.string("the column (JSON key) of a CSV/TSV/JSONL/Parquet/Arrow file that holds the source text", {
    phases: ["train", "eval"],
    default: "source",
  }),
  targetColumn: opt.string("the column holding the target text (the translation or the summary)", {
    phases: ["train", "eval"],
    default: "target",
  }),
};
type Options = OptionValues<typeof OPTIONS>;

const columnsOf = (o: { sourceColumn?: string; targetColumn?: string }): PairColumns => ({
  ...(o.sourceColumn !== undefined ? { source: o.sourceColumn } : {}),
  ...(o.targetColumn !== undefined ? { target: o.targetColumn } : {}),
});

interface Preprocessing {
  maxSource: number;
  maxTarget: number;
  tokenizer: string;
}

/** Token-budget batches (data/token-batches) in a new seeded order every epoch: seed, seed + 1, … */
function budgetBatches(data: readonly EncodedPair[], sp: Special, tokens: number, seed: number) {
  const len = (i: number) => Math.max(data[i]!.src.length, data[i]!.tgt.length + 1);
  return epochBatches(
    (e) => tokenBudgetBatches(data.length, len, tokens, seed + e),
    (b) => pairBatch(data, b, sp),
  );
}

/** Pairs in order, `size` at a time (validation). */
function* inOrder(data: readonly EncodedPair[], sp: Special, size: number): Generator<PairBatch> {
  for (let i = 0; i < data.length; i += size)
    yield pairBatch(
      data,
      Array.from({ length: Math.min(size, data.length - i) }, (_, k) => i + k),
      sp,
    );
}

/** The saved hyper-parameters: the Transformer's, and whether it copies (pointer.ts). */
type Hyper = Seq2SeqOptions & { pointer?: boolean };

const TINY = { dModel: 128, nhead: 4, encoderLayers: 2, decoderLayers: 2, dimFeedforward: 512 };
const SMALL = { dModel: 256, nhead: 4, encoderLayers: 3, decoderLayers: 3, dimFeedforward: 1024 };
const SIZES: Record<string, Omit<Hyper, "vocabSize" | "padId">> = {
  tiny: TINY,
  small: SMALL,
  base: { dModel: 512, nhead: 8, encoderLayers: 6, decoderLayers: 6, dimFeedforward: 2048 },
  // Pointer-generators: the same Transformers with a copy attention and a p_gen gate.
  pointer: { ...TINY, pointer: true },
  "pointer-small": { ...SMALL, pointer: true },
};

function specials(tk: SubwordTokenizer): Special {
  const id = (t: string) => {
    const v = tk.tokenToId(t);
    if (v === null) throw new FlambeauError("E_FORMAT", `seq2seq: the tokenizer has no ${t} token`);
    return v;
  };
  return { pad: id("<pad>"), bos: id("<s>"), eos: id("</s>") };
}

interface Loaded {
  kind: Kind;
  model: Seq2SeqTransformer;
  tk: SubwordTokenizer;
  sp: Special;
  maxSource: number;
  maxTarget: number;
}

async function loadModel(dir: string, kind: Kind): Promise<Loaded> {
  const { config, weights } = await loadModelDir<Hyper, Preprocessing>(dir, kind);
  const tk = SubwordTokenizer.fromJson(readFileSync(join(dir, "tokenizer.json"), "utf8"), join(dir, "tokenizer.json"));
  const model = seq2seqModel(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  const pre = config.preprocessing!;
  return { kind, model, tk, sp: specials(tk), maxSource: pre.maxSource, maxTarget: pre.maxTarget };
}

/**
 * Token ids of the sources, each ending in </s>. Empty inputs are refused; inputs longer than
 * the model was trained on are cut, with a process warning saying which and by how much.
 * Byte-level BPE has no unknown tokens: any Unicode text encodes.
 */
async function encodeSources(l: Loaded, texts: readonly string[]): Promise<number[][]> {
  const kind = l.kind;
  texts.forEach((t, i) => {
    if (typeof t !== "string" || !t.trim())
      throw new FlambeauError(
        "E_ARG",
        `${kind}: input ${i + 1} is empty; give text to ${kind === "translation" ? "translate" : "summarize"}`,
      );
  });
  const ids = await l.tk.encodeIds(texts, { addSpecialTokens: false });
  // One warning per call, naming the first cut input: a model trained on truncated sources
  // (--max-source) would otherwise warn once per input of a whole test set.
  const cut = ids.flatMap((r, i) => (r.length > l.maxSource - 1 ? [i] : []));
  if (cut.length) {
    const first = cut[0]!;
    const more = cut.length > 1 ? ` (and ${plural(cut.length - 1, "more input")})` : "";
    process.emitWarning(
      `${kind}: input ${first + 1} has ${ids[first]!.length} tokens; the model reads ${l.maxSource - 1}, so the rest is cut${more}`,
      { code: "FLAMBEAU_TRUNCATED" },
    );
  }
  return ids.map((r) => [...r.slice(0, l.maxSource - 1), l.sp.eos]);
}

/** Decodes `texts` in batches (greedy, also for beam width 1) or one by one (beam). */
interface GenerateOptions {
  beam?: number;
  minLength?: number;
  noRepeatNgram?: number;
  lengthPenalty?: number;
  onToken?: (id: number) => void;
}

async function generate(l: Loaded, texts: readonly string[], o: GenerateOptions = {}): Promise<string[]> {
  const out: string[] = [];
  const src = await encodeSources(l, texts);
  const opts = {
    bos: l.sp.bos,
    eos: l.sp.eos,
    maxLength: l.maxTarget,
    ...(o.minLength !== undefined ? { minLength: o.minLength } : {}),
    ...(o.noRepeatNgram !== undefined ? { noRepeatNgram: o.noRepeatNgram } : {}),
    ...(o.lengthPenalty !== undefined ? { lengthPenalty: o.lengthPenalty } : {}),
  };
  const beam = o.beam !== undefined && o.beam > 1 ? o.beam : undefined;
  for (let i = 0; i < src.length; i += beam ? 1 : 32) {
    const rows = src.slice(i, i + (beam ? 1 : 32));
    const x = tokenTensor(rows, l.sp.pad);
    const ids = beam
      ? [beamSearch(l.model, x, { ...opts, beamSize: beam, onToken: o.onToken })]
      : greedyDecode(l.model, x, { ...opts, onToken: o.onToken });
    x.dispose();
    for (const r of ids) out.push(await l.tk.decode(r, { skipSpecialTokens: true }));
  }
  return out;
}

const decodingOf = (o: Partial<Options>): GenerateOptions => ({
  ...(o.beam !== undefined ? { beam: o.beam } : {}),
  ...(o.minLength !== undefined ? { minLength: o.minLength } : {}),
  ...(o.blockNgram !== undefined ? { noRepeatNgram: o.blockNgram } : {}),
  ...(o.lengthPenalty !== undefined ? { lengthPenalty: o.lengthPenalty } : {}),
});

function makeTask(kind: Kind): { task: Task; demo(o: DemoOptions): Promise<DemoSection> } {
  const builtIn = kind === "translation" ? ["ddtp-en-fr", "ddtp-en-de", "ddtp-en-fr-synopses", "ddtp-en-de-synopses"] : ["ddtp-summaries"];

  async function train(o: TrainInput & Options): Promise<TaskTrainResult> {
    const { seed, log } = o;
    manualSeed(seed);
    const columns = columnsOf(o);
    let pairs = await loadPairs(o.data, "train", columns);
    let val: TextPair[];
    if (o.val) val = await loadPairs(o.val, "val", columns);
    else if (PAIR_DATA_NAMES.includes(o.data)) val = await loadPairs(o.data, "val");
    else {
      const nVal = Math.max(1, Math.round(pairs.length * 0.05));
      val = pairs.slice(0, nVal);
      pairs = pairs.slice(nVal);
    }
    // A seeded sample, not the first N: the built-in sets are sorted by package name.
    pairs = seededSample(pairs, o.limit, seed);
    val = val.slice(0, 500);
    if (pairs.length === 0) throw new FlambeauError("E_FORMAT", `${kind}: no training pairs in ${o.data}`);
    // Small data wants a small subword vocabulary (Sennrich & Zhang 2019, "Revisiting
    // low-resource NMT"): rare words split into pieces the model sees often enough to copy.
    const vocabSize = Math.min(8000, Math.max(300, Math.round(pairs.length / 8)));
    const tk = SubwordTokenizer.train(
      "bpe",
      pairs.flatMap((p) => [p.source, p.target]),
      { vocabSize },
    );
    const sp = specials(tk);
    const maxSource = o.maxSource ?? (kind === "summarization" ? 256 : 128);
    if (maxSource < 2) throw new FlambeauError("E_ARG", `${kind}: --max-source must be at least 2 (a token and </s>), got ${maxSource}`);
    const maxTarget = kind === "summarization" ? 48 : 128;
    const enc = async (ps: TextPair[]): Promise<EncodedPair[]> => {
      const s = await tk.encodeIds(
        ps.map((p) => p.source),
        { addSpecialTokens: false },
      );
      const t = await tk.encodeIds(
        ps.map((p) => p.target),
        { addSpecialTokens: false },
      );
      return ps.map((_, i) => ({ src: [...s[i]!.slice(0, maxSource - 1), sp.eos], tgt: t[i]!.slice(0, maxTarget - 1) }));
    };
    const data = await enc(pairs);
    const valData = await enc(val);
    const size = o.model ?? (pairs.length < 20000 ? "tiny" : "small");
    const arch = SIZES[size];
    if (!arch) throw new FlambeauError("E_ARG", `${kind}: unknown model size "${size}"; models: ${Object.keys(SIZES).join(", ")}`);
    const hyper: Hyper = { vocabSize: tk.vocabSize, padId: sp.pad, maxLength: Math.max(maxSource, maxTarget) + 2, ...arch };
    const model = seq2seqModel(hyper);
    const epochs = o.epochs ?? 10;
    // Small sets get smaller batches, hence more updates per epoch (same paper).
    const batchTokens = o.batchSize ?? (pairs.length < 30000 ? 1024 : 4096);
    const peak = o.lr ?? 7e-4;
    const optimizer = new AdamW(model.parameters(), { lr: peak, betas: [0.9, 0.98], weightDecay: 0.01 });
    const batches = budgetBatches(data, sp, batchTokens, seed);
    const stepsPerEpoch = batches.length;
    const warmup = Math.min(4000, Math.max(100, Math.round(stepsPerEpoch * epochs * 0.08)));
    log(
      `${kind}: ${pairs.length} training pairs, ${val.length} validation; BPE vocabulary ${tk.vocabSize}; ${size} Transformer, ${plural(epochs, "epoch")}, ${stepsPerEpoch} batches of ≤ ${batchTokens} tokens, peak lr ${peak}`,
    );
    // Validation loss: without label smoothing, weighted by the pairs in a batch.
    const validation = evaluator<PairBatch>({ model, step: (b) => pairLoss(model, b, sp.pad, 0) });
    const trainer = new Trainer<PairBatch>({
      name: kind,
      model,
      optimizer,
      step: (b) => pairLoss(model, b, sp.pad, 0.1),
      // The epoch's loss is the mean of its batches' losses (batches hold about the same number of tokens).
      batchSize: () => 1,
      // Inverse square root after a linear warm-up (Vaswani et al.), peaking at `peak`; step k + 1 trains at peak × f(k).
      scheduler: new LambdaLR(optimizer, (k) => Math.min((k + 1) / warmup, Math.sqrt(warmup / (k + 1)))),
      gradClipNorm: 1,
      validate: async () => ({ valLoss: (await validation.evaluate(inOrder(valData, sp, 64))).loss as number }),
      keepBest: { monitor: "valLoss" },
      progress: o.progress,
    });
    const history = await trainer.fit(batches, { epochs });
    model.eval();
    await saveModelDir<Hyper, Preprocessing>(
      o.out,
      {
        task: kind,
        architecture: hyper.pointer ? `seq2seq-${size}` : `seq2seq-transformer-${size}`,
        hyper,
        preprocessing: { maxSource, maxTarget, tokenizer: "tokenizer.json" },
        metrics: { trainPairs: pairs.length, epochs, bestEpoch: history.bestEpoch, seed },
      },
      model.stateDict(),
    );
    await writeTextAtomic(kind, join(o.out, "tokenizer.json"), tk.toJson());
    const loaded: Loaded = { kind, model, tk, sp, maxSource, maxTarget };
    // Validation pairs decoded for the saved metrics: about 1 per 30 training pairs, 50 to 200.
    const scored = val.slice(0, Math.min(200, Math.max(50, Math.round(pairs.length / 30))));
    const metrics = score(
      kind,
      await generate(
        loaded,
        scored.map((p) => p.source),
      ),
      scored,
    );
    return { dir: o.out, metrics, history: { ...history, samplesPerSecond: (pairs.length * epochs) / history.seconds } };
  }

  async function evaluate(dir: string, data: string, o: EvalArgs & Options = {}): Promise<Record<string, unknown>> {
    const l = await loadModel(dir, kind);
    const columns = columnsOf(o);
    let test = await loadPairs(data, "test", columns);
    if (o.limit !== undefined) test = test.slice(0, o.limit);
    if (!test.length) throw new FlambeauError("E_FORMAT", `${kind}: no test pairs in ${data}`);
    const hyps = await generate(
      l,
      test.map((p) => p.source),
      decodingOf(o),
    );
    l.model.dispose();
    return { examples: test.length, ...score(kind, hyps, test), ...(await baseline(kind, data, test, columns)) };
  }

  async function load(dir: string): Promise<Predictor<{ input: string; output: string }, Options>> {
    const l = await loadModel(dir, kind);
    return {
      task: kind,
      predict: async (inputs, o = {}) => {
        const outs = await generate(l, inputs, { ...decodingOf(o), beam: o.beam ?? 4 });
        return inputs.map((input, i) => ({ input, output: outs[i]! }));
      },
      dispose: () => l.model.dispose(),
    };
  }

  async function demo(o: DemoOptions): Promise<DemoSection> {
    const t0 = performance.now();
    const data = builtIn[0]!;
    // The quick budget only shows the pipeline end to end (a few minutes of CPU would be
    // needed for readable translations); --full trains for the README's figures.
    const budget = o.full ? { epochs: 20 } : { limit: 1500, epochs: 2 };
    const r = await train({ data, out: o.out, seed: 0, progress: o.progress, log: o.log ?? (() => {}), ...budget });
    const m = await evaluate(o.out, data, { limit: o.full ? undefined : 60 });
    const l = await loadModel(o.out, kind);
    const test = (await loadPairs(data, "test")).slice(0, 6);
    const outs = await generate(
      l,
      test.map((p) => p.source),
      { beam: o.full ? 4 : undefined },
    );
    const rows = test
      .map((p, i) => `<tr><td>${escapeHtml(p.source)}</td><td>${escapeHtml(outs[i]!)}</td><td>${escapeHtml(p.target)}</td></tr>`)
      .join("");
    const extra = o.full ? "" : " --limit 1500 --epochs 2";
    return {
      task: kind,
      dataset: kind === "translation" ? "Debian descriptions EN→FR (DDTP)" : "Debian long descriptions → synopses",
      commands: [`flambeau train ${kind} --data ${data} --out ${o.out}${extra}`, `flambeau eval ${o.out} --data ${data} --json`],
      metrics: Object.fromEntries(Object.entries(m).filter(([k, v]) => typeof v === "number" && k !== "examples")) as Record<
        string,
        number
      >,
      history: r.history.epochs.map((e) => ({ loss: e.loss!, valLoss: e.valLoss })),
      seconds: (performance.now() - t0) / 1000,
      extraHtml: `<h3>Held-out examples (${o.full ? "beam 4" : "greedy"})</h3><table style="text-align:left"><tr><th>source</th><th>model</th><th>reference</th></tr>${rows}</table>`,
    };
  }

  const task = defineTask({
    name: kind,
    description:
      kind === "translation"
        ? "translate text (a Transformer encoder–decoder on a shared BPE vocabulary; BLEU and chrF as sacreBLEU computes them)"
        : "summarize text (a Transformer encoder–decoder; ROUGE-1/2/L)",
    dataFormat: `a CSV/TSV/JSONL/Parquet/Arrow file with source and target columns (named by --source-column/--target-column), or ${builtIn.join(", ")} (Debian's package-description translations)`,
    models: Object.keys(SIZES),
    defaultModel: "tiny (< 20k pairs) or small; pointer / pointer-small copy from the source (pointer-generator)",
    options: OPTIONS,
    baseline:
      kind === "translation"
        ? "word-by-word translation with a dictionary learned from the training pairs (reported by eval)"
        : "the first sentence of the source (reported by eval)",
    train,
    evaluate,
    load,
    formatPrediction: (p) => p.output,
  });
  return { task, demo };
}

/** The baseline's scores on the same test pairs, prefixed "baseline". */
async function baseline(kind: Kind, data: string, test: TextPair[], columns: PairColumns): Promise<Record<string, number>> {
  let hyps: string[];
  if (kind === "translation") {
    // The dictionary learns from the training split of a built-in corpus; for a user's file, from the file itself.
    const dict = learnDictionary(await loadPairs(data, "train", columns));
    hyps = test.map((p) => translateWordByWord(dict, p.source));
  } else hyps = test.map((p) => firstSentence(p.source));
  const s = score(kind, hyps, test);
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [`baseline${k[0]!.toUpperCase()}${k.slice(1)}`, v]));
}

function score(kind: Kind, hyps: string[], refs: TextPair[]): Record<string, number> {
  const targets = refs.map((p) => p.target);
  if (kind === "translation") return { bleu: corpusBleu(hyps, [targets]).score, chrf: corpusChrf(hyps, [targets]) };
  const r = corpusRouge(hyps, targets);
  return { rouge1: r.rouge1, rouge2: r.rouge2, rougeL: r.rougeL };
}

/**
 * Not yet in `flambeau demo`: a Transformer needs more CPU than the demo's budget to produce
 * readable output (2 epochs on 1,500 pairs gave BLEU 0.0). `runSeq2SeqDemo` runs it on demand.
 */
const translationTask = makeTask("translation");
export const translation: Task = translationTask.task;
export const summarization: Task = makeTask("summarization").task;
/** The translation demo section (full budget: `{ full: true }`), for reports run by hand. */
export const runSeq2SeqDemo = (o: DemoOptions): Promise<DemoSection> => translationTask.demo(o);
