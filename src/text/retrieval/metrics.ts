// Ranking metrics as TREC's trec_eval and the BEIR benchmark compute them, per query then
// averaged over queries: MRR@k (reciprocal rank of the first relevant document in the top k,
// 0 beyond), Recall@k (relevant documents in the top k over all relevant ones), nDCG@k
// (Järvelin & Kekäläinen 2002 with the log2(rank + 1) discount: DCG = Σ gain_i / log2(i + 1)
// over ranks i = 1…k, divided by the DCG of the ideal ordering of the judged documents).
import { FlambeauError } from "../../core/errors.js";

/** One query's judged documents: document index → relevance grade (> 0 is relevant). */
export type Qrels = ReadonlyMap<number, number>;

const OP = "retrieval metrics";

function checkK(k: number): void {
  if (!Number.isSafeInteger(k) || k < 1) throw new FlambeauError("E_ARG", `${OP}: k must be a positive integer, got ${k}`, OP);
}

/** 1 / rank of the first relevant document within the top k of `ranking`, else 0. */
export function reciprocalRank(ranking: readonly number[], rel: Qrels, k: number): number {
  checkK(k);
  for (let i = 0; i < Math.min(k, ranking.length); i++) if ((rel.get(ranking[i]!) ?? 0) > 0) return 1 / (i + 1);
  return 0;
}

/** Relevant documents in the top k over all relevant documents (NaN when the query has none). */
export function recallAt(ranking: readonly number[], rel: Qrels, k: number): number {
  checkK(k);
  let total = 0;
  for (const g of rel.values()) if (g > 0) total++;
  if (total === 0) return Number.NaN;
  let hit = 0;
  for (let i = 0; i < Math.min(k, ranking.length); i++) if ((rel.get(ranking[i]!) ?? 0) > 0) hit++;
  return hit / total;
}

/** nDCG@k with linear gains (the grade itself), as trec_eval's ndcg_cut (NaN when nothing is relevant). */
export function ndcgAt(ranking: readonly number[], rel: Qrels, k: number): number {
  checkK(k);
  let dcg = 0;
  for (let i = 0; i < Math.min(k, ranking.length); i++) dcg += Math.max(0, rel.get(ranking[i]!) ?? 0) / Math.log2(i + 2);
  const ideal = [...rel.values()].filter((g) => g > 0).sort((a, b) => b - a);
  let idcg = 0;
  for (let i = 0; i < Math.min(k, ideal.length); i++) idcg += ideal[i]! / Math.log2(i + 2);
  return idcg === 0 ? Number.NaN : dcg / idcg;
}

/**
 * Indices of the `k` highest scores, best first (ties: lower index first); `skip(i)` leaves i
 * out. A ranked list of at most k is kept by insertion instead of sorting every document: once
 * it holds good scores, most documents fail the first comparison.
 */
export function topK(scores: ArrayLike<number>, k: number, skip?: (i: number) => boolean): number[] {
  checkK(k);
  const idx: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (idx.length === k && !(s > val[k - 1]!)) continue;
    if (skip?.(i)) continue;
    if (idx.length === k) {
      idx.pop();
      val.pop();
    }
    let p = idx.length;
    while (p > 0 && s > val[p - 1]!) p--;
    idx.splice(p, 0, i);
    val.splice(p, 0, s);
  }
  return idx;
}

export interface RankingReport {
  queries: number;
  mrr10: number;
  recall1: number;
  recall10: number;
  recall100: number;
  ndcg10: number;
}

/** One query's measure of its ranking against its judged documents (NaN where undefined: nothing relevant). */
export type QueryMetric = (ranking: readonly number[], rel: Qrels) => number;

/**
 * Each of `metrics` averaged over the queries (`rankings[i]` judged by `qrels[i]`), the queries
 * where it is NaN left out (NaN where none is left).
 */
export function meanOverQueries<K extends string>(
  rankings: readonly (readonly number[])[],
  qrels: readonly Qrels[],
  metrics: Readonly<Record<K, QueryMetric>>,
): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const key of Object.keys(metrics) as K[]) {
    const f = metrics[key];
    let s = 0;
    let n = 0;
    rankings.forEach((r, i) => {
      const v = f(r, qrels[i]!);
      if (!Number.isNaN(v)) {
        s += v;
        n++;
      }
    });
    out[key] = n ? s / n : Number.NaN;
  }
  return out;
}

/** The mean of each metric over queries (each ranking at least 100 long, or the whole collection). */
export function rankingReport(rankings: readonly (readonly number[])[], qrels: readonly Qrels[]): RankingReport {
  if (rankings.length !== qrels.length)
    throw new FlambeauError("E_ARG", `${OP}: ${rankings.length} rankings for ${qrels.length} judged queries`, OP);
  if (rankings.length === 0) throw new FlambeauError("E_ARG", `${OP}: no queries`, OP);
  return {
    queries: rankings.length,
    ...meanOverQueries(rankings, qrels, {
      mrr10: (r, q) => reciprocalRank(r, q, 10),
      recall1: (r, q) => recallAt(r, q, 1),
      recall10: (r, q) => recallAt(r, q, 10),
      recall100: (r, q) => recallAt(r, q, 100),
      ndcg10: (r, q) => ndcgAt(r, q, 10),
    }),
  };
}
