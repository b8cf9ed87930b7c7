// Reciprocal rank fusion (Cormack, Clarke & Büttcher 2009): a document's fused score is
// Σ over rankers of 1 / (k + its rank there), k = 60 as in the paper. It needs no score
// calibration between BM25 (unbounded) and cosine similarities, hence no tuning.

/** Fuses rankings (document indices, best first) into one ranking of at most `depth` documents. */
export function reciprocalRankFusion(rankings: readonly (readonly number[])[], depth: number, k = 60): number[] {
  const score = new Map<number, number>();
  for (const r of rankings) r.forEach((doc, i) => score.set(doc, (score.get(doc) ?? 0) + 1 / (k + i + 1)));
  return [...score]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, depth)
    .map(([doc]) => doc);
}
