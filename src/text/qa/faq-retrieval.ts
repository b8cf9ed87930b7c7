// Retrieval QA's model and its rankings. Four rankers of a question's answer among the pool
// of FAQ answers: Okapi BM25 (the baseline; retrieval/bm25.ts, k1 1.5, b 0.75), the dense
// bag-of-words bi-encoder (retrieval/dual-encoder.ts), their hybrid (the convex combination of
// min-max normalised scores, α chosen on the validation questions; retrieval/fusion.ts), and
// the hybrid's top `depth` re-ordered by the kernel-pooling re-ranker (./reranker.ts), whose
// normalised logit is interpolated with the hybrid score by a weight β also chosen on
// validation (β = 1: the re-ranker alone). Measured by MRR@10 and recall@1/5/10.
import { join } from "node:path";
import { noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { Module } from "../../nn/index.js";
import { loadModelDir } from "../../train/model-dir.js";
import { embedTexts, queryCosineScores } from "../retrieval/bag-encoding.js";
import { Bm25Index } from "../retrieval/bm25.js";
import { bm25Tokens } from "../retrieval/collection.js";
import { DualEncoder, type DualEncoderOptions } from "../retrieval/dual-encoder.js";
import { convexFusion } from "../retrieval/fusion.js";
import { meanOverQueries, type Qrels, recallAt, reciprocalRank, topK } from "../retrieval/metrics.js";
import { padIds } from "../text-data.js";
import { WordLevelTokenizer } from "../tokenizers/word-level.js";
import { type FaqCollection, loadFaqQa } from "./faq-data.js";
import { idfTable, KernelReranker, type KernelRerankerOptions } from "./reranker.js";

export const RETRIEVER_ARCHITECTURE = "faq-retriever";

export interface RetrieverHyper {
  dense: DualEncoderOptions;
  reranker: KernelRerankerOptions;
}

export interface RetrieverPreprocessing {
  tokenizer: string;
  queryLength: number;
  answerLength: number;
  /** Answer words the re-ranker reads. */
  rerankLength: number;
  /** The hybrid's re-ranked depth. */
  depth: number;
  /** The dense score's weight in the hybrid (chosen on validation). */
  hybridWeight: number;
  /** The re-ranker's weight against the hybrid score within the top `depth` (chosen on validation). */
  rerankWeight: number;
  /** Hash buckets of the bi-encoder's character n-grams (absent: words alone; the re-ranker reads words). */
  ngramBuckets?: number;
}

/** The saved model: the bi-encoder and the re-ranker in one state dict ("dense.…", "reranker.…"). */
export class FaqRetriever extends Module {
  dense: DualEncoder;
  reranker: KernelReranker;
  constructor(readonly hyper: RetrieverHyper) {
    super();
    this.dense = new DualEncoder(hyper.dense);
    this.reranker = new KernelReranker(hyper.reranker);
  }
  /** ids [B, T] → the bi-encoder's unit embeddings (the re-ranker runs on candidate lists: `rerankLogits`). */
  forward(ids: Tensor): Tensor {
    return this.dense.forward(ids);
  }
}

export interface Retriever {
  model: FaqRetriever;
  tk: WordLevelTokenizer;
  pre: RetrieverPreprocessing;
}

/** Cosine scores [questions × answers], row-major. */
export function denseScores(
  model: DualEncoder,
  tk: WordLevelTokenizer,
  questions: readonly string[],
  answers: readonly string[],
  pre: RetrieverPreprocessing,
): Float32Array {
  const a = embedTexts(model, tk, answers, pre.answerLength, pre.ngramBuckets);
  try {
    return queryCosineScores(model, tk, questions, a, pre.queryLength, pre.ngramBuckets);
  } finally {
    a.dispose();
  }
}

/** A question's ids and each id's idf, for the re-ranker. */
export const questionIdf = (ids: readonly number[], idf: Float32Array): number[] => ids.map((i) => idf[i] ?? 0);

/** Re-ranker logits of each question against its candidates (answer indices), in batches of 8 questions. */
export function rerankLogits(
  reranker: KernelReranker,
  qIds: readonly (readonly number[])[],
  answerIds: readonly (readonly number[])[],
  idf: Float32Array,
  candidates: readonly (readonly number[])[],
): number[][] {
  const out: number[][] = [];
  noGrad(() => {
    for (let s = 0; s < qIds.length; s += 8) {
      const rows = Array.from({ length: Math.min(8, qIds.length - s) }, (_, k) => s + k);
      const C = Math.max(...rows.map((i) => candidates[i]!.length));
      if (C === 0) {
        for (const _ of rows) out.push([]);
        continue;
      }
      const logits = tidy(() => {
        const docs = rows.flatMap((i) => Array.from({ length: C }, (_, c) => answerIds[candidates[i]![c] ?? candidates[i]![0]!]!));
        const d = padIds(docs);
        const q = padIds(rows.map((i) => qIds[i]!));
        const qi = tensor(Float32Array.from(rows.flatMap((i) => padTo(questionIdf(qIds[i]!, idf), q.shape[1]!))), { shape: q.shape });
        return (
          reranker
            .forward(q, qi, d.reshape(rows.length, C, d.shape[1]!))
            .contiguous()
            .data() as Float32Array
        ).slice();
      }) as Float32Array;
      rows.forEach((i, r) => out.push(Array.from(logits.subarray(r * C, r * C + candidates[i]!.length))));
    }
  });
  return out;
}

const padTo = (xs: number[], n: number): number[] => [...xs, ...new Array<number>(Math.max(0, n - xs.length)).fill(0)];

export interface QaRankingReport {
  questions: number;
  mrr10: number;
  recall1: number;
  recall5: number;
  recall10: number;
}

/** MRR@10 and recall@1/5/10 averaged over questions (each has one relevant answer). */
export function qaRankingReport(rankings: readonly (readonly number[])[], qrels: readonly Qrels[]): QaRankingReport {
  const means = meanOverQueries(rankings, qrels, {
    mrr10: (r, q) => reciprocalRank(r, q, 10),
    recall1: (r, q) => recallAt(r, q, 1),
    recall5: (r, q) => recallAt(r, q, 5),
    recall10: (r, q) => recallAt(r, q, 10),
  });
  // A split with no questions (a small file's validation split can be empty) scores 0, not NaN.
  if (rankings.length === 0) for (const k of Object.keys(means) as (keyof typeof means)[]) means[k] = 0;
  return { questions: rankings.length, ...means };
}

/** Every ranker's scores on one collection, from which rankings at any weights are cheap. */
export interface FaqScores {
  bm25: Float64Array[];
  dense: Float32Array[];
  qrels: Qrels[];
}

export function faqScores(l: Retriever, c: FaqCollection): FaqScores {
  const index = new Bm25Index(c.answers.map(bm25Tokens));
  const dense = denseScores(l.model.dense, l.tk, c.questions, c.answers, l.pre);
  const n = c.answers.length;
  return {
    bm25: c.questions.map((q) => index.scores(bm25Tokens(q))),
    dense: c.questions.map((_, i) => dense.slice(i * n, (i + 1) * n)),
    qrels: c.positive.map((a) => new Map([[a, 1]])),
  };
}

const ranked = (s: ArrayLike<number>, depth: number) => topK(s, Math.min(depth, s.length));

/** The hybrid's scores of every answer for each question at dense weight α. */
export const hybridScores = (s: FaqScores, alpha: number): Float64Array[] => s.bm25.map((b, i) => convexFusion(b, s.dense[i]!, alpha));

/** The hybrid's top `depth` re-ordered by β·(normalised re-ranker logit) + (1 − β)·(normalised hybrid score), then the rest of the top 100. */
export function rerankedRankings(
  hybrid: readonly Float64Array[],
  candidates: readonly number[][],
  logits: readonly number[][],
  beta: number,
): number[][] {
  return hybrid.map((h, i) => {
    const cand = candidates[i]!;
    const fused = convexFusion(
      cand.map((a) => h[a]!),
      logits[i]!,
      beta,
    );
    const order = ranked(fused, cand.length).map((k) => cand[k]!);
    const head = new Set(order);
    return [...order, ...ranked(h, 100).filter((a) => !head.has(a))];
  });
}

export interface FaqReport {
  questions: number;
  answers: number;
  bm25: QaRankingReport;
  dense: QaRankingReport;
  hybrid: QaRankingReport;
  hybridWeight: number;
  /** The re-ranker alone on the hybrid's top `depth`. */
  rerankerAlone: QaRankingReport;
  /** The re-ranked list: the re-ranker interpolated with the hybrid score (weight `rerankWeight`). */
  reranked: QaRankingReport;
  rerankWeight: number;
  depth: number;
}

/** The report on collection `c`, with the hybrid and re-rank weights the best by MRR@10 among `alphas` and `betas` (one each at eval). */
export function faqReport(l: Retriever, c: FaqCollection, alphas: readonly number[], betas: readonly number[]): FaqReport {
  const s = faqScores(l, c);
  const { depth } = l.pre;
  const best = <T>(xs: readonly T[], f: (x: T) => QaRankingReport): { x: T; r: QaRankingReport } => {
    let out = { x: xs[0] as T, r: f(xs[0] as T) };
    for (const x of xs.slice(1)) {
      const r = f(x);
      if (r.mrr10 > out.r.mrr10) out = { x, r };
    }
    return out;
  };
  const h = best(alphas, (a) =>
    qaRankingReport(
      hybridScores(s, a).map((x) => ranked(x, 100)),
      s.qrels,
    ),
  );
  const hybrid = hybridScores(s, h.x);
  const candidates = hybrid.map((x) => ranked(x, depth));
  const qIds = c.questions.map((q) => l.tk.encode(q, { maxLength: l.pre.queryLength }));
  const aIds = c.answers.map((a) => l.tk.encode(a, { maxLength: l.pre.rerankLength }));
  const logits = rerankLogits(l.model.reranker, qIds, aIds, idfTable(aIds, l.model.hyper.reranker.vocabSize), candidates);
  const rr = (beta: number) => qaRankingReport(rerankedRankings(hybrid, candidates, logits, beta), s.qrels);
  const r = best(betas, rr);
  return {
    questions: c.questions.length,
    answers: c.answers.length,
    bm25: qaRankingReport(
      s.bm25.map((x) => ranked(x, 100)),
      s.qrels,
    ),
    dense: qaRankingReport(
      s.dense.map((x) => ranked(x, 100)),
      s.qrels,
    ),
    hybrid: h.r,
    hybridWeight: h.x,
    rerankerAlone: rr(1),
    reranked: r.r,
    rerankWeight: r.x,
    depth,
  };
}

export async function loadRetriever(dir: string): Promise<Retriever> {
  const { config, weights } = await loadModelDir<RetrieverHyper, RetrieverPreprocessing>(dir, "question-answering");
  const model = new FaqRetriever(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  const pre = config.preprocessing!;
  return { model, tk: WordLevelTokenizer.load(join(dir, pre.tokenizer)), pre };
}

/** The test questions of `data` ranked against its whole pool, with the weights chosen in training. */
export async function evaluateRetriever(dir: string, data: string, limit?: number): Promise<FaqReport> {
  const l = await loadRetriever(dir);
  try {
    const c = await loadFaqQa(data, "test");
    const n = Math.min(limit ?? c.questions.length, c.questions.length);
    return faqReport(
      l,
      { ...c, questions: c.questions.slice(0, n), positive: c.positive.slice(0, n) },
      [l.pre.hybridWeight],
      [l.pre.rerankWeight],
    );
  } finally {
    l.model.dispose();
  }
}

/** A question's best answers from a pool, by the re-ranked hybrid. */
export function answerQuestions(
  l: Retriever,
  answers: readonly string[],
  questions: readonly string[],
  top: number,
): { rank: number; score: number; answer: string }[][] {
  const c: FaqCollection = { answers: [...answers], answerSplit: [], questions: [...questions], positive: questions.map(() => 0) };
  const s = faqScores(l, c);
  const hybrid = hybridScores(s, l.pre.hybridWeight);
  const candidates = hybrid.map((x) => ranked(x, l.pre.depth));
  const qIds = questions.map((q) => l.tk.encode(q, { maxLength: l.pre.queryLength }));
  const aIds = answers.map((a) => l.tk.encode(a, { maxLength: l.pre.rerankLength }));
  const logits = rerankLogits(l.model.reranker, qIds, aIds, idfTable(aIds, l.model.hyper.reranker.vocabSize), candidates);
  return rerankedRankings(hybrid, candidates, logits, l.pre.rerankWeight).map((r, i) => {
    const k = new Map(candidates[i]!.map((a, j) => [a, j]));
    return r.slice(0, top).map((a, j) => ({ rank: j + 1, score: k.has(a) ? logits[i]![k.get(a)!]! : Number.NaN, answer: answers[a]! }));
  });
}
