// topic-modeling: ProdLDA, a neural topic model (topics/prodlda.ts), trained on bags of words
// with the Trainer, beside classic LDA by collapsed Gibbs sampling on the same documents and
// vocabulary. Both are scored by NPMI coherence of each topic's top 10 words over a held-out
// reference corpus (boolean document co-occurrence), by topic diversity and by held-out
// perplexity (document completion). On dated documents (SOTU) ProdLDA's mean topic proportions
// per decade are saved for the topics-over-time chart.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { chunks, epochBatches } from "../../data/epoch-batches.js";
import { holdOutTenth, permutation } from "../../data/random.js";
import { writeTextAtomic } from "../../io/index.js";
import { Adam } from "../../optim/index.js";
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
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { evaluator, Trainer } from "../../train/trainer.js";
import { toIds, topicTokens, topicVocabulary } from "../topics/bow.js";
import { loadTopicSet, type TopicDocuments } from "../topics/corpora.js";
import { ldaGibbs } from "../topics/lda-gibbs.js";
import { CooccurrenceCounts, npmiCoherence, topicDiversity } from "../topics/npmi.js";
import { type TopicsOverTime, topicsOverTime, topicsOverTimeSvg } from "../topics/over-time.js";
import { completionPerplexity, completionSplit, ldaFoldIn, mixtureLogProbs } from "../topics/perplexity.js";
import { ProdLda, type ProdLdaOptions } from "../topics/prodlda.js";
import { readUnlabelledTexts } from "../unlabelled.js";

export const TOPIC_MODELING = "topic-modeling";
const T = TOPIC_MODELING;

const OPTIONS = {
  topics: opt.int("number of topics", { phases: ["train"], default: 20 }),
  ldaIterations: opt.int("Gibbs sweeps of the LDA baseline", { phases: ["train"], default: 200 }),
  // 1,000 rather than 2,000 words: on the package descriptions' unused DDTP "val" side, NPMI
  // ProdLDA 0.153 / LDA 0.103 at 1,000 words against 0.122 / 0.132 at 2,000.
  vocabSize: opt.int("vocabulary size (the most document-frequent words in ≥ 5 and ≤ half of the documents)", {
    phases: ["train"],
    default: 1000,
  }),
};
type Options = OptionValues<typeof OPTIONS>;

interface Preprocessing {
  vocab: string;
  topics: string;
}

/** The LDA baseline's topics φ [K][V] and α, for held-out perplexity at evaluation. */
interface LdaFile {
  alpha: number;
  phi: number[][];
}

interface TopicsFile {
  vocab: string[];
  prodlda: string[][];
  lda: string[][];
}

/** Bag-of-words counts [B, V] of word-id documents. */
function bowTensor(docs: readonly (readonly number[])[], V: number): Tensor {
  const x = new Float32Array(docs.length * V);
  docs.forEach((d, b) => {
    for (const w of d) x[b * V + w]! += 1;
  });
  return tensor(x, { shape: [docs.length, V] });
}

const topWords = (weights: readonly ArrayLike<number>[], vocab: readonly string[], n = 25): string[][] =>
  weights.map((row) =>
    Array.from({ length: row.length }, (_, i) => i)
      .sort((a, b) => row[b]! - row[a]! || a - b)
      .slice(0, n)
      .map((i) => vocab[i]!),
  );

export interface ModelScores {
  npmi: number;
  diversity: number;
  /** Held-out perplexity by document completion (topics/perplexity.ts). */
  perplexity?: number;
}

export interface TopicReport {
  referenceDocuments: number;
  prodlda: ModelScores;
  lda: ModelScores;
}

function scoreTopics(t: TopicsFile, reference: readonly string[]): TopicReport {
  const c = new CooccurrenceCounts(reference.map((d) => [...new Set(topicTokens(d))]));
  const s = (topics: string[][]) => ({ npmi: npmiCoherence(topics, c, 10).mean, diversity: topicDiversity(topics, 25) });
  return { referenceDocuments: reference.length, prodlda: s(t.prodlda), lda: s(t.lda) };
}

/** A built-in topic set (topics/corpora.ts) or unlabelled texts (a built-in text set or files). */
async function readDocuments(data: string, split: "train" | "test"): Promise<TopicDocuments> {
  return (await loadTopicSet(data, split)) ?? { texts: await readUnlabelledTexts(data, split) };
}

/** ProdLDA's θ [D, K] of word-id documents, in batches (eval mode). */
function prodldaTheta(model: ProdLda, docs: readonly (readonly number[])[], V: number): Float32Array {
  const K = model.o.topics;
  const out = new Float32Array(docs.length * K);
  noGrad(() => {
    for (let i = 0; i < docs.length; i += 256)
      out.set(
        tidy(() => model.theta(bowTensor(docs.slice(i, i + 256), V)).data() as Float32Array),
        i * K,
      );
  });
  return out;
}

