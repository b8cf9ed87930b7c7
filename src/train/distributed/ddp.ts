// torch.nn.parallel.DistributedDataParallel for Flambeau: the same parameters on every rank
// (broadcast from rank 0 at the start), and after each backward the gradients averaged
// across ranks in buckets of about bucketCapMb, so that each rank's optimizer step is the
// step of one process that saw the global batch.

import { FlambeauError } from "../../core/errors.js";
import { cat, noGrad, type Tensor, tidy, zeros } from "../../core/index.js";
import { allReduce, allReduceNumbers, broadcastCoalesced } from "./collectives.js";
import { getDefaultGroup, type ProcessGroup } from "./process-group.js";

/** What DDP needs of a model (fl.nn.Module satisfies it). */
export interface DdpModule {
  forward(x: Tensor): Tensor;
  train(mode?: boolean): unknown;
  eval(): unknown;
  parameters(): Tensor[];
  buffers(): Tensor[];
  stateDict(): Map<string, Tensor>;
}

export interface DistributedDataParallelOptions {
  group?: ProcessGroup;
  /** Gradient bytes per all-reduce (PyTorch's bucket_cap_mb, default 25). */
  bucketCapMb?: number;
  /** Copy rank 0's buffers (BatchNorm statistics) to every rank after each synchronised step (default true). */
  broadcastBuffers?: boolean;
}

interface Bucket {
  params: Tensor[];
  numels: number[];
}

/** Splits parameters into buckets, last parameters first (the order backward produces their gradients). */
export function assignBuckets(params: readonly Tensor[], capBytes: number): Bucket[] {
  const buckets: Bucket[] = [];
  let cur: Bucket = { params: [], numels: [] };
  let bytes = 0;
  let dtype = "";
  for (const p of [...params].reverse()) {
    const n = p.numel;
    const b = n * (p.dtype === "float64" ? 8 : p.dtype === "float16" || p.dtype === "bfloat16" ? 2 : 4);
    if (cur.params.length > 0 && (bytes + b > capBytes || p.dtype !== dtype)) {
      buckets.push(cur);
      cur = { params: [], numels: [] };
      bytes = 0;
    }
    cur.params.push(p);
    cur.numels.push(n);
    bytes += b;
    dtype = p.dtype;
  }
  if (cur.params.length > 0) buckets.push(cur);
  return buckets;
}

export class DistributedDataParallel {
  readonly module: DdpModule;
  readonly group: ProcessGroup;
  readonly broadcastBuffers: boolean;
  readonly buckets: readonly Bucket[];
  #syncEnabled = true;

  private constructor(module: DdpModule, o: DistributedDataParallelOptions) {
    this.module = module;
    this.group = o.group ?? getDefaultGroup();
    this.broadcastBuffers = o.broadcastBuffers ?? true;
    const cap = o.bucketCapMb ?? 25;
    if (!(cap > 0))
      throw new FlambeauError("E_ARG", `DistributedDataParallel: bucketCapMb must be > 0, got ${cap}`, "DistributedDataParallel");
    const params = module.parameters().filter((p) => p.requiresGrad);
    this.buckets = assignBuckets(params, cap * 1024 * 1024);
  }

  /** Wraps `module` and copies rank 0's parameters and buffers to every rank (await it before training). */
  static async create(module: DdpModule, o: DistributedDataParallelOptions = {}): Promise<DistributedDataParallel> {
    const ddp = new DistributedDataParallel(module, o);
    await ddp.#broadcastState(true);
    return ddp;
  }

  get rank(): number {
    return this.group.rank;
  }
  get worldSize(): number {
    return this.group.worldSize;
  }
  /** Rank 0 writes checkpoints and logs. */
  get isMain(): boolean {
    return this.group.rank === 0;
  }

  forward(x: Tensor): Tensor {
    return this.module.forward(x);
  }
  train(mode = true): this {
    this.module.train(mode);
    return this;
  }
  eval(): this {
    this.module.eval();
    return this;
  }
  parameters(): Tensor[] {
    return this.module.parameters();
  }
  /** The wrapped module's state (no "module." prefix, so checkpoints load into an unwrapped model). */
  stateDict(): Map<string, Tensor> {
    return this.module.stateDict();
  }

  async #broadcastState(withParams: boolean): Promise<void> {
    const ts = [...(withParams ? this.module.parameters() : []), ...(this.broadcastBuffers || withParams ? this.module.buffers() : [])];
    const dense = ts.filter((t) => t.isContiguous());
    if (dense.length !== ts.length)
      throw new FlambeauError(
        "E_STATE",
        "DistributedDataParallel: every parameter and buffer must be contiguous",
        "DistributedDataParallel",
      );
    if (dense.length > 0 && this.group.worldSize > 1) await broadcastCoalesced(dense, 0, { group: this.group });
  }

  /**
   * Averages the gradients across ranks (call after backward, before the optimizer step;
   * the Trainer does). A parameter without a gradient counts as a zero gradient.
   */
  async syncGradients(): Promise<void> {
    if (!this.#syncEnabled || this.group.worldSize === 1) return;
    const flats = this.buckets.map((b) =>
      tidy(() =>
        cat(
          b.params.map((p, i) => {
            const g = p.grad;
            return g ? g.reshape([-1]) : zeros([b.numels[i]!], { dtype: p.dtype });
          }),
          0,
        ),
      ),
    );
    try {
      // All buckets are queued at once: Gloo runs them in order on its own threads.
      await Promise.all(flats.map((f) => allReduce(f, "sum", { group: this.group })));
      noGrad(() => {
        flats.forEach((flat, k) => {
          const b = this.buckets[k]!;
          flat.div_(this.group.worldSize);
          let off = 0;
          b.params.forEach((p, i) => {
            const n = b.numels[i]!;
            tidy(() => {
              const avg = flat.narrow(0, off, n).reshape(p.shape);
              const g = p.grad;
              if (g) {
                g.copy_(avg);
                g.dispose();
              } else p.grad = avg.clone();
            });
            off += n;
          });
        });
      });
    } finally {
      for (const f of flats) f.dispose();
    }
    if (this.broadcastBuffers && this.module.buffers().length > 0) await this.#broadcastState(false);
  }

  /** Runs fn without gradient synchronisation (gradient accumulation), like PyTorch's no_sync(). */
  async noSync<T>(fn: () => T | Promise<T>): Promise<T> {
    const prev = this.#syncEnabled;
    this.#syncEnabled = false;
    try {
      return await fn();
    } finally {
      this.#syncEnabled = prev;
    }
  }

  /** Sums numbers across ranks (the Trainer reduces its loss sums and counts with it). */
  allReduceSum(values: readonly number[]): Promise<number[]> {
    return allReduceNumbers(values, "sum", { group: this.group });
  }
}
