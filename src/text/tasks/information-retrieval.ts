// information-retrieval: rank documents for a query. A dense bi-encoder (shared weights,
// mean-pooled, L2-normalised) trained contrastively with in-batch negatives, beside Okapi BM25
// (k1 = 1.5, b = 0.75, Robertson's idf) on the same collection, and their reciprocal-rank
// fusion. Exact search: a matrix product and top-k on the engine. Measured by MRR@10,
// Recall@1/10/100 and nDCG@10 over the test split's queries against all its documents.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { cat, manualSeed, noGrad, type Tensor, tidy } from "../../core/index.js";
import { epochBatches } from "../../data/epoch-batches.js";
import { permutation } from "../../data/random.js";
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
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { Trainer } from "../../train/trainer.js";
import { Bm25Index } from "../retrieval/bm25.js";
import {
  bm25Tokens,
  type Collection,
  collectionOf,
  loadCollection,
  loadDocuments,
  loadRows,
  RETRIEVAL_DATA,
  type RetrievalColumns,
} from "../retrieval/collection.js";
import { DualEncoder, type DualEncoderKind, type DualEncoderOptions, inBatchContrastiveLoss } from "../retrieval/dual-encoder.js";
import { reciprocalRankFusion } from "../retrieval/fusion.js";
import { type RankingReport, rankingReport } from "../retrieval/metrics.js";
import { padIds } from "../text-data.js";
import { WordLevelTokenizer } from "../tokenizers/word-level.js";
import { Vocab } from "../vocab.js";

export const INFORMATION_RETRIEVAL = "information-retrieval";
const T = INFORMATION_RETRIEVAL;

const OPTIONS = {
  temperature: opt.number("softmax temperature of the in-batch contrastive loss", { phases: ["train"], default: 0.05, positive: true }),
  method: opt.choice(["dense", "bm25", "hybrid"] as const, "how predict ranks documents", { phases: ["predict"], default: "dense" }),
  corpus: opt.path(
    `documents to search: a .txt (one a line) or a table file with a document column (--document-column; default: ${RETRIEVAL_DATA}'s test documents)`,
    {
      phases: ["predict"],
    },
  ),
  top: opt.int("documents returned per query", { phases: ["predict"], default: 5 }),
  queryColumn: opt.string("the column (JSON key) of a CSV/TSV/JSONL/Parquet/Arrow file that holds the query", {
    phases: ["train", "eval"],
    default: "query",
  }),
  documentColumn: opt.string("the column holding the query's relevant document (predict: the --corpus file's documents)", {
    phases: ["train", "eval", "predict"],
    default: "document",
  }),
};
type Options = OptionValues<typeof OPTIONS>;

const columnsOf = (o: { queryColumn?: string; documentColumn?: string }): RetrievalColumns => ({
  ...(o.queryColumn !== undefined ? { query: o.queryColumn } : {}),
  ...(o.documentColumn !== undefined ? { document: o.documentColumn } : {}),
});

interface Preprocessing {
  tokenizer: string;
  queryLength: number;
  documentLength: number;
}

const SPECIALS = ["<pad>", "<unk>"];
const QUERY_LENGTH = 32;
const DOC_LENGTH = 128;
const SIZES: Record<DualEncoderKind, Omit<DualEncoderOptions, "vocabSize" | "kind">> = {
  bow: { dModel: 256, dim: 256, maxLength: DOC_LENGTH },
  transformer: { dModel: 128, dim: 128, numLayers: 1, maxLength: DOC_LENGTH },
};

interface Loaded {
  model: DualEncoder;
  tk: WordLevelTokenizer;
  pre: Preprocessing;
}

const encodeAll = (tk: WordLevelTokenizer, texts: readonly string[], maxLength: number): number[][] =>
  texts.map((t) => tk.encode(t, { maxLength }));

