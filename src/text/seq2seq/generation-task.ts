// text-generation: a decoder-only Transformer language model on plain text, optionally
// conditioned on a topic (a label token before each document: a president for the State of
// the Union addresses, a category for a user's labelled CSV); held-out perplexity; `predict`
// continues a prompt, streaming tokens as they are sampled.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, type Tensor } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { chunks, epochBatches } from "../../data/epoch-batches.js";
import { permutation } from "../../data/random.js";
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
  type PredictArgs,
  type Predictor,
  type TaskTrainResult,
  type TrainInput,
} from "../../tasks/task.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import type { Meter } from "../../train/trainer.js";
import { evaluator, Trainer } from "../../train/trainer.js";
import { sotu } from "../datasets/corpora.js";
import { mobyDick } from "../datasets/moby-dick.js";
import { indexLabels, readTextRecords } from "../readers.js";
import { SubwordTokenizer } from "../tokenizers/subword.js";
import { textStreamer } from "../tokenizers/text-streamer.js";
import { CAUSAL_LM_SIZES, CausalLM, type CausalLMOptions, causalLmSize, streamTokens } from "./language-model.js";
import { tokenTensor } from "./transformer.js";

const TASK = "text-generation";
const CONTEXT = 128;

const OPTIONS = {
  topic: opt.string("condition on this topic (one the model was trained with)", { phases: ["predict"] }),
  maxNewTokens: opt.int("tokens to produce at most", { phases: ["predict"], default: 60 }),
  temperature: opt.number("sampling temperature", { phases: ["predict"], positive: true, default: 0.8 }),
  topP: opt.fraction("sample from the smallest set of tokens whose probabilities reach this mass", { phases: ["predict"], default: 0.95 }),
  topK: opt.int("sample from the k likeliest tokens only", { phases: ["predict"] }),
};
type Options = OptionValues<typeof OPTIONS>;

interface Preprocessing {
  tokenizer: string;
  context: number;
}

interface Documents {
  texts: string[];
  /** Topic per text, or undefined when unconditioned. */
  topics: (string | undefined)[];
}

const topicToken = (t: string) => `<topic=${t}>`;

async function loadDocuments(data: string, split: "train" | "test"): Promise<Documents> {
  if (data === "sotu") {
    const s = sotu(split, { chunkWords: 150 });
    return { texts: s.texts, topics: s.labels.map((l) => s.classes[l]) };
  }
  if (data === "moby-dick") {
    const texts = mobyDick(split);
    return { texts, topics: texts.map(() => undefined) };
  }
  if (!existsSync(data)) throw new FlambeauError("E_IO", `${TASK}: no such file ${data} (built-in data: sotu, moby-dick)`);
  if (/\.(csv|tsv|jsonl?)$/i.test(data)) {
    const t = indexLabels(await readTextRecords(data), undefined, data);
    return { texts: t.texts, topics: t.labels.map((l) => t.classes[l]) };
  }
  // Plain text: paragraphs are documents; the last 10% of them are the held-out split.
  const paras = readFileSync(data, "utf8")
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, " ").trim())
    .filter(Boolean);
  const cut = Math.floor(paras.length * 0.9);
  const texts = split === "train" ? paras.slice(0, cut) : paras.slice(cut);
  return { texts, topics: texts.map(() => undefined) };
}

interface Loaded {
  model: CausalLM;
  tk: SubwordTokenizer;
  bos: number;
  eos: number;
  pad: number;
  topics: string[];
}

function idOf(tk: SubwordTokenizer, t: string): number {
  const v = tk.tokenToId(t);
  if (v === null) throw new FlambeauError("E_FORMAT", `${TASK}: the tokenizer has no ${t} token`);
  return v;
}

