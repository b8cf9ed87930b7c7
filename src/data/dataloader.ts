// DataLoader: batches of a Dataset as an async iterable, shuffled per epoch from (seed, epoch),
// with batches prepared ahead of the consumer — in this thread, or in worker threads.
import { randomInt } from "node:crypto";
import { argError } from "../core/errors.js";
import { arange, type Tensor } from "../core/index.js";
import { type Collated, type CollateFn, defaultCollate, tensorsIn } from "./collate.js";
import { type Dataset, int64Indices } from "./dataset.js";
import { permutation } from "./random.js";
import { asFunction, type TransformLike } from "./transforms.js";
import { WorkerPool } from "./worker-pool.js";
import type { WorkerDatasetSpec } from "./worker-protocol.js";

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Reshuffle the samples every epoch (default false). */
  shuffle?: boolean;
  /** Seed of the shuffle; epoch e uses the permutation fixed by (seed, e). Default: random, see `loader.seed`. */
  seed?: number;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Turns samples into a batch. Default: the dataset's getBatch when it has one, else defaultCollate. */
  collate?: CollateFn<T, B>;
  /** Batches prepared ahead of the one the consumer holds (default 2; per worker with numWorkers > 0). */
  prefetch?: number;
  /**
   * Applied to each batch after collation, in the main thread (e.g. uint8 → normalised float).
   * Tensors of the input batch it does not return are disposed; wrap it in fl.tidy to free its intermediates.
   */
  transform?: TransformLike<B, B>;
  /** Worker threads that build batches (default 0: in this thread). */
  numWorkers?: number;
  /** How workers re-create the dataset; default `dataset.workerSpec()`. */
  worker?: WorkerDatasetSpec;
}

const DEFAULTS = { batchSize: 1, shuffle: false, dropLast: false, prefetch: 2, numWorkers: 0 } as const;

type Producer<B> = { make(k: number, indices: Int32Array): Promise<B>; end(): void };
const noop = (): void => {};

function disposeAll(v: unknown): void {
  for (const t of tensorsIn(v)) t.dispose();
}

/**
 * Iterates a dataset in batches: `for await (const [x, y] of loader)`. Each iteration is an
 * epoch; batches belong to the consumer, who disposes them (the Trainer does).
 */
export class DataLoader<T, B = Collated<T>> implements AsyncIterable<B> {
  readonly dataset: Dataset<T>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  readonly prefetch: number;
  readonly numWorkers: number;
  readonly #collate: CollateFn<T, B> | undefined;
  readonly #transform: ((b: B) => B) | undefined;
  readonly #spec: WorkerDatasetSpec | undefined;
  #epoch = 0;
  #pool: Promise<WorkerPool> | undefined;

