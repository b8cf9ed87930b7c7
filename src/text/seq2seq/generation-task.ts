// text-generation: a decoder-only Transformer language model on plain text, optionally
// conditioned on a topic (a label token before each document: a president for the State of
// the Union addresses, a category for a user's labelled CSV); held-out perplexity; `predict`
// continues a prompt, streaming tokens as they are sampled.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, tidy } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { permutation } from "../../data/random.js";
import { writeTextAtomic } from "../../io/index.js";
import { AdamW, clipGradNorm_ } from "../../optim/index.js";
import { escapeHtml } from "../../tasks/html.js";
import type {
  DemoOptions,
  DemoSection,
  DemoTask,
  TaskEvalOptions,
  TaskPredictOptions,
  TaskTrainOptions,
  TaskTrainResult,
} from "../../tasks/legacy.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import type { History } from "../../train/trainer.js";
import { sotu } from "../datasets/corpora.js";
import { mobyDick } from "../datasets/moby-dick.js";
import { indexLabels, readTextRecords } from "../readers.js";
import { SubwordTokenizer } from "../tokenizers/subword.js";
import { CausalLM, type CausalLMOptions, streamTokens } from "./language-model.js";
import { tokenTensor } from "./transformer.js";

const TASK = "text-generation";
const CONTEXT = 128;

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

/** Mean next-token cross-entropy over the text tokens of `rows` (topic and <s> are given, not predicted). */
function meanLoss(model: CausalLM, rows: number[][], pad: number): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < rows.length; i += 32) {
    const b = rows.slice(i, i + 32);
    noGrad(() =>
      tidy(() => {
        const x = tokenTensor(b, pad);
        const t = x.shape[1]!;
        const logits = model.forward(x.narrow(1, 0, t - 1));
        const y = x.narrow(1, 1, t - 1);
        const count = Number(y.ne(pad).sum().item());
        sum += Number(crossEntropy(logits.reshape([-1, logits.shape[2]!]), y.reshape([-1]), { ignoreIndex: pad, reduction: "sum" }).item());
        n += count;
      }),
    );
  }
  return sum / Math.max(1, n);
}