/** Token rows of at most CONTEXT + 1: [topic?] <s> text </s>, long documents cut into windows. */
async function encodeDocuments(l: Omit<Loaded, "model">, d: Documents): Promise<number[][]> {
  const ids = await l.tk.encodeIds(d.texts, { addSpecialTokens: false });
  const rows: number[][] = [];
  ids.forEach((r, i) => {
    const head = d.topics[i] !== undefined ? [idOf(l.tk, topicToken(d.topics[i]!)), l.bos] : [l.bos];
    const body = [...r, l.eos];
    const room = CONTEXT + 1 - head.length;
    for (let k = 0; k < body.length; k += room) rows.push([...head, ...body.slice(k, k + room)]);
  });
  return rows;
}

/** Summed next-token cross-entropy over the text tokens, and their count (topic and <s> are given, not predicted). */
class TokenLossMeter implements Meter {
  #sum = 0;
  #n = 0;
  constructor(readonly pad: number) {}
  update(logits: Tensor, y: Tensor): void {
    const count = y.ne(this.pad).sum().item();
    this.#sum += Number(
      crossEntropy(logits.reshape([-1, logits.shape[2]!]), y.reshape([-1]), { ignoreIndex: this.pad, reduction: "sum" }).item(),
    );
    this.#n += count;
  }
  compute(): { loss: number; tokens: number } {
    return { loss: this.#sum / Math.max(1, this.#n), tokens: this.#n };
  }
}

/** Mean next-token cross-entropy of a [B, T] batch of rows (padding ignored). */
function lmLoss(model: CausalLM, x: Tensor, pad: number): Tensor {
  const t = x.shape[1]!;
  const logits = model.forward(x.narrow(1, 0, t - 1));
  return crossEntropy(logits.reshape([-1, logits.shape[2]!]), x.narrow(1, 1, t - 1).reshape([-1]), { ignoreIndex: pad });
}

/** The rows at `idx` as one padded batch. */
const rowsBatch = (rows: readonly number[][], idx: ArrayLike<number>, pad: number): Tensor =>
  tokenTensor(
    Array.from(idx, (i) => rows[i]!),
    pad,
  );

/** Mean next-token cross-entropy over the text tokens of `rows`, 32 rows at a time. */
async function meanLoss(model: CausalLM, rows: number[][], pad: number): Promise<number> {
  function* batches(): Generator<Tensor[]> {
    for (let i = 0; i < rows.length; i += 32) yield [tokenTensor(rows.slice(i, i + 32), pad)];
  }
  const m = await evaluator<Tensor[]>({
    model,
    evalStep: ([x], meter) => {
      const t = x!.shape[1]!;
      meter!.update(model.forward(x!.narrow(1, 0, t - 1)), x!.narrow(1, 1, t - 1));
      return undefined;
    },
    meter: () => new TokenLossMeter(pad),
  }).evaluate(batches());
  return m.loss as number;
}