  constructor(dataset: Dataset<T>, options: DataLoaderOptions<T, B> = {}) {
    const op = "DataLoader";
    if (dataset === null || typeof dataset !== "object" || typeof dataset.get !== "function")
      argError(op, "dataset must have length and get(i)");
    const o = { ...DEFAULTS, ...options };
    const int = (name: string, v: unknown, min: number): number => {
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min)
        argError(op, `${name} must be an integer ≥ ${min}, got ${String(v)}`);
      return v;
    };
    this.dataset = dataset;
    this.batchSize = int("batchSize", o.batchSize, 1);
    this.prefetch = int("prefetch", o.prefetch, 0);
    this.numWorkers = int("numWorkers", o.numWorkers, 0);
    this.shuffle = Boolean(o.shuffle);
    this.dropLast = Boolean(o.dropLast);
    this.seed = o.seed === undefined ? randomInt(2 ** 47) : int("seed", o.seed, Number.MIN_SAFE_INTEGER);
    this.#collate = o.collate;
    if (o.collate !== undefined && typeof o.collate !== "function") argError(op, "collate must be a function");
    this.#transform = o.transform === undefined ? undefined : asFunction(o.transform);
    if (this.numWorkers > 0) {
      this.#spec = o.worker ?? dataset.workerSpec?.();
      if (this.#spec === undefined)
        argError(
          op,
          "numWorkers > 0 needs a dataset a worker can re-create: pass options.worker { module, export, args } or give the dataset a workerSpec() method",
        );
      if (o.collate !== undefined && this.#spec.collate === undefined)
        argError(
          op,
          "a collate function cannot be sent to a worker thread: export it from the dataset's module and name it in worker.collate",
        );
    }
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The epoch the next iteration will use (iterations count up from 0). */
  get epoch(): number {
    return this.#epoch;
  }
  /** Sets the next iteration's epoch, e.g. when resuming from a checkpoint. */
  setEpoch(epoch: number): void {
    if (!Number.isSafeInteger(epoch) || epoch < 0) argError("DataLoader.setEpoch", `epoch must be a non-negative integer, got ${epoch}`);
    this.#epoch = epoch;
  }

  /** The order in which epoch `epoch` visits the samples. */
  order(epoch: number): Int32Array {
    const n = this.dataset.length;
    if (!Number.isSafeInteger(n) || n < 0 || n > 2 ** 31 - 1)
      argError("DataLoader", `dataset length must be an integer in [0, 2^31), got ${String(n)}`);
    if (this.shuffle) return permutation(n, this.seed, epoch);
    const o = new Int32Array(n);
    for (let i = 0; i < n; i++) o[i] = i;
    return o;
  }

  [Symbol.asyncIterator](): AsyncGenerator<B, void, undefined> {
    return this.#iterate(this.#epoch++);
  }

  /** Stops the worker threads (they are started on the first iteration and reused). */
  async close(): Promise<void> {
    const p = this.#pool;
    this.#pool = undefined;
    if (p) await (await p.catch(() => null))?.close();
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async *#iterate(epoch: number): AsyncGenerator<B, void, undefined> {
    const order = this.order(epoch);
    const nb = this.length;
    const producer = this.numWorkers > 0 ? await this.#workerProducer() : this.#localProducer(order);
    const ahead = this.numWorkers > 0 ? Math.max(1, this.prefetch) * this.numWorkers : this.prefetch;
    const pending = new Map<number, Promise<B>>();
    let next = 0;
    const start = (k: number): void => {
      const indices = order.subarray(k * this.batchSize, Math.min(order.length, (k + 1) * this.batchSize));
      const p = producer.make(k, indices).then((b) => this.#applyTransform(b));
      p.catch(noop); // rejections surface when the consumer reaches that batch
      pending.set(k, p);
    };
    try {
      for (let k = 0; k < nb; k++) {
        for (; next < nb && next <= k + ahead; next++) start(next);
        const p = pending.get(k)!;
        pending.delete(k);
        yield await p;
      }
    } finally {
      // The consumer stopped early or a batch failed: free what was prepared for nothing.
      for (const p of pending.values()) p.then(disposeAll, noop);
      producer.end();
    }
  }

  #applyTransform(batch: B): B {
    if (this.#transform === undefined) return batch;
    const out = this.#transform(batch);
    if (out !== batch) {
      const kept = tensorsIn(out);
      for (const t of tensorsIn(batch)) if (!kept.has(t)) t.dispose();
    }
    return out;
  }

  #localProducer(order: Int32Array): Producer<B> {
    const ds = this.dataset;
    const collate = this.#collate;
    if (collate === undefined && typeof ds.getBatch === "function") {
      const getBatch = ds.getBatch.bind(ds);
      // One index tensor per epoch; each batch takes a view of it (no per-batch JS→tensor copy).
      const all: Tensor = this.shuffle ? int64Indices(order) : arange(order.length);
      const bs = this.batchSize;
      return {
        make: async (k, indices) => {
          const idx = all.narrow(0, k * bs, indices.length);
          try {
            return getBatch(idx) as B;
          } finally {
            idx.dispose();
          }
        },
        end: () => all.dispose(),
      };
    }
    const fn = (collate ?? defaultCollate) as (s: T[]) => B;
    return {
      make: async (_k, indices) => {
        const got = Array.from(indices, (i) => ds.get(i));
        const samples = got.some((s) => s instanceof Promise) ? await Promise.all(got) : (got as T[]);
        const batch = fn(samples);
        const inBatch = tensorsIn(batch);
        for (const t of tensorsIn(samples)) if (!inBatch.has(t)) t.dispose();
        return batch;
      },
      end: noop,
    };
  }

  async #workerProducer(): Promise<Producer<B>> {
    if (this.#pool === undefined) {
      this.#pool = WorkerPool.start(this.#spec!, this.numWorkers, this.dataset.length);
      this.#pool.catch(() => {
        this.#pool = undefined; // let a later iteration retry
      });
    }
    const pool = await this.#pool;
    pool.setActive(true);
    return {
      make: (k, indices) => pool.run(k, indices) as Promise<B>,
      end: () => pool.setActive(false),
    };
  }
}
