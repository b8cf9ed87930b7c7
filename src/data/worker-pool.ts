// The DataLoader's worker threads. libtorch ops block Node's event loop, so only other
// threads can prepare batches while the main thread trains. Requests go round-robin
// (batch k to worker k mod n, as PyTorch does) and come back as transferred buffers.
import { Worker } from "node:worker_threads";
import { FlambeauError } from "../core/errors.js";
import { getNumThreads } from "../core/index.js";
import { decodeBatch, type FromWorker, type ToWorker, type WorkerDatasetSpec, type WorkerInit } from "./worker-protocol.js";

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

class Slot {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  failure: Error | null = null;
  constructor(worker: Worker) {
    this.worker = worker;
  }
  failAll(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}

export class WorkerPool {
  readonly #slots: Slot[];
  #nextId = 0;
  #closed = false;

  private constructor(slots: Slot[]) {
    this.#slots = slots;
  }

  /** Starts `n` workers and waits until each has built its dataset and reported its length. */
  static async start(spec: WorkerDatasetSpec, n: number, expectedLength: number): Promise<WorkerPool> {
    const init: WorkerInit = { spec, numThreads: getNumThreads() };
    const slots = Array.from({ length: n }, () => new Slot(new Worker(new URL("./worker.js", import.meta.url), { workerData: init })));
    const pool = new WorkerPool(slots);
    try {
      await Promise.all(slots.map((s, k) => pool.#wire(s, k, expectedLength, spec)));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  #wire(slot: Slot, k: number, expectedLength: number, spec: WorkerDatasetSpec): Promise<void> {
    const name = `DataLoader worker ${k} (${spec.module}#${spec.export})`;
    return new Promise<void>((ready, failed) => {
      let started = false;
      slot.worker.on("message", (m: FromWorker) => {
        if (m.type === "ready") {
          started = true;
          if (m.length !== expectedLength) {
            failed(
              new FlambeauError(
                "E_STATE",
                `${name} built a dataset of length ${m.length}, the main thread's has ${expectedLength}`,
                "DataLoader",
              ),
            );
          } else ready();
          return;
        }
        if (m.type === "error" && m.id === null) {
          failed(new FlambeauError("E_STATE", `${name} could not create the dataset: ${m.message}`, "DataLoader"));
          return;
        }
        if (m.id === null) return;
        const p = slot.pending.get(m.id);
        if (p === undefined) return;
        slot.pending.delete(m.id);
        if (m.type === "error") p.reject(new FlambeauError("E_STATE", `${name} failed on a batch: ${m.message}`, "DataLoader"));
        else {
          try {
            p.resolve(decodeBatch(m.batch));
          } catch (e) {
            p.reject(e as Error);
          }
        }
      });
      const die = (why: string): void => {
        const e = new FlambeauError("E_STATE", `${name} ${why}`, "DataLoader");
        slot.failAll(e);
        if (!started) failed(e);
      };
      slot.worker.on("error", (e) => die(`crashed: ${e.stack ?? String(e)}`));
      slot.worker.on("exit", (code) => {
        if (!this.#closed) die(`exited with code ${code}`);
      });
    });
  }

  /** The batch for `indices`, made by worker `k mod n`. */
  run(k: number, indices: Int32Array): Promise<unknown> {
    if (this.#closed) return Promise.reject(new FlambeauError("E_STATE", "DataLoader: the worker pool was closed", "DataLoader"));
    const slot = this.#slots[k % this.#slots.length]!;
    if (slot.failure) return Promise.reject(slot.failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      const msg: ToWorker = { type: "batch", id, indices: indices.slice() };
      slot.worker.postMessage(msg, [msg.indices.buffer as ArrayBuffer]);
    });
  }

  /** Whether idle workers keep the process alive: on during an epoch, off between epochs. */
  setActive(on: boolean): void {
    for (const s of this.#slots) on ? s.worker.ref() : s.worker.unref();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const e = new FlambeauError("E_STATE", "DataLoader: the worker pool was closed", "DataLoader");
    for (const s of this.#slots) s.failAll(e);
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
