// The server's worker threads. Each holds every served model (loaded once, cached by
// directory) and runs one job at a time; the batching queue hands a batch only to an idle
// worker, so while all are busy requests gather into the next, larger batch.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WorkerRunner } from "../worker/runner.js";
import type { BatchResult, WireInput } from "./jobs.js";

const JOBS = fileURLToPath(new URL("./jobs.js", import.meta.url));

export class WorkerPool {
  readonly #workers: WorkerRunner[];
  readonly #busy: boolean[];
  /** The folder uploads are written to for the tasks to read (0700, removed at close). */
  readonly scratch: string;

  private constructor(workers: WorkerRunner[], scratch: string) {
    this.#workers = workers;
    this.#busy = workers.map(() => false);
    this.scratch = scratch;
  }

  /** Starts `size` workers with `threads` libtorch threads (a process-wide count). */
  static async start(size: number, threads: number): Promise<WorkerPool> {
    const scratch = mkdtempSync(join(tmpdir(), "flambeau-serve-"));
    const workers = await Promise.all(Array.from({ length: size }, () => WorkerRunner.start({ numThreads: threads })));
    return new WorkerPool(workers, scratch);
  }

  get size(): number {
    return this.#workers.length;
  }

  /** Workers running a job now. */
  get busy(): number {
    return this.#busy.filter(Boolean).length;
  }

  /** The index of a worker with nothing to do, or -1. */
  idle(): number {
    return this.#busy.indexOf(false);
  }

  async #on<T>(i: number, run: (w: WorkerRunner) => Promise<T>): Promise<T> {
    this.#busy[i] = true;
    try {
      return await run(this.#workers[i]!);
    } finally {
      this.#busy[i] = false;
    }
  }

  /** Runs a batch on worker `i` (idle), moving the inputs' bytes rather than copying them. */
  predictBatch(i: number, dir: string, inputs: WireInput[], sizes: number[], options: Record<string, unknown>): Promise<BatchResult> {
    const transfer: ArrayBuffer[] = [];
    // Copies into buffers of their own: a Buffer may be a view of Node's shared pool, which must not move.
    const wire = inputs.map((x) => {
      if (typeof x === "string") return x;
      const bytes = new Uint8Array(x.bytes);
      transfer.push(bytes.buffer);
      return { bytes, ext: x.ext, name: x.name };
    });
    return this.#on(i, (w) => w.run(JOBS, "predictBatchJob", [dir, this.scratch, wire, sizes, options], undefined, transfer));
  }

  /** Runs one input on worker `i` with its generated text passed to `onText` as it comes. */
  stream(
    i: number,
    dir: string,
    input: WireInput,
    options: Record<string, unknown>,
    cancel: Int32Array,
    onText: (t: string) => void,
  ): Promise<{ predictions: unknown[]; text: string[] }> {
    return this.#on(i, (w) => w.run(JOBS, "streamJob", [dir, this.scratch, input, options, cancel], onText));
  }

  /** Runs a job on every worker (loading or reloading a model), after whatever each is doing. */
  async everywhere(job: "loadJob" | "reloadJob", dir: string): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.run(JOBS, job, [dir])));
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.close()));
    rmSync(this.scratch, { recursive: true, force: true });
  }
}
