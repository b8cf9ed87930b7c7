// Splitting a batch between ranks by rows, so that N ranks together see the batch one process would.

import type { Tensor } from "../../core/index.js";
import { int64Indices } from "../../data/dataset.js";

/** Rows rank, rank + W, … of a tensor. */
export function shardRows(t: Tensor, rank: number, worldSize: number): Tensor {
  const n = t.shape[0] ?? 0;
  const rows = new Int32Array(Math.max(0, Math.floor((n - rank - 1) / worldSize) + 1));
  for (let i = 0; i < rows.length; i++) rows[i] = rank + i * worldSize;
  const idx = int64Indices(rows);
  try {
    return t.indexSelect(0, idx);
  } finally {
    idx.dispose();
  }
}

/**
 * This rank's rows of a batch (rank, rank + W, …), or null when the batch has fewer rows
 * than ranks (every rank then skips it, so all stay in step).
 */
export function shardBatch(x: Tensor, y: Tensor, rank: number, worldSize: number): [Tensor, Tensor] | null {
  if ((x.shape[0] ?? 0) < worldSize) return null;
  return [shardRows(x, rank, worldSize), shardRows(y, rank, worldSize)];
}
