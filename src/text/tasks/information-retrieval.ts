// information-retrieval: rank documents for a query. A dense bi-encoder (shared weights,
// mean-pooled, L2-normalised) trained contrastively with in-batch negatives and BM25 hard
// negatives (Karpukhin et al. 2020, DPR), beside Okapi BM25 (k1 = 1.5, b = 0.75, Robertson's
// idf) on the same collection, and two hybrids: the convex combination of their min-max
// normalised scores with its weight chosen on the validation queries (Bruch et al. 2023), and
// reciprocal-rank fusion (untuned). Exact search: a matrix product on the engine. Measured by
// MRR@10, Recall@1/10/100 and nDCG@10 over the test split's queries against all its documents.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, type Tensor } from "../../core/index.js";
import { holdOutTenth, seededSample } from "../../data/random.js";
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
import { cosineScores, embedTexts, encodeBag, NGRAM_BUCKETS, queryCosineScores } from "../retrieval/bag-encoding.js";
import { Bm25Index } from "../retrieval/bm25.js";
import {
  BUILT_IN_RETRIEVAL,
  bm25Tokens,
  type Collection,
  CROSS_LINGUAL_DATA,
  collectionOf,
  loadCollection,
  loadDocuments,
  loadRows,
  RETRIEVAL_DATA,
  type RetrievalColumns,
} from "../retrieval/collection.js";
import { DualEncoder, type DualEncoderKind, type DualEncoderOptions, inBatchContrastiveLoss } from "../retrieval/dual-encoder.js";
import { convexFusion, reciprocalRankFusion } from "../retrieval/fusion.js";
import { HnswIndex } from "../retrieval/hnsw.js";
import { type RankingReport, rankingReport, topK } from "../retrieval/metrics.js";
import { bm25Candidates, type PairBatch, pairBatches } from "../retrieval/training-pairs.js";
import { WordLevelTokenizer } from "../tokenizers/word-level.js";
import { Vocab } from "../vocab.js";

export const INFORMATION_RETRIEVAL = "information-retrieval";
const T = INFORMATION_RETRIEVAL;

const OPTIONS = {
  temperature: opt.number("softmax temperature of the in-batch contrastive loss", { phases: ["train"], default: 0.05, positive: true }),
  hardNegatives: opt.count("BM25 candidates per training query its hard negative is drawn from each epoch (0: in-batch negatives only)", {
    phases: ["train"],
    default: 8,
  }),
  charNgrams: opt.count(
    `hash buckets of the words' character 3–5-grams added to the bow encoder's bag (fastText's subwords; default ${NGRAM_BUCKETS} for bow, 0 = words alone)`,
    { phases: ["train"] },
  ),
  method: opt.choice(["dense", "bm25", "hybrid"] as const, "how predict ranks documents", { phases: ["predict"], default: "dense" }),
  corpus: opt.path(
    `documents to search: a .txt (one a line) or a table file with a document column (--document-column; default: ${RETRIEVAL_DATA}'s test documents)`,
    {
      phases: ["predict"],
    },
  ),
  top: opt.int("documents returned per query", { phases: ["predict"], default: 5 }),
  index: opt.choice(
    ["exact", "hnsw"] as const,
    "dense search: exact (one matrix product) or an HNSW graph (eval: also its recall against exact search and its latency)",
    { phases: ["eval", "predict"], default: "exact" },
  ),
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
  /** The dense score's weight α in the hybrid, chosen on the validation queries (absent in older models: 0.5). */
  hybridWeight?: number;
  /** Hash buckets of the words' character n-grams, embedded after the vocabulary (absent: words alone). */
  ngramBuckets?: number;
}

/** The weights the validation queries choose the hybrid's α from. */
const HYBRID_GRID = Array.from({ length: 21 }, (_, i) => i / 20);

const SPECIALS = ["<pad>", "<unk>"];
const VAL_QUERIES = 1000;
const isBuiltIn = (data: string): boolean => (BUILT_IN_RETRIEVAL as readonly string[]).includes(data);
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