async function train(o: TaskTrainOptions): Promise<TaskTrainResult> {
  const seed = o.seed ?? 0;
  manualSeed(seed);
  const log = o.log ?? (() => {});
  const docs = await loadDocuments(o.data, "train");
  if (o.limit !== undefined) {
    docs.texts = docs.texts.slice(0, o.limit);
    docs.topics = docs.topics.slice(0, o.limit);
  }
  if (!docs.texts.length) throw new FlambeauError("E_FORMAT", `${TASK}: no training text in ${o.data}`);
  const t0 = performance.now();
  const topics = [...new Set(docs.topics.filter((t): t is string => t !== undefined))].sort();
  const tk = SubwordTokenizer.train("bpe", docs.texts, { vocabSize: Math.min(8000, Math.max(400, Math.round(docs.texts.length * 2))) });
  tk.addSpecialTokens(topics.map(topicToken));
  const base = { tk, bos: idOf(tk, "<s>"), eos: idOf(tk, "</s>"), pad: idOf(tk, "<pad>"), topics };
  const rows = await encodeDocuments(base, docs);
  // 5% of the rows, chosen by a fixed stride, watch for overfitting.
  const val = rows.filter((_, i) => i % 20 === 7);
  const trainRows = rows.filter((_, i) => i % 20 !== 7);
  const size = o.model ?? "small";
  const sizes: Record<string, Partial<CausalLMOptions>> = {
    tiny: { dModel: 128, nhead: 4, layers: 2, dimFeedforward: 512 },
    small: { dModel: 256, nhead: 4, layers: 4, dimFeedforward: 1024 },
  };
  if (!sizes[size]) throw new FlambeauError("E_ARG", `${TASK}: unknown model "${size}"; models: ${Object.keys(sizes).join(", ")}`);
  const hyper: CausalLMOptions = { vocabSize: tk.vocabSize, padId: base.pad, maxLength: 512, ...sizes[size] };
  const model = new CausalLM(hyper);
  const epochs = o.epochs ?? 8;
  const bs = o.batchSize ?? 32;
  const peak = o.lr ?? 1e-3;
  const opt = new AdamW(model.parameters(), { lr: peak, betas: [0.9, 0.98], weightDecay: 0.01 });
  const steps = Math.ceil(trainRows.length / bs);
  const warmup = Math.max(50, Math.round(steps * epochs * 0.05));
  log(
    `${TASK}: ${docs.texts.length} documents → ${trainRows.length} windows of ≤ ${CONTEXT} tokens; vocabulary ${tk.vocabSize}; ${topics.length} topics; ${size}, ${epochs} epochs`,
  );
  const history: History = { epochs: [], seconds: 0, samplesPerSecond: 0 };
  let step = 0;
  for (let e = 0; e < epochs; e++) {
    model.train();
    const order = permutation(trainRows.length, seed, e); // seeded, so a run is reproducible
    o.progress?.start(`epoch ${e + 1}/${epochs}`, steps);
    let sum = 0;
    for (let b = 0; b < steps; b++) {
      step++;
      for (const g of opt.paramGroups) g.lr = peak * Math.min(step / warmup, Math.sqrt(warmup / step));
      const batch = Array.from(order.subarray(b * bs, (b + 1) * bs), (i) => trainRows[i]!);
      sum += tidy(() => {
        const x = tokenTensor(batch, base.pad);
        const t = x.shape[1]!;
        const logits = model.forward(x.narrow(1, 0, t - 1));
        const loss = crossEntropy(logits.reshape([-1, logits.shape[2]!]), x.narrow(1, 1, t - 1).reshape([-1]), { ignoreIndex: base.pad });
        opt.zeroGrad();
        loss.backward();
        clipGradNorm_(model.parameters(), 1);
        opt.step();
        return Number(loss.item());
      });
      o.progress?.update(b + 1, { loss: sum / (b + 1) });
    }
    model.eval();
    const valLoss = meanLoss(model, val, base.pad);
    history.epochs.push({ epoch: e + 1, loss: sum / steps, valLoss, valPerplexity: Math.exp(valLoss) });
    o.progress?.end(`epoch ${e + 1}: loss ${(sum / steps).toFixed(3)}, val perplexity ${Math.exp(valLoss).toFixed(1)}`);
  }
  history.seconds = (performance.now() - t0) / 1000;
  await saveModelDir(
    o.out,
    {
      task: TASK,
      architecture: `causal-lm-${size}`,
      hyper: hyper as unknown as Record<string, unknown>,
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
  const { config, weights } = await loadModelDir(dir, TASK);
  const tk = SubwordTokenizer.fromJson(readFileSync(join(dir, "tokenizer.json"), "utf8"), join(dir, "tokenizer.json"));
  const model = new CausalLM(config.hyper as unknown as CausalLMOptions);
  model.loadStateDict(weights);
  model.eval();
  return { model, tk, bos: idOf(tk, "<s>"), eos: idOf(tk, "</s>"), pad: idOf(tk, "<pad>"), topics: config.labels ?? [] };
}

async function evaluate(dir: string, data: string, o: TaskEvalOptions = {}): Promise<Record<string, unknown>> {
  const l = await loadModel(dir);
  const docs = await loadDocuments(data, "test");
  // Topics the model never saw are dropped rather than guessed.
  docs.topics = docs.topics.map((t) => (t !== undefined && l.topics.includes(t) ? t : undefined));
  let rows = await encodeDocuments(l, docs);
  if (o.limit !== undefined) rows = rows.slice(0, o.limit);
  if (!rows.length) throw new FlambeauError("E_FORMAT", `${TASK}: no held-out text in ${data}`);
  const loss = meanLoss(l.model, rows, l.pad);
  return { examples: rows.length, loss, perplexity: Math.exp(loss) };
}

export interface GenerationPredictOptions extends TaskPredictOptions {
  topic?: string;
  maxNewTokens?: number;
  temperature?: number;
  topP?: number;
  /** Receives the text as it is produced (the CLI prints it). */
  onText?: (text: string) => void;
}

async function predict(
  dir: string,
  prompts: readonly string[],
  o: GenerationPredictOptions = {},
): Promise<{ prompt: string; text: string }[]> {
  const l = await loadModel(dir);
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
    let shown = "";
    const produced: number[] = [];
    const tokens = await streamTokens(
      l.model,
      [...head, ...ids],
      async (id) => {
        produced.push(id);
        if (!o.onText) return;
        // Decode the whole continuation and print what is new: byte-level tokens may end mid-character.
        const t = await l.tk.decode(produced, { skipSpecialTokens: true });
        if (t.length > shown.length && t.startsWith(shown) && !t.endsWith("\uFFFD")) {
          o.onText(t.slice(shown.length));
          shown = t;
        }
      },
      { maxNewTokens: o.maxNewTokens ?? 60, temperature: o.temperature ?? 0.8, topP: o.topP ?? 0.95, topK: o.topK, eos: l.eos },
    );
    out.push({ prompt, text: await l.tk.decode(tokens, { skipSpecialTokens: true }) });
  }
  return out;
}

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const budget = o.full ? { epochs: 12 } : { epochs: 2, limit: 1500, model: "tiny" };
  const r = await train({ data: "sotu", out: o.out, seed: 0, progress: o.progress, log: o.log, ...budget });
  const m = await evaluate(o.out, "sotu", { limit: o.full ? undefined : 200 });
  const l = await loadModel(o.out);
  const samples = await predict(o.out, ["The state of the Union"], { topic: l.topics.at(-1), maxNewTokens: 40 });
  const extra = o.full ? "" : " --epochs 2 --limit 1500 --model tiny";
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

export const textGeneration: DemoTask = Object.freeze({
  name: TASK,
  description: "generate text (a decoder-only Transformer language model, optionally topic-conditioned; perplexity)",
  dataFormat:
    "plain text (paragraphs are documents), CSV/TSV/JSONL with text,label (label = topic), sotu (State of the Union, topic = president) or moby-dick (every tenth chapter held out)",
  models: ["tiny", "small"],
  defaultModel: "small",
  train,
  evaluate,
  predict: predict as DemoTask["predict"],
  formatPrediction: (p: unknown) => {
    const q = p as { prompt: string; text: string };
    return `${q.prompt}${q.text}`;
  },
  demo,
});
