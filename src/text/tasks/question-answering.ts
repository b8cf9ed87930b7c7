// question-answering, two kinds. Extractive: the answer is a span of the context. A DrQA-style
// BiLSTM span reader trained on cloze questions made from Debian's package descriptions
// (qa/cloze.ts), beside the maximum-frequency and sliding-window baselines; exact match and F1
// as SQuAD v1.1's evaluation script defines them. Retrieval (`--data debian-faq-qa`, or
// `--model retriever`): the answer is one of a pool of FAQ answers, ranked by a bi-encoder +
// BM25 hybrid re-ordered by a kernel-pooling re-ranker (qa/faq-*.ts), beside BM25; MRR@10 and
// recall@1/5/10.
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { chunks, epochBatches } from "../../data/epoch-batches.js";
import { holdOutTenth, permutation, seededSample } from "../../data/random.js";
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
import { loadModelDir, readModelConfig, saveModelDir } from "../../train/model-dir.js";
import { Trainer } from "../../train/trainer.js";
import { maxFrequencyAnswer, slidingWindowAnswer } from "../qa/baselines.js";
import { loadQa, QA_DATA, type QaExample, qaTokens } from "../qa/cloze.js";
import { FAQ_QA_DATA, loadFaqQa } from "../qa/faq-data.js";
import { answerQuestions, evaluateRetriever, loadRetriever, RETRIEVER_ARCHITECTURE } from "../qa/faq-retrieval.js";
import { trainRetriever } from "../qa/faq-train.js";
import { bestSpan, SpanReader, type SpanReaderOptions } from "../qa/span-model.js";
import { squadScores } from "../qa/squad-metrics.js";
import { Bm25Index } from "../retrieval/bm25.js";
import { bm25Tokens } from "../retrieval/collection.js";
import { topK } from "../retrieval/metrics.js";
import { padIds } from "../text-data.js";
import { Vocab, wordTokenize } from "../vocab.js";

export const QUESTION_ANSWERING = "question-answering";
const T = QUESTION_ANSWERING;
const SPECIALS = ["<pad>", "<unk>"];
const MAX_CONTEXT = 200;
const MAX_ANSWER = 10;

const OPTIONS = {
  pretrainEpochs: opt.count(
    "retriever: the bi-encoder's epochs over the synopsis → description pairs it pre-trains on (all 55,637, or a seeded sample of --limit)",
    {
      phases: ["train"],
      default: 2,
    },
  ),
  rerankPairs: opt.count("retriever: synopsis → description queries the re-ranker pre-trains on (one epoch)", {
    phases: ["train"],
    default: 3000,
  }),
  depth: opt.count("retriever: the hybrid's top answers the re-ranker re-orders", { phases: ["train"], default: 20 }),
  top: opt.int("retriever: answers returned per question", { phases: ["predict"], default: 3 }),
};
type Options = OptionValues<typeof OPTIONS>;

/** The retriever trains on FAQ pairs: the built-in set, or a user's file with --model retriever. */
const isRetriever = (o: { data: string; model?: string }) => o.model === "retriever" || (o.model === undefined && o.data === FAQ_QA_DATA);
const savedRetriever = (dir: string) => readModelConfig(dir, T).architecture === RETRIEVER_ARCHITECTURE;

interface Preprocessing {
  vocab: string;
  maxContext: number;
  maxAnswer: number;
}

interface QaBatch {
  c: Tensor;
  m: Tensor;
  q: Tensor;
  s: Tensor;
  e: Tensor;
}

interface Loaded {
  model: SpanReader;
  vocab: Vocab;
}

const lower = (ws: readonly string[]) => ws.map((w) => w.toLowerCase());