/** Unit embeddings [N, dim] of texts, in batches, without grad (kept: the caller disposes). */
function embed(l: Loaded, texts: readonly string[], maxLength: number): Tensor {
  const ids = encodeAll(l.tk, texts, maxLength);
  const parts: Tensor[] = [];
  noGrad(() => {
    for (let s = 0; s < ids.length; s += 128) parts.push(tidy(() => l.model.forward(padIds(ids.slice(s, s + 128)))).keep());
  });
  const out = parts.length === 1 ? parts[0]! : cat(parts, 0).keep();
  if (parts.length > 1) for (const p of parts) p.dispose();
  return out;
}

/** Dense rankings (document indices, best first, `depth` long) and their cosine scores. */
function denseRank(l: Loaded, queries: readonly string[], docEmb: Tensor, depth: number): { ranking: number[][]; scores: number[][] } {
  const q = embed(l, queries, l.pre.queryLength);
  const k = Math.min(depth, docEmb.shape[0]!);
  const { idx, val } = noGrad(() =>
    tidy(() => {
      const { values, indices } = q.matmul(docEmb.t()).topk(k, 1);
      return { idx: Array.from(indices.data() as BigInt64Array, Number), val: Array.from(values.data() as Float32Array) };
    }),
  ) as { idx: number[]; val: number[] };
  q.dispose();
  const ranking: number[][] = [];
  const scores: number[][] = [];
  for (let i = 0; i < queries.length; i++) {
    ranking.push(idx.slice(i * k, (i + 1) * k));
    scores.push(val.slice(i * k, (i + 1) * k));
  }
  return { ranking, scores };
}

/** BM25 rankings over `documents`, `depth` long, and their scores. */
function bm25Rank(index: Bm25Index, queries: readonly string[], depth: number): { ranking: number[][]; scores: number[][] } {
  const ranking: number[][] = [];
  const scores: number[][] = [];
  for (const q of queries) {
    const s = index.scores(bm25Tokens(q));
    const idx = Array.from({ length: s.length }, (_, i) => i)
      .sort((a, b) => s[b]! - s[a]! || a - b)
      .slice(0, depth);
    ranking.push(idx);
    scores.push(idx.map((i) => s[i]!));
  }
  return { ranking, scores };
}

export interface RetrievalReport {
  queries: number;
  documents: number;
  dense: RankingReport;
  bm25: RankingReport;
  hybrid: RankingReport;
}

/** Dense, BM25 and their fusion on one collection. */
function score(l: Loaded, c: Collection, limit?: number): RetrievalReport {
  const n = Math.min(limit ?? c.queries.length, c.queries.length);
  const queries = c.queries.slice(0, n);
  const qrels = c.qrels.slice(0, n);
  const docEmb = embed(l, c.documents, l.pre.documentLength);
  const dense = denseRank(l, queries, docEmb, 100).ranking;
  docEmb.dispose();
  const bm25 = bm25Rank(new Bm25Index(c.documents.map(bm25Tokens)), queries, 100).ranking;
  const hybrid = dense.map((r, i) => reciprocalRankFusion([r, bm25[i]!], 100));
  return {
    queries: n,
    documents: c.documents.length,
    dense: rankingReport(dense, qrels),
    bm25: rankingReport(bm25, qrels),
    hybrid: rankingReport(hybrid, qrels),
  };
}

interface PairBatch {
  q: Tensor;
  d: Tensor;
}

/**
 * Shuffled batches (seed, seed + 1, … per epoch) in which no document appears twice: a
 * duplicate would be a false in-batch negative, so its pair waits for the next batch.
 */
function pairBatches(q: readonly number[][], d: readonly number[][], docOf: readonly number[], size: number, seed: number) {
  const plan = (e: number): number[][] => {
    const out: number[][] = [];
    let cur: number[] = [];
    let seen = new Set<number>();
    let waiting: number[] = [];
    for (const i of permutation(q.length, seed + e)) {
      const next = [...waiting, i];
      waiting = [];
      for (const j of next) {
        if (seen.has(docOf[j]!)) waiting.push(j);
        else {
          seen.add(docOf[j]!);
          cur.push(j);
        }
        if (cur.length === size) {
          out.push(cur);
          cur = [];
          seen = new Set();
        }
      }
    }
    // A batch of one has no negatives.
    if (cur.length > 1) out.push(cur);
    return out;
  };
  return epochBatches(plan, (b): PairBatch => ({ q: padIds(b.map((i) => q[i]!)), d: padIds(b.map((i) => d[i]!)) }));
}