/** Both models' held-out perplexity by document completion on the same halves. */
function perplexities(model: ProdLda, phi: Float64Array[], docs: readonly (readonly number[])[], V: number, alpha: number, seed = 0) {
  const { observed, evaluated } = completionSplit(docs.filter((d) => d.length >= 2));
  const K = model.o.topics;
  const theta = prodldaTheta(model, observed, V);
  const logp = new Float32Array(observed.length * V);
  noGrad(() => {
    for (let i = 0; i < observed.length; i += 256) {
      const n = Math.min(256, observed.length - i);
      logp.set(
        tidy(() => model.decode(tensor(theta.slice(i * K, (i + n) * K), { shape: [n, K] })).data() as Float32Array),
        i * V,
      );
    }
  });
  const ldaTheta = ldaFoldIn(observed, phi, { alpha, iterations: 50, seed });
  return {
    prodlda: completionPerplexity(logp, V, evaluated),
    lda: completionPerplexity(mixtureLogProbs(ldaTheta, phi), V, evaluated),
  };
}

async function train(o: TrainInput & Options): Promise<TaskTrainResult> {
  const { seed, log } = o;
  manualSeed(seed);
  let docs = await readDocuments(o.data, "train");
  if (o.limit !== undefined && o.limit < docs.texts.length) {
    const keep = Array.from(permutation(docs.texts.length, seed + 1).subarray(0, o.limit)).sort((a, b) => a - b);
    const all = docs;
    docs = { texts: keep.map((i) => all.texts[i]!), ...(all.years ? { years: keep.map((i) => all.years![i]!) } : {}) };
  }
  const tokens = docs.texts.map(topicTokens);
  const vocab = topicVocabulary(tokens, { maxSize: o.vocabSize ?? 1000, minDf: 5, maxDf: 0.5 });
  const V = vocab.length;
  const allIds = toIds(tokens, vocab);
  const ids = allIds.filter((d) => d.length >= 2);
  if (ids.length < 10)
    throw new FlambeauError("E_FORMAT", `${T}: ${o.data} has ${ids.length} documents with ≥ 2 vocabulary words; need ≥ 10`, T);
  const { train: trainDocs, val: valDocs } = holdOutTenth(ids, seed);
  const K = o.topics ?? 20;
  const hyper: ProdLdaOptions = { vocabSize: V, topics: K, hidden: 100, dropout: 0.2 };
  const model = new ProdLda(hyper);
  const batchSize = o.batchSize ?? 64;
  // The schedule is sized in steps: topics form slowly (on fortunes' 150 batches an epoch, NPMI
  // −0.41 after 30 epochs, −0.35 after 100, −0.31 after 300), so about 40,000 updates, 30 to 300 epochs.
  const perEpoch = Math.max(1, Math.floor(trainDocs.length / batchSize));
  const epochs = o.epochs ?? Math.min(300, Math.max(30, Math.round(40_000 / perEpoch)));
  const lr = o.lr ?? 2e-3;
  const batches = epochBatches(
    (e) => {
      const parts = chunks(permutation(trainDocs.length, seed + 1000 + e), batchSize);
      // A batch of one would break batch normalisation; it waits for the next epoch's shuffle.
      if (parts.at(-1)?.length === 1) parts.pop();
      return parts;
    },
    (idx) =>
      bowTensor(
        Array.from(idx, (k) => trainDocs[k]!),
        V,
      ),
  );

  log(
    `${T}: ${trainDocs.length} training documents, ${valDocs.length} validation; vocabulary ${V}; ProdLDA with ${K} topics, ${plural(epochs, "epoch")} of ${batches.length} batches of ${batchSize}, lr ${lr}`,
  );
  const valBatches = () => {
    const out: Tensor[] = [];
    for (let i = 0; i < valDocs.length; i += 256) out.push(bowTensor(valDocs.slice(i, i + 256), V));
    return out;
  };
  const validation = evaluator<Tensor>({ model, step: (b) => model.forward(b) });
  const trainer = new Trainer<Tensor>({
    name: T,
    model,
    optimizer: new Adam(model.parameters(), { lr, betas: [0.99, 0.999] }),
    step: (b) => model.forward(b),
    batchSize: (b) => b.shape[0]!,
    // The validation ELBO is logged but not used to pick the weights: it is best after the first
    // epoch or two, before topics form (held-out likelihood and coherence disagree, Chang et al.
    // 2009); keeping that epoch gave NPMI −0.69 against −0.35 for the last of 100 on fortunes.
    validate: async () => ({ valLoss: (await validation.evaluate(valBatches())).loss as number }),
    progress: o.progress,
    seed,
  });
  const t0 = Date.now();
  const history = await trainer.fit(batches, { epochs });
  const prodldaSeconds = (Date.now() - t0) / 1000;
  model.eval();
  const ldaIterations = o.ldaIterations ?? 200;
  const alpha = 50 / K;
  const t1 = Date.now();
  const lda = ldaGibbs(ids, V, { topics: K, iterations: ldaIterations, alpha, beta: 0.01, seed });
  const ldaSeconds = (Date.now() - t1) / 1000;
  log(
    `${T}: ProdLDA in ${prodldaSeconds.toFixed(1)} s; LDA baseline (collapsed Gibbs, ${ldaIterations} sweeps) in ${ldaSeconds.toFixed(1)} s`,
  );
  const topics: TopicsFile = { vocab, prodlda: topWords(model.topicLogits(), vocab), lda: topWords(lda, vocab) };
  // The reference corpus: the built-in set's held-out split, or the training texts for a user's file.
  const reference = await readDocuments(o.data, "test");
  const metrics = scoreTopics(topics, reference.texts);
  const refIds = toIds(reference.texts.map(topicTokens), vocab);
  const ppl = perplexities(model, lda, refIds, V, alpha, 0);
  metrics.prodlda.perplexity = ppl.prodlda;
  metrics.lda.perplexity = ppl.lda;
  log(
    `${T}: NPMI (top 10, ${metrics.referenceDocuments} reference documents) ProdLDA ${metrics.prodlda.npmi.toFixed(3)}, LDA ${metrics.lda.npmi.toFixed(3)}; diversity ${metrics.prodlda.diversity.toFixed(2)} / ${metrics.lda.diversity.toFixed(2)}; held-out perplexity ${ppl.prodlda.toFixed(0)} / ${ppl.lda.toFixed(0)}`,
  );
  const pre: Preprocessing = { vocab: "topics.json", topics: "topics.json" };
  await saveModelDir<ProdLdaOptions, Preprocessing>(
    o.out,
    {
      task: T,
      architecture: "prodlda",
      hyper,
      preprocessing: pre,
      metrics: {
        trainDocuments: trainDocs.length,
        epochs,
        bestEpoch: history.bestEpoch,
        seed,
        prodldaSeconds,
        ldaSeconds,
        reference: metrics,
      },
    },
    model.stateDict(),
  );
  await writeTextAtomic(T, join(o.out, "topics.json"), `${JSON.stringify(topics)}\n`);
  const ldaFile: LdaFile = { alpha, phi: lda.map((r) => Array.from(r, (v) => Number(v.toPrecision(6)))) };
  await writeTextAtomic(T, join(o.out, "lda.json"), `${JSON.stringify(ldaFile)}\n`);
  // Dated documents (SOTU): ProdLDA's mean θ per decade over both splits, for the chart.
  if (docs.years && reference.years) {
    const dated = [
      ...allIds.map((d, i) => [d, docs.years![i]!] as const),
      ...refIds.map((d, i) => [d, reference.years![i]!] as const),
    ].filter(([d]) => d.length > 0);
    const over = topicsOverTime(
      prodldaTheta(
        model,
        dated.map(([d]) => d),
        V,
      ),
      K,
      dated.map(([, y]) => y),
    );
    await writeTextAtomic(T, join(o.out, "over-time.json"), `${JSON.stringify(over)}\n`);
  }
  return { dir: o.out, metrics: { ...metrics, prodldaTopics: topics.prodlda.map((t) => t.slice(0, 10).join(" ")) }, history };
}