function batchOf(vocab: Vocab, xs: readonly QaExample[]): QaBatch {
  const ctx = xs.map((x) => x.context.slice(0, MAX_CONTEXT));
  const L = Math.max(1, ...ctx.map((c) => c.length));
  const match = new Float32Array(xs.length * L);
  ctx.forEach((c, b) => {
    const q = new Set(lower(xs[b]!.question));
    c.forEach((w, t) => {
      if (q.has(w.toLowerCase())) match[b * L + t] = 1;
    });
  });
  // An answer past the context cut is unreachable; it points at the last word kept (rare: contexts hold ≤ 150 words in the built-in set).
  const clip = (i: number, b: number) => BigInt(Math.min(i, ctx[b]!.length - 1));
  return {
    c: padIds(ctx.map((c) => vocab.encode(lower(c)))),
    m: tensor(match, { shape: [xs.length, L] }),
    q: padIds(xs.map((x) => vocab.encode(lower(x.question)))),
    s: tensor(
      BigInt64Array.from(xs, (x, b) => clip(x.start, b)),
      { shape: [xs.length] },
    ),
    e: tensor(
      BigInt64Array.from(xs, (x, b) => clip(x.end, b)),
      { shape: [xs.length] },
    ),
  };
}

/** Batches in a new seeded order each epoch: seed, seed + 1, … */
const shuffled = (vocab: Vocab, xs: readonly QaExample[], size: number, seed: number) =>
  epochBatches(
    (e) => chunks(permutation(xs.length, seed + e), size),
    (idx) =>
      batchOf(
        vocab,
        Array.from(idx, (k) => xs[k]!),
      ),
  );

/** The model's answer span for each example. */
function answerSpans(l: Loaded, xs: readonly QaExample[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < xs.length; i += 64) {
    const part = xs.slice(i, i + 64);
    const {
      s,
      e,
      T: len,
    } = noGrad(() =>
      tidy(() => {
        const b = batchOf(l.vocab, part);
        const { start, end } = l.model.forward(b.c, b.m, b.q);
        return {
          s: start.logSoftmax(1).data() as Float32Array,
          e: end.logSoftmax(1).data() as Float32Array,
          T: start.shape[1]!,
        };
      }),
    ) as { s: Float32Array; e: Float32Array; T: number };
    part.forEach((x, b) => {
      const n = Math.min(x.context.length, MAX_CONTEXT);
      out.push(bestSpan(s.subarray(b * len, (b + 1) * len), e.subarray(b * len, (b + 1) * len), n, MAX_ANSWER));
    });
  }
  return out;
}

const spanText = (x: QaExample, [s, e]: readonly [number, number]) => x.context.slice(s, e + 1).join(" ");

export interface QaReport {
  questions: number;
  model: { exactMatch: number; f1: number };
  slidingWindow: { exactMatch: number; f1: number };
  maxFrequency: { exactMatch: number; f1: number };
}

function score(l: Loaded, xs: readonly QaExample[]): QaReport {
  const truths = xs.map((x) => x.answers);
  const spans = answerSpans(l, xs);
  return {
    questions: xs.length,
    model: squadScores(
      xs.map((x, i) => spanText(x, spans[i]!)),
      truths,
    ),
    slidingWindow: squadScores(
      xs.map((x) => x.context[slidingWindowAnswer(x.question, x.context)] ?? ""),
      truths,
    ),
    maxFrequency: squadScores(
      xs.map((x) => x.context[maxFrequencyAnswer(x.question, x.context)] ?? ""),
      truths,
    ),
  };
}

