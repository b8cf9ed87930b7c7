// Map-style datasets (PyTorch's torch.utils.data.Dataset family): an indexable collection
// with a length. Tensor-backed datasets also batch whole index tensors in one op per tensor.
import { argError, FlambeauError } from "../core/errors.js";
import { type Tensor, tensor } from "../core/index.js";
import type { Collated } from "./collate.js";
import type { WorkerDatasetSpec } from "./worker-protocol.js";

/**
 * An indexable collection of samples. `get(i)` returns a sample owned by the caller: fresh
 * tensors or views, never a tensor the dataset keeps and reuses, because the DataLoader
 * disposes the samples it has collated.
 */
export interface Dataset<T> {
  readonly length: number;
  get(i: number): T | Promise<T>;
  /**
   * The whole batch for an int64 index tensor, equal to collating `get(i)` for each index
   * but in one op per tensor. The DataLoader uses it when present (and no collate is given).
   */
  getBatch?(indices: Tensor): Collated<T>;
  /** How a worker thread can re-create this dataset (DataLoader's `numWorkers`). */
  workerSpec?(): WorkerDatasetSpec;
}

/** Throws unless `i` is an integer index into a dataset of `length` samples. */
export function checkIndex(op: string, i: number, length: number): number {
  if (!Number.isSafeInteger(i) || i < 0 || i >= length)
    argError(op, `index ${String(i)} is out of range for a dataset of length ${length}`);
  return i;
}

/**
 * Tensors that share their first dimension; sample `i` is the row `i` of each (views).
 * The tensors are kept (they survive tidy scopes) because the dataset outlives the scope
 * it was built in.
 */
export class TensorDataset<T extends Tensor[] = Tensor[]> implements Dataset<T> {
  readonly tensors: Readonly<T>;
  readonly length: number;

  constructor(...tensors: T) {
    if (tensors.length === 0) argError("TensorDataset", "expects at least one tensor");
    const n = tensors[0]!.ndim === 0 ? -1 : tensors[0]!.shape[0]!;
    tensors.forEach((t, k) => {
      if (t.ndim === 0 || t.shape[0] !== n)
        argError(
          "TensorDataset",
          `all tensors must share dim 0: tensor 0 has shape [${tensors[0]!.shape.join(", ")}], tensor ${k} has [${t.shape.join(", ")}]`,
        );
      t.keep();
    });
    this.tensors = tensors;
    this.length = n;
  }

  get(i: number): T {
    checkIndex("TensorDataset.get", i, this.length);
    return this.tensors.map((t) => t.select(0, i)) as T;
  }

  getBatch(indices: Tensor): Collated<T> {
    return this.tensors.map((t) => t.indexSelect(0, indices)) as Collated<T>;
  }
}

/** The samples of `dataset` at `indices`, in that order. */
export class Subset<T> implements Dataset<T> {
  readonly dataset: Dataset<T>;
  readonly indices: Int32Array;
  readonly getBatch?: (indices: Tensor) => Collated<T>;
  #indexTensor: Tensor | undefined;

  constructor(dataset: Dataset<T>, indices: ArrayLike<number>) {
    const idx = Int32Array.from(indices);
    for (let k = 0; k < indices.length; k++) {
      const v = indices[k]!;
      if (!Number.isSafeInteger(v) || v < 0 || v >= dataset.length)
        argError("Subset", `indices[${k}] = ${v} is out of range for a dataset of length ${dataset.length}`);
    }
    this.dataset = dataset;
    this.indices = idx;
    const inner = dataset.getBatch?.bind(dataset);
    if (inner) this.getBatch = (at: Tensor) => this.#batch(inner, at);
  }

  get length(): number {
    return this.indices.length;
  }

  get(i: number): T | Promise<T> {
    return this.dataset.get(this.indices[checkIndex("Subset.get", i, this.indices.length)]!);
  }

  #batch(inner: (indices: Tensor) => Collated<T>, at: Tensor): Collated<T> {
    // Kept: a tidy scope around the first getBatch call must not free the index map.
    this.#indexTensor ??= int64Indices(this.indices).keep();
    const mapped = this.#indexTensor.indexSelect(0, at);
    try {
      return inner(mapped);
    } finally {
      mapped.dispose();
    }
  }
}

/** An int64 index tensor from JS indices. */
export function int64Indices(indices: Int32Array): Tensor {
  const i32 = tensor(indices);
  const i64 = i32.to("int64");
  i32.dispose();
  return i64;
}

/** Datasets one after another (PyTorch's ConcatDataset). */
export class ConcatDataset<T> implements Dataset<T> {
  readonly datasets: readonly Dataset<T>[];
  /** cumulativeSizes[k] = total length of datasets 0 … k. */
  readonly cumulativeSizes: readonly number[];

  constructor(datasets: readonly Dataset<T>[]) {
    if (datasets.length === 0) argError("ConcatDataset", "expects at least one dataset");
    let total = 0;
    this.cumulativeSizes = datasets.map((d, k) => {
      if (!Number.isSafeInteger(d.length) || d.length < 0)
        argError("ConcatDataset", `dataset ${k} has an invalid length ${String(d.length)}`);
      total += d.length;
      return total;
    });
    this.datasets = [...datasets];
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1]!;
  }

  get(i: number): T | Promise<T> {
    checkIndex("ConcatDataset.get", i, this.length);
    let lo = 0;
    let hi = this.cumulativeSizes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (i < this.cumulativeSizes[mid]!) hi = mid;
      else lo = mid + 1;
    }
    const start = lo === 0 ? 0 : this.cumulativeSizes[lo - 1]!;
    return this.datasets[lo]!.get(i - start);
  }
}

/** A dataset whose samples are `fn(sample)` (per-sample preprocessing, e.g. a Compose). */
export function mapDataset<T, U>(dataset: Dataset<T>, fn: (sample: T, index: number) => U | Promise<U>): Dataset<U> {
  if (typeof fn !== "function") throw new FlambeauError("E_ARG", "mapDataset: fn must be a function", "mapDataset");
  return {
    get length() {
      return dataset.length;
    },
    get(i: number): U | Promise<U> {
      const s = dataset.get(i);
      return s instanceof Promise ? s.then((v) => fn(v, i)) : fn(s, i);
    },
  };
}
