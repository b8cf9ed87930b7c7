// What Trainer.fit consumes when a task batches its own examples: a re-iterable of batches
// whose order is drawn afresh on every pass (epoch 0, 1, …), with the coming epoch's length.
// The tasks differ only in how they plan an epoch (a seeded permutation cut into chunks,
// length buckets, token budgets) and how they turn a plan's part into tensors.
import { FlambeauError } from "../core/errors.js";
import { type Tensor, tensor } from "../core/index.js";
import { permutation, type Random } from "./random.js";

/** Batches with a length, iterable once per epoch. */
export interface EpochBatches<B> extends Iterable<B> {
  /** Batches in the coming epoch. */
  readonly length: number;
}

/**
 * `plan(epoch)` lists the epoch's parts (index chunks, usually) and `make` turns each into a
 * batch when it is reached, so only one batch's tensors exist at a time.
 */
export function epochBatches<P, B>(plan: (epoch: number) => readonly P[], make: (part: P) => B): EpochBatches<B> {
  let epoch = 0;
  return {
    get length() {
      return plan(epoch).length;
    },
    *[Symbol.iterator](): Generator<B> {
      for (const part of plan(epoch++)) yield make(part);
    },
  };
}

/** `order` cut into consecutive chunks of `size` (the last one shorter). */
export function chunks(order: Int32Array, size: number): Int32Array[] {
  if (!Number.isInteger(size) || size < 1)
    throw new FlambeauError("E_ARG", `chunks: size must be a positive integer, got ${size}`, "chunks");
  const out: Int32Array[] = [];
  for (let i = 0; i < order.length; i += size) out.push(order.subarray(i, i + size));
  return out;
}

/**
 * Batches of similar lengths, so padding stays small: the examples in a seeded order, sorted by
 * length within windows of 50 batches, cut into batches, and the batches shuffled; in index
 * order without `seeds` (evaluation). The two seeds are the callers' (text and tag batches
 * have drawn them differently since their figures were made; each keeps its own).
 */
export function lengthBuckets(lengths: readonly number[], batchSize: number, seeds?: { examples: number; batches: number }): number[][] {
  const n = lengths.length;
  const order = seeds ? Array.from(permutation(n, seeds.examples)) : [...lengths.keys()];
  const win = batchSize * 50;
  const sorted: number[] = [];
  for (let s = 0; s < n; s += win) sorted.push(...order.slice(s, s + win).sort((a, b) => lengths[a]! - lengths[b]!));
  const batches: number[][] = [];
  for (let s = 0; s < n; s += batchSize) batches.push(sorted.slice(s, s + batchSize));
  if (!seeds) return batches;
  return Array.from(permutation(batches.length, seeds.batches), (k) => batches[k]!);
}

/** One epoch's generated set: a tensor of rows and, per row, its text (a caption, a prompt). */
export interface GeneratedSet<T> {
  rows: Tensor;
  texts: readonly T[];
}

/**
 * Batches of data generated afresh each epoch: `make(epoch)` builds `steps · batch` rows (epoch 0
 * again every time when `fixed`, a --limit run's one set), shuffled by `rng` and cut into `steps`
 * batches. Only that epoch's set is held; it is freed when the epoch ends.
 */
export function generatedBatches<T>(o: {
  steps: number;
  batch: number;
  fixed: boolean;
  rng: Random;
  make: (epoch: number) => Promise<GeneratedSet<T>>;
}): { readonly length: number; [Symbol.asyncIterator](): AsyncGenerator<{ rows: Tensor; texts: T[] }> } {
  let epoch = 0;
  return {
    length: o.steps,
    async *[Symbol.asyncIterator]() {
      const e = o.fixed ? 0 : epoch++;
      const all = await o.make(e);
      const order = [...o.rng.permutation(o.steps * o.batch)];
      try {
        for (let s = 0; s < o.steps; s++) {
          const idx = order.slice(s * o.batch, (s + 1) * o.batch);
          const i = tensor(BigInt64Array.from(idx, BigInt), { shape: [idx.length] });
          yield { rows: all.rows.indexSelect(0, i), texts: idx.map((j) => all.texts[j]!) };
          i.dispose();
        }
      } finally {
        all.rows.dispose();
      }
    },
  };
}
