// WorkerRunner: a worker thread that runs exported async functions of ES modules ("jobs")
// off the main thread — training, evaluation, prediction — so a server or UI stays responsive.
import { Worker } from "node:worker_threads";
import { type ErrorCode, FlambeauError } from "../core/errors.js";
import { getNumThreads } from "../core/index.js";
import type { FromWorker, JobRequest, WorkerStart } from "./protocol.js";

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  onLog?: (line: string) => void;
}

export interface WorkerRunnerOptions {
  /** libtorch intra-op threads in the worker (default: this thread's). The count is process-wide. */
  numThreads?: number;
}

export class WorkerRunner {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #failure: Error | null = null;
  #closed = false;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on("message", (m: FromWorker) => {
      if (m.type === "ready") return;
      const p = this.#pending.get(m.id);
      if (!p) return;
      if (m.type === "log") {
        p.onLog?.(m.line);
        return;
      }
      this.#pending.delete(m.id);
      if (m.type === "result") p.resolve(m.value);
      else p.reject(new FlambeauError((m.code as ErrorCode | undefined) ?? "E_STATE", m.message));
    });
    const fail = (e: Error) => {
      this.#failure ??= e;
      for (const p of this.#pending.values()) p.reject(e);
      this.#pending.clear();
    };
    worker.on("error", (e) => fail(new FlambeauError("E_STATE", `worker thread failed: ${e.message}`, "WorkerRunner")));
    worker.on("exit", (code) => {
      if (!this.#closed) fail(new FlambeauError("E_STATE", `worker thread exited (code ${code})`, "WorkerRunner"));
    });
  }

  /** Starts the worker and waits until it has loaded Flambeau. */
  static async start(o: WorkerRunnerOptions = {}): Promise<WorkerRunner> {
    const init: WorkerStart = { numThreads: o.numThreads ?? getNumThreads() };
    const worker = new Worker(new URL("./worker-main.js", import.meta.url), { workerData: init });
    await new Promise<void>((ready, failed) => {
      const onMessage = (m: FromWorker) => {
        if (m.type === "ready") {
          worker.off("error", failed);
          ready();
        }
      };
      worker.once("message", onMessage);
      worker.once("error", failed);
    });
    return new WorkerRunner(worker);
  }

  /**
   * Runs `module#exportName(...args, { log })` in the worker. Arguments and the result are
   * structured-cloned (plain data; send tensors as data, or paths to files). A job may return
   * `withTransfer(value, buffers)` to move large buffers back instead of copying them.
   */
  run<T>(
    module: string,
    exportName: string,
    args: readonly unknown[] = [],
    onLog?: (line: string) => void,
    /** ArrayBuffers among the arguments to move to the worker instead of copying. */
    transfer: ArrayBuffer[] = [],
  ): Promise<T> {
    if (this.#closed) return Promise.reject(new FlambeauError("E_STATE", "WorkerRunner is closed", "WorkerRunner"));
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onLog });
      const msg: JobRequest = { type: "job", id, module, export: exportName, args };
      try {
        this.#worker.postMessage(msg, transfer);
      } catch (e) {
        this.#pending.delete(id);
        reject(
          new FlambeauError("E_ARG", `WorkerRunner.run: arguments cannot be sent to a worker (${(e as Error).message})`, "WorkerRunner"),
        );
      }
    });
  }

  /** Jobs still running. */
  get busy(): number {
    return this.#pending.size;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of this.#pending.values()) p.reject(new FlambeauError("E_STATE", "WorkerRunner closed", "WorkerRunner"));
    this.#pending.clear();
    await this.#worker.terminate();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Runs one job in a fresh worker thread and closes it. */
export async function runInWorker<T>(
  module: string,
  exportName: string,
  args: readonly unknown[] = [],
  o: WorkerRunnerOptions & { onLog?: (line: string) => void } = {},
): Promise<T> {
  const w = await WorkerRunner.start(o);
  try {
    return await w.run<T>(module, exportName, args, o.onLog);
  } finally {
    await w.close();
  }
}
