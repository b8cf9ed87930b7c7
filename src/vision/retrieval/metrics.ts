// Retrieval metrics from a full ranking: recall@k (a same-label item among the k nearest,
// as in the metric-learning literature) and mean average precision over every relevant item.
import { argError } from "../../core/errors.js";
import { arange, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import type { NeighborIndex } from "./knn.js";

const tensorOf = (rows: readonly number[]): Tensor => tensor(BigInt64Array.from(rows, (r) => BigInt(r)));
const tensorRange = (n: number): Tensor => arange(1, n + 1).float();

export interface RetrievalMetrics {
  recallAt1: number;
  recallAt5: number;
  mAP: number;
  queries: number;
  gallery: number;
}

/**
 * Ranks the whole gallery for each query (queries are gallery rows `queryRows`, left out of
 * their own ranking) and scores the ranking against the labels.
 */
export function retrievalMetrics(index: NeighborIndex, gallery: Tensor, labels: Tensor, queryRows: readonly number[]): RetrievalMetrics {
  if (labels.ndim !== 1 || labels.shape[0] !== index.size)
    argError("retrievalMetrics", `labels must be [${index.size}], got [${labels.shape.join(", ")}]`);
  const all = index.size - 1;
  let r1 = 0;
  let r5 = 0;
  let ap = 0;
  const CH = 256;
  for (let s = 0; s < queryRows.length; s += CH) {
    const rows = queryRows.slice(s, s + CH);
    noGrad(() =>
      tidy(() => {
        const q = gallery.indexSelect(0, tensorOf(rows));
        const { indices } = index.search(q, all, { exclude: rows });
        const qLab = labels.indexSelect(0, tensorOf(rows)).view([rows.length, 1]);
        const hit = labels.index([indices]).eq(qLab).float(); // [n, G−1]
        r1 += hit.narrow(1, 0, 1).sum().item();
        r5 += hit.narrow(1, 0, Math.min(5, all)).amax(1).sum().item();
        const ranks = hit.cumsum(1);
        const pos = ranks.narrow(1, all - 1, 1); // relevant items per query
        const precision = ranks.div(tensorRange(all));
        const perQuery = precision
          .mul(hit)
          .sum({ dim: [1], keepdim: true })
          .div(pos.clamp(1, Number.POSITIVE_INFINITY));
        ap += perQuery.sum().item();
      }),
    );
  }
  const n = queryRows.length;
  return { recallAt1: r1 / n, recallAt5: r5 / n, mAP: ap / n, queries: n, gallery: index.size };
}
