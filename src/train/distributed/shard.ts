// Splitting a batch between ranks by rows, so that N ranks together see the batch one process would.

import type { Tensor } from "../../core/index.js";
import { int64Indices } from "../../data/dataset.js";

/**
 * This rank's rows of a batch (rank, rank + W, …), or null when the batch has fewer rows
 * than ranks (every rank then skips it, so all stay in step).
 */
export function shardBatch(x: Tensor, y: Tensor, rank: number, worldSize: number): [Tensor, Tensor] | null {
  const n = x.shape[0] ?? 0;
  if (n < worldSize) return null;
  const rows = new Int32Array(Math.floor((n - rank - 1) / worldSize) + 1);
  for (let i = 0; i < rows.length; i++) rows[i] = rank + i * worldSize;
  const idx = int64Indices(rows);
  try {
    return [x.indexSelect(0, idx), y.indexSelect(0, idx)];
  } finally {
    idx.dispose();
  }
}