async function train(o: TrainInput): Promise<TaskTrainResult> {
  const { seed, log } = o;
  manualSeed(seed);
  const docs = await loadDocuments(o.data, "train");
  if (o.limit !== undefined) {
    docs.texts = docs.texts.slice(0, o.limit);
    docs.topics = docs.topics.slice(0, o.limit);
  }
  if (!docs.texts.length) throw new FlambeauError("E_FORMAT", `${TASK}: no training text in ${o.data}`);
  const topics = [...new Set(docs.topics.filter((t): t is string => t !== undefined))].sort();
  const tk = SubwordTokenizer.train("bpe", docs.texts, { vocabSize: Math.min(8000, Math.max(400, Math.round(docs.texts.length * 2))) });
  tk.addSpecialTokens(topics.map(topicToken));
  const base = { tk, bos: idOf(tk, "<s>"), eos: idOf(tk, "</s>"), pad: idOf(tk, "<pad>"), topics };
  const rows = await encodeDocuments(base, docs);
  // 5% of the rows, chosen by a fixed stride, watch for overfitting.
  const val = rows.filter((_, i) => i % 20 === 7);
  const trainRows = rows.filter((_, i) => i % 20 !== 7);
  const size = o.model ?? "small";
  const hyper: CausalLMOptions = { vocabSize: tk.vocabSize, padId: base.pad, maxLength: 512, ...causalLmSize(TASK, size) };
  const model = new CausalLM(hyper);
  const epochs = o.epochs ?? 8;
  const bs = o.batchSize ?? 32;
  const peak = o.lr ?? 1e-3;
  const optimizer = new AdamW(model.parameters(), { lr: peak, betas: [0.9, 0.98], weightDecay: 0.01 });
  const steps = Math.ceil(trainRows.length / bs);
  const warmup = Math.max(50, Math.round(steps * epochs * 0.05));
  log(
    `${TASK}: ${docs.texts.length} documents → ${trainRows.length} windows of ≤ ${CONTEXT} tokens; vocabulary ${tk.vocabSize}; ${topics.length} topics; ${size}, ${plural(epochs, "epoch")}`,
  );
  // Each epoch a new seeded order of the windows, cut into batches of `bs`.
  const batches = epochBatches(
    (e) => chunks(permutation(trainRows.length, seed, e), bs),
    (idx) => [rowsBatch(trainRows, idx, base.pad)],
  );
  const trainer = new Trainer<Tensor[]>({
    name: TASK,
    model,
    optimizer,
    step: ([x]) => lmLoss(model, x!, base.pad),
    // The epoch's loss is the mean of its batches' losses.
    batchSize: () => 1,
    // Inverse square root after a linear warm-up; step k + 1 trains at peak × f(k).
    scheduler: new LambdaLR(optimizer, (k) => Math.min((k + 1) / warmup, Math.sqrt(warmup / (k + 1)))),
    gradClipNorm: 1,
    validate: async () => {
      const valLoss = await meanLoss(model, val, base.pad);
      return { valLoss, valPerplexity: Math.exp(valLoss) };
    },
    progress: o.progress,
  });
  const history = await trainer.fit(batches, { epochs });
  await saveModelDir<CausalLMOptions, Preprocessing>(
    o.out,
    {
      task: TASK,
      architecture: `causal-lm-${size}`,
      hyper,
      labels: topics,
      preprocessing: { tokenizer: "tokenizer.json", context: CONTEXT },
      metrics: { epochs, seed, documents: docs.texts.length },
    },
    model.stateDict(),
  );
  await writeTextAtomic(TASK, join(o.out, "tokenizer.json"), tk.toJson());
  const last = history.epochs.at(-1)!;
  return { dir: o.out, metrics: { valPerplexity: last.valPerplexity }, history };
}