async function train(o: TrainInput & Options): Promise<TaskTrainResult> {
  const { seed, log } = o;
  manualSeed(seed);
  const columns = columnsOf(o);
  let rows = await loadRows(o.data, "train", columns);
  let valRows = o.val ? await loadRows(o.val, "val", columns) : o.data === RETRIEVAL_DATA ? await loadRows(o.data, "val") : undefined;
  if (!valRows) {
    const perm = permutation(rows.length, seed);
    const nVal = Math.max(1, Math.round(rows.length * 0.1));
    const all = rows;
    valRows = Array.from(perm.subarray(0, nVal), (i) => all[i]!);
    rows = Array.from(perm.subarray(nVal), (i) => all[i]!);
  }
  if (o.limit !== undefined && o.limit < rows.length) {
    const all = rows;
    rows = Array.from(permutation(all.length, seed + 1).subarray(0, o.limit), (i) => all[i]!);
  }
  if (rows.length < 2) throw new FlambeauError("E_FORMAT", `${T}: ${o.data} has ${rows.length} training pairs; at least 2 are needed`, T);
  // The validation pool is capped so each epoch's check stays a few seconds.
  const val = collectionOf(valRows.slice(0, 1000));
  const trainSet = collectionOf(rows);
  const probe = new WordLevelTokenizer(new Vocab(SPECIALS), { normalize: "lowercase", split: "words", specials: SPECIALS });
  const vocab = Vocab.build(
    [...trainSet.queries, ...trainSet.documents].map((t) => probe.tokenize(t).slice(0, DOC_LENGTH)),
    { minFreq: 2, maxSize: 30000, specials: SPECIALS },
  );
  const tk = new WordLevelTokenizer(vocab, { normalize: "lowercase", split: "words", specials: SPECIALS, maxLength: DOC_LENGTH });
  const kind = (o.model ?? "bow") as DualEncoderKind;
  const hyper: DualEncoderOptions = { kind, vocabSize: vocab.size, ...SIZES[kind] };
  const model = new DualEncoder(hyper);
  const pre: Preprocessing = { tokenizer: "tokenizer.json", queryLength: QUERY_LENGTH, documentLength: DOC_LENGTH };
  const loaded: Loaded = { model, tk, pre };
  const qIds = encodeAll(tk, trainSet.queries, QUERY_LENGTH);
  const dIds = encodeAll(tk, trainSet.documents, DOC_LENGTH);
  const batchSize = o.batchSize ?? 64;
  const epochs = o.epochs ?? 5;
  const lr = o.lr ?? (kind === "bow" ? 3e-3 : 5e-4);
  const temperature = o.temperature ?? 0.05;
  const batches = pairBatches(
    qIds,
    trainSet.positive.map((d) => dIds[d]!),
    trainSet.positive,
    batchSize,
    seed,
  );
  log(
    `${T}: ${rows.length} training pairs (${trainSet.documents.length} documents), ${val.queries.length} validation queries; vocabulary ${vocab.size}; ${kind} bi-encoder, ${plural(epochs, "epoch")} of ${batches.length} batches of ${batchSize}, lr ${lr}, temperature ${temperature}`,
  );
  const trainer = new Trainer<PairBatch>({
    name: T,
    model,
    optimizer: new AdamW(model.parameters(), { lr, weightDecay: 0.01 }),
    step: (b) => inBatchContrastiveLoss(model.forward(b.q), model.forward(b.d), temperature),
    batchSize: (b) => b.q.shape[0]!,
    gradClipNorm: 1,
    validate: () => {
      const docEmb = embed(loaded, val.documents, DOC_LENGTH);
      const r = denseRank(loaded, val.queries, docEmb, 10).ranking;
      docEmb.dispose();
      return { valMrr10: rankingReport(r, val.qrels).mrr10 };
    },
    keepBest: { monitor: "valMrr10", mode: "max" },
    progress: o.progress,
    seed,
  });
  const history = await trainer.fit(batches, { epochs });
  model.eval();
  const metrics = score(loaded, val);
  log(
    `${T}: validation MRR@10 dense ${metrics.dense.mrr10.toFixed(3)}, BM25 ${metrics.bm25.mrr10.toFixed(3)}, hybrid ${metrics.hybrid.mrr10.toFixed(3)}`,
  );
  await saveModelDir<DualEncoderOptions, Preprocessing>(
    o.out,
    {
      task: T,
      architecture: `dual-encoder-${kind}`,
      hyper,
      preprocessing: pre,
      metrics: { trainPairs: rows.length, epochs, bestEpoch: history.bestEpoch, seed, temperature, validation: metrics },
    },
    model.stateDict(),
  );
  await tk.save(join(o.out, "tokenizer.json"));
  return { dir: o.out, metrics: metrics as unknown as Record<string, unknown>, history };
}

