// Training pairs for a contrastive retriever: hard negatives mined for each query (its best
// documents other than its own, by BM25 or any other score) and batches of (query, document)
// pairs in which no document repeats, each query bringing one hard negative for the batch.
import type { Tensor } from "../../core/index.js";
import { epochBatches } from "../../data/epoch-batches.js";
import { permutation, Random } from "../../data/random.js";
import { padIds } from "../text-data.js";
import { Bm25Index } from "./bm25.js";
import { bm25Tokens, type Collection } from "./collection.js";
import { topK } from "./metrics.js";

/** Each query's `depth` best documents other than its own, by `score(query index)` over the documents. */
export function hardCandidates(c: Collection, depth: number, score: (query: number) => ArrayLike<number>): number[][] {
  return c.queries.map((_, i) => {
    const own = c.positive[i]!;
    return topK(score(i), Math.min(depth, Math.max(1, c.documents.length - 1)), (d) => d === own);
  });
}

/** For each training query, its `depth` best BM25 documents among the training documents other than its own. */
export function bm25Candidates(c: Collection, depth: number): number[][] {
  const index = new Bm25Index(c.documents.map(bm25Tokens));
  return hardCandidates(c, depth, (i) => index.scores(bm25Tokens(c.queries[i]!)));
}

export interface PairBatch {
  q: Tensor;
  d: Tensor;
}

/**
 * Shuffled batches (seed, seed + 1, … per epoch) in which no document appears twice: a
 * duplicate would be a false in-batch negative, so its pair waits for the next batch. Each
 * query also brings one of its BM25 candidates (`hard[i]`, drawn afresh each epoch) as an
 * extra negative document for the whole batch, unless that document is already in the batch.
 */
export function pairBatches(
  q: readonly number[][],
  docIds: readonly number[][],
  docOf: readonly number[],
  hard: readonly (readonly number[])[] | null,
  size: number,
  seed: number,
) {
  const withHard = (e: number, batch: number[]): { pairs: number[]; negatives: number[] } => {
    if (!hard) return { pairs: batch, negatives: [] };
    const rng = new Random(seed, 31, e);
    const used = new Set(batch.map((i) => docOf[i]!));
    const negatives: number[] = [];
    for (const i of batch) {
      const c = hard[i]!;
      if (c.length === 0) continue;
      const doc = c[rng.int(c.length)]!;
      if (used.has(doc)) continue;
      used.add(doc);
      negatives.push(doc);
    }
    return { pairs: batch, negatives };
  };
  const plan = (e: number): { pairs: number[]; negatives: number[] }[] => {
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
    return out.map((b) => withHard(e, b));
  };
  // The documents: the batch's positives (row i is query i's), then its hard negatives.
  return epochBatches(
    plan,
    (b): PairBatch => ({
      q: padIds(b.pairs.map((i) => q[i]!)),
      d: padIds([...b.pairs.map((i) => docIds[docOf[i]!]!), ...b.negatives.map((k) => docIds[k]!)]),
    }),
  );
}