async function train(o: TrainInput & Options): Promise<TaskTrainResult> {
  if (isRetriever(o)) return trainRetriever(o);
  const { seed, log } = o;
  manualSeed(seed);
  let data = await loadQa(o.data, "train");
  let val = o.val ? await loadQa(o.val, "val") : o.data === QA_DATA ? await loadQa(o.data, "val") : undefined;
  if (!val) ({ train: data, val } = holdOutTenth(data, seed));
  data = seededSample(data, o.limit, seed + 1);
  if (data.length === 0) throw new FlambeauError("E_FORMAT", `${T}: no training questions in ${o.data}`, T);
  val = val.slice(0, 1000);
  const vocab = Vocab.build(
    data.flatMap((x) => [lower(x.question), lower(x.context.slice(0, MAX_CONTEXT))]),
    { minFreq: 2, maxSize: 30000, specials: SPECIALS },
  );
  const hyper: SpanReaderOptions = { vocabSize: vocab.size, embedDim: 64, hidden: 64, dropout: 0.2 };
  const model = new SpanReader(hyper);
  const loaded: Loaded = { model, vocab };
  const batchSize = o.batchSize ?? 32;
  const epochs = o.epochs ?? 5;
  const lr = o.lr ?? 2e-3;
  const batches = shuffled(vocab, data, batchSize, seed);
  log(
    `${T}: ${data.length} training questions, ${val.length} validation; vocabulary ${vocab.size}; BiLSTM span reader, ${plural(epochs, "epoch")} of ${batches.length} batches of ${batchSize}, lr ${lr}`,
  );
  const trainer = new Trainer<QaBatch>({
    name: T,
    model,
    optimizer: new AdamW(model.parameters(), { lr, weightDecay: 0.01 }),
    step: (b) => {
      const { start, end } = model.forward(b.c, b.m, b.q);
      return crossEntropy(start, b.s).add(crossEntropy(end, b.e));
    },
    batchSize: (b) => b.c.shape[0]!,
    gradClipNorm: 5,
    validate: () => {
      const spans = answerSpans(loaded, val);
      return {
        valF1: squadScores(
          val.map((x, i) => spanText(x, spans[i]!)),
          val.map((x) => x.answers),
        ).f1,
      };
    },
    keepBest: { monitor: "valF1", mode: "max" },
    progress: o.progress,
    seed,
  });
  const history = await trainer.fit(batches, { epochs });
  model.eval();
  const metrics = score(loaded, val);
  log(
    `${T}: validation EM/F1 model ${metrics.model.exactMatch.toFixed(1)}/${metrics.model.f1.toFixed(1)}, sliding window ${metrics.slidingWindow.exactMatch.toFixed(1)}/${metrics.slidingWindow.f1.toFixed(1)}, max frequency ${metrics.maxFrequency.exactMatch.toFixed(1)}/${metrics.maxFrequency.f1.toFixed(1)}`,
  );
  const pre: Preprocessing = { vocab: "vocab.json", maxContext: MAX_CONTEXT, maxAnswer: MAX_ANSWER };
  await saveModelDir<SpanReaderOptions, Preprocessing>(
    o.out,
    {
      task: T,
      architecture: "bilstm-span-reader",
      hyper,
      preprocessing: pre,
      metrics: { trainQuestions: data.length, epochs, bestEpoch: history.bestEpoch, seed, validation: metrics },
    },
    model.stateDict(),
  );
  await vocab.save(join(o.out, "vocab.json"));
  return { dir: o.out, metrics: metrics as unknown as Record<string, unknown>, history };
}