/** Unit embeddings [N, dim] of texts (kept: the caller disposes). */
const embed = (l: Loaded, texts: readonly string[], maxLength: number): Tensor =>
  embedTexts(l.model, l.tk, texts, maxLength, l.pre.ngramBuckets);

/** Cosine scores [queries × documents] of each query against every document's embedding. */
const denseScores = (l: Loaded, queries: readonly string[], docEmb: Tensor): Float32Array =>
  queryCosineScores(l.model, l.tk, queries, docEmb, l.pre.queryLength, l.pre.ngramBuckets);

/** Dense rankings (document indices, best first, `depth` long) and their cosine scores. */
function denseRank(l: Loaded, queries: readonly string[], docEmb: Tensor, depth: number): { ranking: number[][]; scores: number[][] } {
  const n = docEmb.shape[0]!;
  const all = denseScores(l, queries, docEmb);
  const ranking = queries.map((_, i) => topK(all.subarray(i * n, (i + 1) * n), Math.min(depth, n)));
  return { ranking, scores: ranking.map((r, i) => r.map((d) => all[i * n + d]!)) };
}

/** BM25 rankings over `documents`, `depth` long, and their scores. */
function bm25Rank(index: Bm25Index, queries: readonly string[], depth: number): { ranking: number[][]; scores: number[][] } {
  const ranking: number[][] = [];
  const scores: number[][] = [];
  for (const q of queries) {
    const s = index.scores(bm25Tokens(q));
    const idx = topK(s, Math.min(depth, s.length));
    ranking.push(idx);
    scores.push(idx.map((i) => s[i]!));
  }
  return { ranking, scores };
}

/** Hybrid rankings of the convex combination of BM25 and dense scores, one list of rankings per weight in `alphas`. */
function hybridRank(bm25: readonly Float64Array[], dense: Float32Array, alphas: readonly number[], depth: number): number[][][] {
  const n = bm25[0]?.length ?? 0;
  return alphas.map((alpha) => bm25.map((b, i) => topK(convexFusion(b, dense.subarray(i * n, (i + 1) * n), alpha), Math.min(depth, n))));
}

export interface RetrievalReport {
  queries: number;
  documents: number;
  dense: RankingReport;
  bm25: RankingReport;
  /** Convex combination of the normalised scores, α (the dense weight) chosen on validation. */
  hybrid: RankingReport;
  hybridWeight: number;
  /** Reciprocal-rank fusion of the two rankings (no weight to tune). */
  rrf: RankingReport;
  /** Dense search through an HNSW graph instead of exactly (eval --index hnsw). */
  hnsw?: HnswReport;
  /** Each query language's share of the measures, where the queries mix languages. */
  byLanguage?: Record<string, LanguageReport>;
}

export interface LanguageReport {
  dense: RankingReport;
  bm25: RankingReport;
  hybrid: RankingReport;
}

export interface HnswReport extends RankingReport {
  /** Share of the exact dense top 10 that HNSW's top 10 holds. */
  recall10VsExact: number;
  buildSeconds: number;
  msPerQuery: number;
  exactMsPerQuery: number;
}

const HNSW_EF = 128;

/** HNSW over the document embeddings, its rankings scored as dense ones are, against exact search's. */
function hnswReport(
  docs: Float32Array,
  queries: Float32Array,
  dim: number,
  exact: readonly number[][],
  qrels: Collection["qrels"],
): HnswReport {
  const t0 = performance.now();
  const index = new HnswIndex(docs, dim, { seed: 0 });
  const buildSeconds = (performance.now() - t0) / 1000;
  const n = queries.length / dim;
  const depth = Math.min(100, index.size);
  const t1 = performance.now();
  const ranking = Array.from(
    { length: n },
    (_, i) => index.search(queries.subarray(i * dim, (i + 1) * dim), depth, Math.max(HNSW_EF, depth)).ids,
  );
  const msPerQuery = (performance.now() - t1) / Math.max(1, n);
  // Exact search timed the same way, one query at a time in JS, so the two latencies compare.
  const t2 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = new Float32Array(index.size);
    for (let d = 0; d < index.size; d++) {
      let v = 0;
      for (let k = 0; k < dim; k++) v += docs[d * dim + k]! * queries[i * dim + k]!;
      s[d] = v;
    }
    topK(s, depth);
  }
  const exactMsPerQuery = (performance.now() - t2) / Math.max(1, n);
  let hit = 0;
  ranking.forEach((r, i) => {
    const truth = new Set(exact[i]!.slice(0, 10));
    hit += r.slice(0, 10).filter((d) => truth.has(d)).length;
  });
  return { ...rankingReport(ranking, qrels), recall10VsExact: hit / Math.max(1, 10 * n), buildSeconds, msPerQuery, exactMsPerQuery };
}