async function loadModel(dir: string): Promise<Loaded> {
  const { config, weights } = await loadModelDir<DualEncoderOptions, Preprocessing>(dir, T);
  const model = new DualEncoder(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  const pre = config.preprocessing!;
  return { model, tk: WordLevelTokenizer.load(join(dir, pre.tokenizer)), pre };
}

async function evaluate(dir: string, data: string, o: EvalArgs & Options = {}): Promise<Record<string, unknown>> {
  const l = await loadModel(dir);
  try {
    return score(l, await loadCollection(data, "test", columnsOf(o)), o.limit) as unknown as Record<string, unknown>;
  } finally {
    l.model.dispose();
  }
}

export interface RetrievalPrediction {
  query: string;
  results: { rank: number; score: number; document: string }[];
}

/** The documents predict searches: a user's file, or the built-in test documents. */
async function corpusDocuments(path: string | undefined, column: string | undefined): Promise<string[]> {
  if (path === undefined) return (await loadCollection(RETRIEVAL_DATA, "test")).documents;
  if (/\.txt$/i.test(path)) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new FlambeauError("E_IO", `${T}: cannot read the corpus ${path}: ${(e as Error).message}`, T);
    }
    const docs = text.split("\n").filter((l) => l.trim());
    if (!docs.length) throw new FlambeauError("E_FORMAT", `${T}: the corpus ${path} holds no documents`, T);
    return docs;
  }
  return loadDocuments(path, column);
}

async function load(dir: string): Promise<Predictor<RetrievalPrediction, Options>> {
  const l = await loadModel(dir);
  // The corpus's embeddings and BM25 index, built once per corpus.
  let cached: { path: string | undefined; column: string | undefined; docs: string[]; emb: Tensor; bm25: Bm25Index } | undefined;
  return {
    task: T,
    predict: async (inputs, o = {}) => {
      inputs.forEach((t, i) => {
        if (typeof t !== "string" || !t.trim()) throw new FlambeauError("E_ARG", `${T}: query ${i + 1} is empty`, T);
      });
      if (!cached || cached.path !== o.corpus || cached.column !== o.documentColumn) {
        cached?.emb.dispose();
        const docs = await corpusDocuments(o.corpus, o.documentColumn);
        cached = {
          path: o.corpus,
          column: o.documentColumn,
          docs,
          emb: embed(l, docs, l.pre.documentLength),
          bm25: new Bm25Index(docs.map(bm25Tokens)),
        };
      }
      const top = Math.min(o.top ?? 5, cached.docs.length);
      const method = o.method ?? "dense";
      const dense = method !== "bm25" ? denseRank(l, inputs, cached.emb, method === "hybrid" ? 100 : top) : undefined;
      const bm25 = method !== "dense" ? bm25Rank(cached.bm25, inputs, method === "hybrid" ? 100 : top) : undefined;
      return inputs.map((query, i) => {
        const ranked =
          method === "hybrid"
            ? reciprocalRankFusion([dense!.ranking[i]!, bm25!.ranking[i]!], top).map((d) => ({ d, s: Number.NaN }))
            : (method === "dense" ? dense! : bm25!).ranking[i]!.map((d, k) => ({
                d,
                s: (method === "dense" ? dense! : bm25!).scores[i]![k]!,
              }));
        return {
          query,
          results: ranked.slice(0, top).map(({ d, s }, k) => ({ rank: k + 1, score: s, document: cached!.docs[d]! })),
        };
      });
    },
    dispose: () => {
      cached?.emb.dispose();
      l.model.dispose();
    },
  };
}