async function loadModel(dir: string): Promise<Loaded> {
  const { config, weights } = await loadModelDir<SpanReaderOptions, Preprocessing>(dir, T);
  const model = new SpanReader(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  return { model, vocab: Vocab.load(join(dir, config.preprocessing!.vocab)) };
}

async function evaluate(dir: string, data: string, o: EvalArgs = {}): Promise<Record<string, unknown>> {
  if (savedRetriever(dir)) return (await evaluateRetriever(dir, data, o.limit)) as unknown as Record<string, unknown>;
  const l = await loadModel(dir);
  try {
    const xs = await loadQa(data, "test");
    return score(l, o.limit !== undefined ? xs.slice(0, o.limit) : xs) as unknown as Record<string, unknown>;
  } finally {
    l.model.dispose();
  }
}

export interface QaPrediction {
  question: string;
  answer: string;
  /** Word offsets of the answer in the context (inclusive; extractive models). */
  start?: number;
  end?: number;
  /** Retrieval models: the pool's best answers, best first (the re-ranker's logit as the score). */
  ranked?: { rank: number; score: number; answer: string }[];
}

/** "question ||| context" (or a tab between them) → the example predict reads. */
function parseInput(input: string, i: number): QaExample {
  const parts = typeof input === "string" ? input.split(/\s*\|\|\|\s*|\t/) : [];
  if (parts.length !== 2 || !parts[0]!.trim() || !parts[1]!.trim())
    throw new FlambeauError("E_ARG", `${T}: input ${i + 1} must be "question ||| context" (or question<TAB>context)`, T);
  return { question: qaTokens(parts[0]!), context: wordTokenize(parts[1]!), start: 0, end: 0, answers: [] };
}

/** The retriever answers from the built-in FAQ pool: every answer of debian-faq-qa. */
async function loadRetrieverPredictor(dir: string): Promise<Predictor<QaPrediction, Options>> {
  const l = await loadRetriever(dir);
  const pool = (await loadFaqQa(FAQ_QA_DATA, "test")).answers;
  return {
    task: T,
    predict: async (inputs, o = {}) => {
      inputs.forEach((t, i) => {
        if (typeof t !== "string" || !t.trim()) throw new FlambeauError("E_ARG", `${T}: question ${i + 1} is empty`, T);
      });
      const ranked = answerQuestions(l, pool, inputs, Math.max(1, o.top ?? 3));
      return inputs.map((question, i) => ({ question, answer: ranked[i]![0]!.answer, ranked: ranked[i]! }));
    },
    dispose: () => l.model.dispose(),
  };
}

async function load(dir: string): Promise<Predictor<QaPrediction, Options>> {
  if (savedRetriever(dir)) return loadRetrieverPredictor(dir);
  const l = await loadModel(dir);
  return {
    task: T,
    predict: async (inputs) => {
      const xs = inputs.map(parseInput);
      const spans = answerSpans(l, xs);
      return xs.map((x, i) => ({ question: x.question.join(" "), answer: spanText(x, spans[i]!), start: spans[i]![0], end: spans[i]![1] }));
    },
    dispose: () => l.model.dispose(),
  };
}

/** A context cut to a window around the true and the predicted spans: the truth underlined, the model's answer marked. */
function spanHtml(x: QaExample, [s, e]: readonly [number, number]): string {
  const from = Math.max(0, Math.min(s, x.start) - 12);
  const to = Math.min(x.context.length, Math.max(e, x.end) + 13);
  const words = x.context.slice(from, to).map((w, k) => {
    const i = from + k;
    let h = escapeHtml(w);
    if (i >= x.start && i <= x.end) h = `<u>${h}</u>`;
    if (i >= s && i <= e) h = `<mark>${h}</mark>`;
    return h;
  });
  return `${from > 0 ? "… " : ""}${words.join(" ")}${to < x.context.length ? " …" : ""}`;
}

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const budget = o.full ? { epochs: 1, limit: 4000 } : { epochs: 1, limit: 1000 };
  const evalLimit = o.full ? undefined : 600;
  const r = await train({ data: QA_DATA, out: o.out, seed: 0, progress: o.progress, log: o.log ?? (() => {}), ...budget });
  // One model load and one read of the test questions serve the scores and the examples shown.
  const l = await loadModel(o.out);
  const test = await loadQa(QA_DATA, "test");
  const m = score(l, evalLimit !== undefined ? test.slice(0, evalLimit) : test);
  const shown = test.filter((x) => x.context.length <= 80).slice(0, 6);
  const spans = answerSpans(l, shown);
  l.model.dispose();
  const rows = shown
    .map((x, i) => {
      const right = spanText(x, spans[i]!).toLowerCase() === x.answers[0]!.toLowerCase();
      return `<tr><td style="color:${right ? "#1a7f37" : "#cf222e"}">${escapeHtml(spanText(x, spans[i]!))}</td><td>${escapeHtml(x.answers[0]!)}</td><td>${escapeHtml(x.question.join(" "))}</td><td>${spanHtml(x, spans[i]!)}</td></tr>`;
    })
    .join("");
  const flags = `--epochs ${budget.epochs} --limit ${budget.limit}`;
  const faq = await faqDemo(o);
  return {
    task: T,
    dataset: `cloze questions from Debian package descriptions (${QA_DATA}), held-out packages; FAQ retrieval (${FAQ_QA_DATA}), held-out questions`,
    commands: [
      `flambeau train ${T} --data ${QA_DATA} ${flags} --out ${o.out}`,
      `flambeau eval ${o.out} --data ${QA_DATA}${evalLimit ? ` --limit ${evalLimit}` : ""} --json`,
      ...faq.commands,
    ],
    metrics: {
      exactMatch: m.model.exactMatch,
      f1: m.model.f1,
      slidingWindowExactMatch: m.slidingWindow.exactMatch,
      maxFrequencyExactMatch: m.maxFrequency.exactMatch,
      ...faq.metrics,
    },
    history: r.history.epochs.map((e) => ({ loss: e.loss! })),
    seconds: (performance.now() - t0) / 1000,
    extraHtml: `<p>The model's answer is <mark>marked</mark>, the reference <u>underlined</u>.</p><table class="text-preds"><tr><th>answer</th><th>reference</th><th>question</th><th>context (around the spans)</th></tr>${rows}</table>${faq.html}`,
  };
}