/** Dense, BM25 and their fusions on one collection; `alphas` lists the hybrid weights to try (the best by MRR@10 is reported). */
function score(l: Loaded, c: Collection, limit: number | undefined, alphas: readonly number[], withHnsw = false): RetrievalReport {
  const n = Math.min(limit ?? c.queries.length, c.queries.length);
  const queries = c.queries.slice(0, n);
  const qrels = c.qrels.slice(0, n);
  const docEmb = embed(l, c.documents, l.pre.documentLength);
  const qEmb = embed(l, queries, l.pre.queryLength);
  const dense = cosineScores(qEmb, docEmb);
  // HNSW works on the same embeddings as flat arrays (one embedding pass serves both searches).
  const vectors = withHnsw
    ? { docs: (docEmb.data() as Float32Array).slice(), queries: (qEmb.data() as Float32Array).slice(), dim: docEmb.shape[1]! }
    : null;
  qEmb.dispose();
  docEmb.dispose();
  const nd = c.documents.length;
  const depth = Math.min(100, nd);
  const index = new Bm25Index(c.documents.map(bm25Tokens));
  const bm25 = queries.map((q) => index.scores(bm25Tokens(q)));
  const denseRanking = queries.map((_, i) => topK(dense.subarray(i * nd, (i + 1) * nd), depth));
  const bm25Ranking = bm25.map((s) => topK(s, depth));
  const hybridRankings = hybridRank(bm25, dense, alphas, depth);
  const hybrids = hybridRankings.map((r) => rankingReport(r, qrels));
  let best = 0;
  hybrids.forEach((h, k) => {
    if (h.mrr10 > hybrids[best]!.mrr10) best = k;
  });
  const languages = c.languages?.slice(0, n);
  const byLanguage =
    languages && new Set(languages).size > 1
      ? Object.fromEntries(
          [...new Set(languages)].map((lang) => {
            const of = <X>(xs: readonly X[]): X[] => xs.filter((_, i) => languages[i] === lang);
            const report: LanguageReport = {
              dense: rankingReport(of(denseRanking), of(qrels)),
              bm25: rankingReport(of(bm25Ranking), of(qrels)),
              hybrid: rankingReport(of(hybridRankings[best]!), of(qrels)),
            };
            return [lang, report];
          }),
        )
      : undefined;
  return {
    queries: n,
    documents: nd,
    dense: rankingReport(denseRanking, qrels),
    bm25: rankingReport(bm25Ranking, qrels),
    hybrid: hybrids[best]!,
    hybridWeight: alphas[best]!,
    rrf: rankingReport(
      denseRanking.map((r, i) => reciprocalRankFusion([r, bm25Ranking[i]!], depth)),
      qrels,
    ),
    ...(vectors ? { hnsw: hnswReport(vectors.docs, vectors.queries, vectors.dim, denseRanking, qrels) } : {}),
    ...(byLanguage ? { byLanguage } : {}),
  };
}