async function loadModel(dir: string): Promise<{ model: ProdLda; topics: TopicsFile }> {
  const { config, weights } = await loadModelDir<ProdLdaOptions, Preprocessing>(dir, T);
  const model = new ProdLda(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  const topics = JSON.parse(readFileSync(join(dir, config.preprocessing!.topics), "utf8")) as TopicsFile;
  return { model, topics };
}

async function evaluate(dir: string, data: string, o: EvalArgs = {}): Promise<Record<string, unknown>> {
  const { model, topics } = await loadModel(dir);
  let reference = (await readDocuments(data, "test")).texts;
  if (o.limit !== undefined) reference = reference.slice(0, o.limit);
  const scores = scoreTopics(topics, reference);
  const lda = JSON.parse(readFileSync(join(dir, "lda.json"), "utf8")) as LdaFile;
  const phi = lda.phi.map((r) => Float64Array.from(r));
  const ppl = perplexities(model, phi, toIds(reference.map(topicTokens), topics.vocab), topics.vocab.length, lda.alpha, 0);
  model.dispose();
  scores.prodlda.perplexity = ppl.prodlda;
  scores.lda.perplexity = ppl.lda;
  return {
    ...scores,
    prodldaTopics: topics.prodlda.map((t) => t.slice(0, 10).join(" ")),
    ldaTopics: topics.lda.map((t) => t.slice(0, 10).join(" ")),
  };
}

export interface TopicPrediction {
  /** The three most probable topics: index, proportion and top words. */
  topics: { topic: number; proportion: number; words: string[] }[];
}

async function load(dir: string): Promise<Predictor<TopicPrediction>> {
  const { model, topics } = await loadModel(dir);
  const V = topics.vocab.length;
  return {
    task: T,
    predict: async (inputs) => {
      const ids = toIds(inputs.map(topicTokens), topics.vocab);
      ids.forEach((d, i) => {
        if (d.length === 0) throw new FlambeauError("E_ARG", `${T}: input ${i + 1} has no word of the model's vocabulary`, T);
      });
      const theta = noGrad(() => tidy(() => model.encode(bowTensor(ids, V)).mu.softmax(1).data() as Float32Array)) as Float32Array;
      const K = model.o.topics;
      return ids.map((_, b) => ({
        topics: Array.from({ length: K }, (_, k) => k)
          .sort((x, y) => theta[b * K + y]! - theta[b * K + x]!)
          .slice(0, 3)
          .map((k) => ({ topic: k, proportion: theta[b * K + k]!, words: topics.prodlda[k]!.slice(0, 6) })),
      }));
    },
    dispose: () => model.dispose(),
  };
}

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  // State of the Union passages, for the topics-over-time chart. --full: the default recipe, as
  // the README's row; the quick run 30 epochs and 40 Gibbs sweeps (about fortunes' old quick time).
  const budget: { epochs?: number; ldaIterations?: number } = o.full ? {} : { epochs: 30, ldaIterations: 40 };
  const r = await train({ data: "sotu", out: o.out, seed: 0, progress: o.progress, log: o.log ?? (() => {}), topics: 20, ...budget });
  const m = r.metrics as unknown as TopicReport;
  const { model, topics } = await loadModel(o.out);
  model.dispose();
  const over = JSON.parse(readFileSync(join(o.out, "over-time.json"), "utf8")) as TopicsOverTime;
  const chart = topicsOverTimeSvg(
    over,
    topics.prodlda.map((t) => t.slice(0, 4).join(" ")),
    { title: "ProdLDA topics over time: mean proportion per decade, State of the Union 1790–2021" },
  );
  const rows = topics.prodlda
    .slice(0, 8)
    .map(
      (t, k) =>
        `<tr><td>${k}</td><td>${escapeHtml(t.slice(0, 8).join(" "))}</td><td>${escapeHtml(topics.lda[k]!.slice(0, 8).join(" "))}</td></tr>`,
    )
    .join("");
  return {
    task: T,
    dataset: `State of the Union addresses in ~150-word passages (years ending in 5 held out); NPMI over ${m.referenceDocuments} held-out passages`,
    commands: [
      `flambeau train ${T} --data sotu --topics 20${budget.epochs ? ` --epochs ${budget.epochs} --lda-iterations ${budget.ldaIterations}` : ""} --out ${o.out}`,
      `flambeau eval ${o.out} --data sotu --json`,
    ],
    metrics: {
      prodldaNpmi: m.prodlda.npmi,
      ldaNpmi: m.lda.npmi,
      prodldaDiversity: m.prodlda.diversity,
      ldaDiversity: m.lda.diversity,
      prodldaPerplexity: m.prodlda.perplexity!,
      ldaPerplexity: m.lda.perplexity!,
    },
    history: r.history.epochs.map((e) => ({ loss: e.loss!, valLoss: e.valLoss })),
    seconds: (performance.now() - t0) / 1000,
    extraHtml: `<p>Eight of the 20 topics, top words (LDA's topic k is not ProdLDA's topic k: the two are fitted separately).</p><table class="text-preds"><tr><th>topic</th><th>ProdLDA</th><th>LDA (collapsed Gibbs)</th></tr>${rows}</table>${chart}`,
  };
}

export const topicModeling = defineTask({
  name: T,
  description:
    "topic modeling: ProdLDA (neural, product of experts) beside LDA by collapsed Gibbs sampling; NPMI coherence of the top 10 words on held-out documents, topic diversity, held-out perplexity by document completion",
  dataFormat:
    "ddtp-descriptions (Debian package descriptions, split by package), sotu (State of the Union passages with their years, held out by year; a topics-over-time chart), fortunes, spam-assassin, or unlabelled text (.txt paragraphs, .jsonl text); predict: texts",
  models: ["prodlda"],
  defaultModel: "prodlda",
  options: OPTIONS,
  baseline: "LDA (collapsed Gibbs sampling, α = 50/K, β = 0.01)",
  train,
  evaluate,
  load,
  formatPrediction: (p: TopicPrediction) =>
    p.topics.map((t) => `topic ${t.topic} (${(100 * t.proportion).toFixed(0)}%): ${t.words.join(" ")}`).join(" | "),
  demo,
});