const short = (t: string) => (t.length > 70 ? `${t.slice(0, 67)}...` : t);

/** A query's top 3 documents by one method: the relevant ones in green. */
function rankedHtml(c: Collection, ranking: readonly number[], q: number): string {
  return ranking
    .slice(0, 3)
    .map((d) => {
      const relevant = c.qrels[q]!.has(d);
      return `<li style="color:${relevant ? "#1a7f37" : "inherit"}">${relevant ? "✓ " : ""}${escapeHtml(short(c.documents[d]!))}</li>`;
    })
    .join("");
}

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const budget = o.full ? { epochs: 1, limit: 16000 } : { epochs: 1, limit: 4000 };
  const evalLimit = o.full ? undefined : 1000;
  const r = await train({ data: RETRIEVAL_DATA, out: o.out, seed: 0, progress: o.progress, log: o.log ?? (() => {}), ...budget });
  // One model load and one read of the test collection serve the scores and the rankings shown.
  const l = await loadModel(o.out);
  const c = await loadCollection(RETRIEVAL_DATA, "test");
  const m = score(l, c, evalLimit);
  const shown = [0, 1, 2, 3, 4, 5].map((k) => k * 97);
  const queries = shown.map((q) => c.queries[q]!);
  const docEmb = embed(l, c.documents, l.pre.documentLength);
  const dense = denseRank(l, queries, docEmb, 3).ranking;
  docEmb.dispose();
  l.model.dispose();
  const bm25 = bm25Rank(new Bm25Index(c.documents.map(bm25Tokens)), queries, 3).ranking;
  const rows = shown
    .map(
      (q, i) =>
        `<tr><td>${escapeHtml(queries[i]!)}</td><td><ol>${rankedHtml(c, dense[i]!, q)}</ol></td><td><ol>${rankedHtml(c, bm25[i]!, q)}</ol></td></tr>`,
    )
    .join("");
  return {
    task: T,
    dataset: `Debian synopsis → long description (${RETRIEVAL_DATA}), held-out packages, ${m.documents} documents`,
    commands: [
      `flambeau train ${T} --data ${RETRIEVAL_DATA} --epochs ${budget.epochs} --limit ${budget.limit} --out ${o.out}`,
      `flambeau eval ${o.out} --data ${RETRIEVAL_DATA}${evalLimit ? ` --limit ${evalLimit}` : ""} --json`,
    ],
    metrics: { denseMrr10: m.dense.mrr10, bm25Mrr10: m.bm25.mrr10, hybridMrr10: m.hybrid.mrr10, denseRecall100: m.dense.recall100 },
    history: r.history.epochs.map((e) => ({ loss: e.loss! })),
    seconds: (performance.now() - t0) / 1000,
    extraHtml: `<table class="text-preds"><tr><th>query (a package's synopsis)</th><th>bi-encoder's top 3</th><th>BM25's top 3</th></tr>${rows}</table>`,
  };
}

export const informationRetrieval = defineTask({
  name: T,
  description:
    "rank documents for a query: a dense bi-encoder trained contrastively with in-batch negatives, beside Okapi BM25 and their reciprocal-rank fusion; MRR@10, Recall@k, nDCG@10",
  dataFormat: `${RETRIEVAL_DATA} (Debian synopses → long descriptions, split by package), or a CSV/TSV/JSONL/Parquet/Arrow file with query and document columns (named by --query-column/--document-column)`,
  models: ["bow", "transformer"],
  defaultModel: "bow",
  options: OPTIONS,
  baseline: "Okapi BM25 (k1 1.5, b 0.75, Robertson idf)",
  train,
  evaluate,
  load,
  formatPrediction: (p: RetrievalPrediction) =>
    `${short(p.query)} → ${p.results.map((r) => `${r.rank}. ${short(r.document)}${Number.isNaN(r.score) ? "" : ` (${r.score.toFixed(3)})`}`).join(" | ")}`,
  demo,
});