async function train(o: TrainInput & Options): Promise<TaskTrainResult> {
  const { seed, log } = o;
  manualSeed(seed);
  const columns = columnsOf(o);
  let rows = await loadRows(o.data, "train", columns);
  let valRows = o.val ? await loadRows(o.val, "val", columns) : isBuiltIn(o.data) ? await loadRows(o.data, "val") : undefined;
  if (!valRows) ({ train: rows, val: valRows } = holdOutTenth(rows, seed));
  rows = seededSample(rows, o.limit, seed + 1);
  if (rows.length < 2) throw new FlambeauError("E_FORMAT", `${T}: ${o.data} has ${rows.length} training pairs; at least 2 are needed`, T);
  // The validation pool is capped so each epoch's check stays a few seconds; a seeded sample
  // when capped, so every language of a mixed split is in it.
  const val = collectionOf(seededSample(valRows, VAL_QUERIES, seed + 2));
  const trainSet = collectionOf(rows);
  const probe = new WordLevelTokenizer(new Vocab(SPECIALS), { normalize: "lowercase", split: "words", specials: SPECIALS });
  const vocab = Vocab.build(
    [...trainSet.queries, ...trainSet.documents].map((t) => probe.tokenize(t).slice(0, DOC_LENGTH)),
    { minFreq: 2, maxSize: 30000, specials: SPECIALS },
  );
  const tk = new WordLevelTokenizer(vocab, { normalize: "lowercase", split: "words", specials: SPECIALS, maxLength: DOC_LENGTH });
  const kind = (o.model ?? "bow") as DualEncoderKind;
  const buckets = o.charNgrams ?? (kind === "bow" ? NGRAM_BUCKETS : 0);
  if (buckets > 0 && kind !== "bow")
    throw new FlambeauError("E_ARG", `${T}: --char-ngrams needs the bow encoder (a bag of features), not ${kind}`, T);
  const hyper: DualEncoderOptions = { kind, vocabSize: vocab.size + buckets, ...SIZES[kind] };
  const model = new DualEncoder(hyper);
  const pre: Preprocessing = {
    tokenizer: "tokenizer.json",
    queryLength: QUERY_LENGTH,
    documentLength: DOC_LENGTH,
    ...(buckets > 0 ? { ngramBuckets: buckets } : {}),
  };
  const loaded: Loaded = { model, tk, pre };
  const qIds = encodeBag(tk, trainSet.queries, QUERY_LENGTH, buckets);
  const dIds = encodeBag(tk, trainSet.documents, DOC_LENGTH, buckets);
  const batchSize = o.batchSize ?? 64;
  const epochs = o.epochs ?? 5;
  const lr = o.lr ?? (kind === "bow" ? 3e-3 : 5e-4);
  const temperature = o.temperature ?? 0.05;
  const hardDepth = o.hardNegatives ?? 8;
  const t0 = performance.now();
  const hard = hardDepth > 0 ? bm25Candidates(trainSet, hardDepth) : null;
  if (hard) log(`${T}: mined ${hardDepth} BM25 candidates per training query in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const batches = pairBatches(qIds, dIds, trainSet.positive, hard, batchSize, seed);
  log(
    `${T}: ${rows.length} training pairs (${trainSet.documents.length} documents), ${val.queries.length} validation queries; vocabulary ${vocab.size}; ${kind} bi-encoder, ${plural(epochs, "epoch")} of ${batches.length} batches of ${batchSize}${hard ? " + a BM25 hard negative each" : ""}, lr ${lr}, temperature ${temperature}`,
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
  // The hybrid's weight is chosen here, on the validation queries, and kept for eval and predict.
  const metrics = score(loaded, val, undefined, HYBRID_GRID);
  pre.hybridWeight = metrics.hybridWeight;
  log(
    `${T}: validation MRR@10 dense ${metrics.dense.mrr10.toFixed(3)}, BM25 ${metrics.bm25.mrr10.toFixed(3)}, hybrid ${metrics.hybrid.mrr10.toFixed(3)} (dense weight ${metrics.hybridWeight}), RRF ${metrics.rrf.mrr10.toFixed(3)}`,
  );
  await saveModelDir<DualEncoderOptions, Preprocessing>(
    o.out,
    {
      task: T,
      architecture: `dual-encoder-${kind}`,
      hyper,
      preprocessing: pre,
      metrics: {
        trainPairs: rows.length,
        epochs,
        bestEpoch: history.bestEpoch,
        seed,
        temperature,
        hardNegatives: hardDepth,
        validation: metrics,
      },
    },
    model.stateDict(),
  );
  await tk.save(join(o.out, "tokenizer.json"));
  return { dir: o.out, metrics: metrics as unknown as Record<string, unknown>, history };
}

const hybridWeightOf = (pre: Preprocessing): number => pre.hybridWeight ?? 0.5;

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
    return score(
      l,
      await loadCollection(data, "test", columnsOf(o)),
      o.limit,
      [hybridWeightOf(l.pre)],
      o.index === "hnsw",
    ) as unknown as Record<string, unknown>;
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
  let cached:
    | { path: string | undefined; column: string | undefined; docs: string[]; emb: Tensor; bm25: Bm25Index; hnsw?: HnswIndex }
    | undefined;
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
      const bank = cached;
      const ranked: { d: number; s: number }[][] =
        method === "hybrid"
          ? (() => {
              const dense = denseScores(l, inputs, bank.emb);
              const n = bank.docs.length;
              return inputs.map((q, i) => {
                const fused = convexFusion(bank.bm25.scores(bm25Tokens(q)), dense.subarray(i * n, (i + 1) * n), hybridWeightOf(l.pre));
                return topK(fused, top).map((d) => ({ d, s: fused[d]! }));
              });
            })()
          : method === "dense" && o.index === "hnsw"
            ? (() => {
                // The graph is built on the first HNSW query of a corpus and kept with its embeddings.
                const dim = bank.emb.shape[1]!;
                bank.hnsw ??= new HnswIndex((bank.emb.data() as Float32Array).slice(), dim, { seed: 0 });
                const q = embed(l, inputs, l.pre.queryLength);
                const qv = (q.data() as Float32Array).slice();
                q.dispose();
                return inputs.map((_, i) => {
                  const r = bank.hnsw!.search(qv.subarray(i * dim, (i + 1) * dim), top, Math.max(HNSW_EF, top));
                  return r.ids.map((d, k) => ({ d, s: r.scores[k]! }));
                });
              })()
            : (() => {
                const r = method === "dense" ? denseRank(l, inputs, bank.emb, top) : bm25Rank(bank.bm25, inputs, top);
                return r.ranking.map((ids, i) => ids.map((d, k) => ({ d, s: r.scores[i]![k]! })));
              })();
      return inputs.map((query, i) => {
        return {
          query,
          results: ranked[i]!.slice(0, top).map(({ d, s }, k) => ({ rank: k + 1, score: s, document: bank.docs[d]! })),
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
  const m = score(l, c, evalLimit, [hybridWeightOf(l.pre)]);
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
    metrics: {
      denseMrr10: m.dense.mrr10,
      bm25Mrr10: m.bm25.mrr10,
      hybridMrr10: m.hybrid.mrr10,
      rrfMrr10: m.rrf.mrr10,
      denseRecall100: m.dense.recall100,
    },
    history: r.history.epochs.map((e) => ({ loss: e.loss! })),
    seconds: (performance.now() - t0) / 1000,
    extraHtml: `<table class="text-preds"><tr><th>query (a package's synopsis)</th><th>bi-encoder's top 3</th><th>BM25's top 3</th></tr>${rows}</table>`,
  };
}

export const informationRetrieval = defineTask({
  name: T,
  description:
    "rank documents for a query: a dense bi-encoder trained contrastively with in-batch and BM25 hard negatives, beside Okapi BM25, their validation-weighted convex score fusion and reciprocal-rank fusion; MRR@10, Recall@k, nDCG@10",
  dataFormat: `${RETRIEVAL_DATA} (Debian synopses → long descriptions, split by package), ${CROSS_LINGUAL_DATA} (its French and German synopses → the English descriptions), or a CSV/TSV/JSONL/Parquet/Arrow file with query and document columns (named by --query-column/--document-column)`,
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
