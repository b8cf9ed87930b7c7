// Reciprocal rank fusion (Cormack, Clarke & Büttcher 2009): a document's fused score is
// Σ over rankers of 1 / (k + its rank there), k = 60 as in the paper. It needs no score
// calibration between BM25 (unbounded) and cosine similarities, hence no tuning.
import { FlambeauError } from "../../core/errors.js";

/** Fuses rankings (document indices, best first) into one ranking of at most `depth` documents. */
export function reciprocalRankFusion(rankings: readonly (readonly number[])[], depth: number, k = 60): number[] {
  const score = new Map<number, number>();
  for (const r of rankings) r.forEach((doc, i) => score.set(doc, (score.get(doc) ?? 0) + 1 / (k + i + 1)));
  return [...score]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, depth)
    .map(([doc]) => doc);
}

/**
 * Convex combination of two score vectors over the same documents, each min-max normalised
 * per query first (Bruch, Gai & Ingber 2023, "An Analysis of Fusion Functions for Hybrid
 * Retrieval": tuned on validation queries, it beats reciprocal-rank fusion): (1 − α)·â + α·b̂.
 */
export function convexFusion(a: ArrayLike<number>, b: ArrayLike<number>, alpha: number): Float64Array {
  if (a.length !== b.length)
    throw new FlambeauError("E_SHAPE", `convexFusion: the score vectors differ in length (${a.length} vs ${b.length})`, "convexFusion");
  if (!(alpha >= 0 && alpha <= 1)) throw new FlambeauError("E_ARG", `convexFusion: alpha must be in [0, 1], got ${alpha}`, "convexFusion");
  const range = (x: ArrayLike<number>): [number, number] => {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < x.length; i++) {
      lo = Math.min(lo, x[i]!);
      hi = Math.max(hi, x[i]!);
    }
    return [lo, hi > lo ? hi - lo : 1];
  };
  const [aLo, aSpan] = range(a);
  const [bLo, bSpan] = range(b);
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = ((1 - alpha) * (a[i]! - aLo)) / aSpan + (alpha * (b[i]! - bLo)) / bSpan;
  return out;
}