async function loadModel(dir: string): Promise<Loaded> {
  const { config, weights } = await loadModelDir<CausalLMOptions, Preprocessing>(dir, TASK);
  const tk = SubwordTokenizer.fromJson(readFileSync(join(dir, "tokenizer.json"), "utf8"), join(dir, "tokenizer.json"));
  const model = new CausalLM(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  return { model, tk, bos: idOf(tk, "<s>"), eos: idOf(tk, "</s>"), pad: idOf(tk, "<pad>"), topics: config.labels ?? [] };
}

async function evaluate(dir: string, data: string, o: EvalArgs = {}): Promise<Record<string, unknown>> {
  const l = await loadModel(dir);
  const docs = await loadDocuments(data, "test");
  // Topics the model never saw are dropped rather than guessed.
  docs.topics = docs.topics.map((t) => (t !== undefined && l.topics.includes(t) ? t : undefined));
  let rows = await encodeDocuments(l, docs);
  if (o.limit !== undefined) rows = rows.slice(0, o.limit);
  if (!rows.length) throw new FlambeauError("E_FORMAT", `${TASK}: no held-out text in ${data}`);
  const loss = await meanLoss(l.model, rows, l.pad);
  l.model.dispose();
  return { examples: rows.length, loss, perplexity: Math.exp(loss) };
}

export interface Generated {
  prompt: string;
  text: string;
}

/** Loads the language model once; each predict continues its prompts. */
async function load(dir: string): Promise<Predictor<Generated, Options>> {
  const l = await loadModel(dir);
  return { task: TASK, predict: (prompts, o = {}) => continuePrompts(l, prompts, o), dispose: () => l.model.dispose() };
}

/** Continues each prompt, sampling; `onText` receives the text as it is produced (the CLI prints it). */
async function continuePrompts(l: Loaded, prompts: readonly string[], o: Options & PredictArgs): Promise<Generated[]> {
  if (o.topic !== undefined && !l.topics.includes(o.topic))
    throw new FlambeauError(
      "E_ARG",
      `${TASK}: unknown topic "${o.topic}"; topics: ${l.topics.join(", ") || "(none: the model is unconditioned)"}`,
    );
  const out: { prompt: string; text: string }[] = [];
  for (const prompt of prompts) {
    let ids = (await l.tk.encodeIds([prompt], { addSpecialTokens: false }))[0]!;
    const head = o.topic !== undefined ? [idOf(l.tk, topicToken(o.topic)), l.bos] : [l.bos];
    // The model sees at most maxLength positions: keep the end of a longer prompt (what the
    // continuation follows) and leave room for at least one new token.
    const room = l.model.options.maxLength - head.length - 1;
    if (ids.length > room) {
      process.emitWarning(`${TASK}: the prompt has ${ids.length} tokens; the model reads ${room}, so only its last ${room} are kept`, {
        code: "FLAMBEAU_TRUNCATED",
      });
      ids = ids.slice(-room);
    }
    const tokens = await streamTokens(l.model, [...head, ...ids], textStreamer(l.tk, o.onText), {
      maxNewTokens: o.maxNewTokens ?? 60,
      temperature: o.temperature ?? 0.8,
      topP: o.topP ?? 0.95,
      topK: o.topK,
      eos: l.eos,
    });
    out.push({ prompt, text: await l.tk.decode(tokens, { skipSpecialTokens: true }) });
  }
  return out;
}

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const budget = o.full ? { epochs: 12 } : { epochs: 2, limit: 750, model: "tiny" };
  const r = await train({ data: "sotu", out: o.out, seed: 0, progress: o.progress, log: o.log ?? (() => {}), ...budget });
  const m = await evaluate(o.out, "sotu", { limit: o.full ? undefined : 200 });
  const l = await loadModel(o.out);
  const samples = await continuePrompts(l, ["The state of the Union"], { topic: l.topics.at(-1), maxNewTokens: 40 });
  l.model.dispose();
  const extra = o.full ? "" : " --epochs 2 --limit 750 --model tiny";
  return {
    task: TASK,
    dataset: "State of the Union addresses (topic = president)",
    commands: [`flambeau train ${TASK} --data sotu --out ${o.out}${extra}`, `flambeau eval ${o.out} --data sotu --json`],
    metrics: { perplexity: m.perplexity as number },
    history: r.history.epochs.map((e) => ({ loss: e.loss!, valLoss: e.valLoss })),
    seconds: (performance.now() - t0) / 1000,
    extraHtml: `<h3>A sample (topic: ${escapeHtml(l.topics.at(-1) ?? "none")})</h3><blockquote>${escapeHtml(samples[0]!.prompt)} <b>${escapeHtml(samples[0]!.text)}</b></blockquote>`,
  };
}

export const textGeneration = defineTask({
  name: TASK,
  description: "generate text (a decoder-only Transformer language model, optionally topic-conditioned; perplexity)",
  dataFormat:
    "plain text (paragraphs are documents), CSV/TSV/JSONL with text,label (label = topic), sotu (State of the Union, topic = president) or moby-dick (every tenth chapter held out)",
  models: Object.keys(CAUSAL_LM_SIZES),
  defaultModel: "small",
  options: OPTIONS,
  train,
  evaluate,
  load,
  formatPrediction: (p: Generated) => `${p.prompt}${p.text}`,
  demo,
});