/** Retrieval QA's part of the demo: a tiny budget (about 10 s idle) or the README's recipe with `--full`. */
async function faqDemo(o: DemoOptions): Promise<{ commands: string[]; metrics: Record<string, number>; html: string }> {
  const out = `${o.out}-faq`;
  const budget = o.full ? {} : { limit: 1000, epochs: 2, pretrainEpochs: 1, rerankPairs: 128 };
  await train({ data: FAQ_QA_DATA, out, seed: 0, progress: o.progress, log: o.log ?? (() => {}), ...budget });
  const m = await evaluateRetriever(out, FAQ_QA_DATA);
  const c = await loadFaqQa(FAQ_QA_DATA, "test");
  const shown = c.questions.slice(0, 5);
  const l = await loadRetriever(out);
  const ours = answerQuestions(l, c.answers, shown, 1);
  l.model.dispose();
  const index = new Bm25Index(c.answers.map(bm25Tokens));
  const cell = (a: number, truth: number) => {
    const t = c.answers[a]!;
    return `<td style="color:${a === truth ? "#1a7f37" : "#cf222e"}">${escapeHtml(t.length > 90 ? `${t.slice(0, 87)}...` : t)}</td>`;
  };
  const rows = shown
    .map((q, i) => {
      const truth = c.positive[i]!;
      const bm25 = topK(index.scores(bm25Tokens(q)), 1)[0]!;
      return `<tr><td>${escapeHtml(q)}</td>${cell(c.answers.indexOf(ours[i]![0]!.answer), truth)}${cell(bm25, truth)}</tr>`;
    })
    .join("");
  const flags = Object.entries(budget)
    .map(([k, v]) => ` --${k.replace(/[A-Z]/g, (x) => `-${x.toLowerCase()}`)} ${v}`)
    .join("");
  const f = (r: { mrr10: number }) => r.mrr10.toFixed(3);
  return {
    commands: [`flambeau train ${T} --data ${FAQ_QA_DATA}${flags} --out ${out}`, `flambeau eval ${out} --data ${FAQ_QA_DATA} --json`],
    metrics: {
      faqRerankedMrr10: m.reranked.mrr10,
      faqRerankedRecall1: m.reranked.recall1,
      faqHybridMrr10: m.hybrid.mrr10,
      faqDenseMrr10: m.dense.mrr10,
      faqBm25Mrr10: m.bm25.mrr10,
    },
    html: `<p>Retrieval QA over the FAQs (${FAQ_QA_DATA}: ${m.questions} held-out questions, ${m.answers} answers): MRR@10 re-ranked ${f(m.reranked)}, hybrid ${f(m.hybrid)}, dense ${f(m.dense)}, BM25 ${f(m.bm25)}${o.full ? "" : " (a tiny budget; the README's figures use the defaults)"}. Each method's top answer, green where it is the right one:</p><table class="text-preds"><tr><th>question</th><th>re-ranked</th><th>BM25</th></tr>${rows}</table>`,
  };
}

export const questionAnswering = defineTask({
  name: T,
  description:
    "extractive question answering: a BiLSTM span reader (DrQA-style) beside sliding-window and max-frequency baselines, exact match and F1 as SQuAD v1.1 defines them; retrieval QA over FAQs: a pre-trained bi-encoder + BM25 hybrid re-ranked by a kernel-pooling interaction model, beside BM25, MRR@10 and recall@1/5",
  dataFormat: `${QA_DATA} (cloze questions from Debian synopses answered from long descriptions, split by package), or .jsonl with question,context,answer; predict: "question ||| context". ${FAQ_QA_DATA} (retrieval: the Debian FAQ and /usr/share/doc FAQs, split by answer), or --model retriever with a question,answer file; predict: a question`,
  models: ["bilstm", "retriever"],
  defaultModel: "bilstm",
  options: OPTIONS,
  baseline: "sliding-window word overlap (Richardson et al. 2013, as in the SQuAD paper)",
  train,
  evaluate,
  load,
  formatPrediction: (p: QaPrediction) =>
    p.ranked
      ? p.ranked.map((r) => `${r.rank}. ${r.answer.length > 100 ? `${r.answer.slice(0, 97)}...` : r.answer}`).join("\n")
      : `${p.answer} (words ${p.start}–${p.end})`,
  demo,
});
