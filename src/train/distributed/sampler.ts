// torch.utils.data.DistributedSampler: each rank sees its own 1/worldSize of the data,
// reshuffled every epoch from (seed, epoch) identically on every rank so the shards never
// overlap. The total is padded (repeating the first indices) to a multiple of the world
// size unless dropLast, as in PyTorch, so every rank runs the same number of steps.

import { FlambeauError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import type { Collated } from "../../data/collate.js";
import { type Dataset, Subset } from "../../data/dataset.js";
import { permutation } from "../../data/random.js";

export interface DistributedSamplerOptions {
  numReplicas: number;
  rank: number;
  shuffle?: boolean;
  seed?: number;
  dropLast?: boolean;
}

export class DistributedSampler implements Iterable<number> {
  readonly length: number;
  readonly datasetLength: number;
  readonly numReplicas: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  readonly totalSize: number;
  #epoch = 0;

  constructor(datasetLength: number, o: DistributedSamplerOptions) {
    const op = "DistributedSampler";
    if (!Number.isInteger(datasetLength) || datasetLength < 1)
      throw new FlambeauError("E_ARG", `${op}: the dataset must have at least 1 sample, got ${datasetLength}`, op);
    if (!Number.isInteger(o.numReplicas) || o.numReplicas < 1)
      throw new FlambeauError("E_ARG", `${op}: numReplicas must be an integer ≥ 1, got ${o.numReplicas}`, op);
    if (!Number.isInteger(o.rank) || o.rank < 0 || o.rank >= o.numReplicas)
      throw new FlambeauError("E_ARG", `${op}: rank must be in [0, ${o.numReplicas - 1}], got ${o.rank}`, op);
    this.datasetLength = datasetLength;
    this.numReplicas = o.numReplicas;
    this.rank = o.rank;
    this.shuffle = o.shuffle ?? true;
    this.seed = o.seed ?? 0;
    this.dropLast = o.dropLast ?? false;
    this.length =
      this.dropLast && datasetLength % this.numReplicas !== 0
        ? Math.floor(datasetLength / this.numReplicas)
        : Math.ceil(datasetLength / this.numReplicas);
    this.totalSize = this.length * this.numReplicas;
  }

  get epoch(): number {
    return this.#epoch;
  }
  /** Call at the start of each epoch so the shuffle changes (same value on every rank). */
  setEpoch(epoch: number): void {
    if (!Number.isInteger(epoch) || epoch < 0)
      throw new FlambeauError("E_ARG", `DistributedSampler.setEpoch: epoch must be an integer ≥ 0, got ${epoch}`, "setEpoch");
    this.#epoch = epoch;
  }

  /** This rank's indices for the current epoch. */
  indices(): Int32Array {
    const n = this.datasetLength;
    const order = this.shuffle ? permutation(n, this.seed, this.#epoch) : Int32Array.from({ length: n }, (_, i) => i);
    const all = new Int32Array(this.totalSize);
    for (let i = 0; i < this.totalSize; i++) all[i] = order[i % n]!;
    const mine = new Int32Array(this.length);
    for (let i = 0; i < this.length; i++) mine[i] = all[this.rank + i * this.numReplicas]!;
    return mine;
  }

  [Symbol.iterator](): Iterator<number> {
    return this.indices()[Symbol.iterator]();
  }

  /** This rank's shard of `dataset` for the current epoch (feed it to a DataLoader without shuffle). */
  shard<T>(dataset: Dataset<T>): Dataset<T> {
    if (dataset.length !== this.datasetLength)
      throw new FlambeauError(
        "E_ARG",
        `DistributedSampler.shard: the sampler was made for ${this.datasetLength} samples, the dataset has ${dataset.length}`,
        "shard",
      );
    return new ShardedDataset(dataset, this);
  }
}

/** A dataset view that follows its sampler's epoch. */
class ShardedDataset<T> implements Dataset<T> {
  readonly #sampler: DistributedSampler;
  readonly #dataset: Dataset<T>;
  #epoch = -1;
  #subset: Subset<T> | undefined;
  readonly getBatch?: (indices: Tensor) => Collated<T>;

  constructor(dataset: Dataset<T>, sampler: DistributedSampler) {
    this.#dataset = dataset;
    this.#sampler = sampler;
    if (dataset.getBatch) this.getBatch = (at: Tensor) => this.#current().getBatch!(at);
  }
  get length(): number {
    return this.#sampler.length;
  }
  #current(): Subset<T> {
    if (this.#epoch !== this.#sampler.epoch || !this.#subset) {
      this.#subset = new Subset(this.#dataset, this.#sampler.indices());
      this.#epoch = this.#sampler.epoch;
    }
    return this.#subset;
  }
  get(i: number): T | Promise<T> {
    return this.#current().get(i);
  }
}
