// Dynamic batching: requests queue per (model, options); when a worker is idle, the oldest
// request's group is taken — up to `maxBatch` inputs, one input per waiting request in turn,
// so a 1-input request is not stuck behind a 64-input one — and predicted in one call. With
// `maxDelayMs` > 0 a group also waits (up to that long) to fill before it goes; with 0 it
// goes as soon as a worker is free and batches form only while all workers are busy.
// Every request has a deadline (504 after it), the queue a size (503 when full), and a
// request whose client leaves is dropped from the queue.
import { FlambeauError } from "../core/errors.js";
import { HttpError } from "../http/errors.js";
import type { BatchResult, WireInput } from "./jobs.js";
import type { Metrics } from "./metrics.js";
import type { ServedModel } from "./models.js";
import type { WorkerPool } from "./pool.js";

export interface BatchingOptions {
  /** Most inputs in one batch (1: batching off). */
  maxBatch: number;
  /** How long the oldest request may wait for its batch to fill (0: never wait for more). */
  maxDelayMs: number;
  /** Most inputs queued, all requests together. */
  queueInputs: number;
  /** Time from arrival to answer before a 504. */
  timeoutMs: number;
}

export interface Answer {
  predictions: unknown[];
  text: string[];
}

interface Pending {
  model: ServedModel;
  /** Requests with the same options batch together. */
  key: string;
  inputs: WireInput[];
  options: Record<string, unknown>;
  /** Inputs before this one are in a batch already. */
  next: number;
  /** Inputs whose predictions came back (batches of one request may finish out of order). */
  answered: number;
  predictions: unknown[];
  text: string[];
  arrived: number;
  done: boolean;
  stream?: { cancel: Int32Array; onText: (t: string) => void };
  resolve(a: Answer): void;
  reject(e: Error): void;
  timer?: NodeJS.Timeout;
  unlisten?: () => void;
}

const remaining = (p: Pending): number => p.inputs.length - p.next;

export class Batcher {
  readonly #queue: Pending[] = [];
  #queued = 0;
  #timer: NodeJS.Timeout | undefined;
  #closing = false;

  constructor(
    private readonly pool: WorkerPool,
    private readonly o: BatchingOptions,
    private readonly metrics: Metrics,
  ) {}

  /** Inputs waiting for a worker. */
  get queued(): number {
    return this.#queued;
  }

  /** Refuses new requests (503) from now on; queued ones still run. */
  close(): void {
    this.#closing = true;
  }

  /** Predicts `inputs` with `options`, batched with other requests'; rejects on timeout or when `signal` aborts. */
  predict(model: ServedModel, inputs: WireInput[], options: Record<string, unknown>, signal: AbortSignal): Promise<Answer> {
    return this.#enqueue(model, inputs, options, signal);
  }

  /** One input alone on a worker, with its generated text passed to `onText` as it comes. */
  stream(model: ServedModel, input: WireInput, options: Record<string, unknown>, signal: AbortSignal, onText: (t: string) => void) {
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    signal.addEventListener("abort", () => Atomics.store(cancel, 0, 1), { once: true });
    return this.#enqueue(model, [input], options, signal, { cancel, onText });
  }

  #enqueue(
    model: ServedModel,
    inputs: WireInput[],
    options: Record<string, unknown>,
    signal: AbortSignal,
    stream?: Pending["stream"],
  ): Promise<Answer> {
    if (this.#closing) return Promise.reject(new HttpError(503, "shutting_down", "the server is shutting down"));
    if (this.#queued + inputs.length > this.o.queueInputs)
      return Promise.reject(
        new HttpError(503, "queue_full", `the queue is full (${this.#queued} inputs waiting); retry shortly`, { "retry-after": "1" }),
      );
    return new Promise<Answer>((resolve, reject) => {
      const p: Pending = {
        model,
        key: stream ? "" : `${model.name}\0${JSON.stringify(options)}`,
        inputs,
        options,
        next: 0,
        answered: 0,
        predictions: new Array(inputs.length),
        text: new Array(inputs.length),
        arrived: performance.now(),
        done: false,
        ...(stream ? { stream } : {}),
        resolve,
        reject,
      };
      const drop = (e: Error) => {
        if (p.done) return;
        this.#finish(p);
        reject(e);
      };
      p.timer = setTimeout(
        () => drop(new HttpError(504, "timeout", `no answer within ${this.o.timeoutMs} ms (queue: ${this.#queued} inputs); retry later`)),
        this.o.timeoutMs,
      );
      const onAbort = () => drop(new HttpError(499, "client_closed", "the client closed the request"));
      signal.addEventListener("abort", onAbort, { once: true });
      p.unlisten = () => signal.removeEventListener("abort", onAbort);
      this.#queue.push(p);
      this.#queued += inputs.length;
      this.metrics.queueDepth.set(this.#queued);
      this.#pump();
    });
  }

  /** Marks a request answered (or abandoned) and takes its undispatched inputs off the queue. */
  #finish(p: Pending): void {
    p.done = true;
    clearTimeout(p.timer);
    p.unlisten?.();
    const at = this.#queue.indexOf(p);
    if (at >= 0) {
      this.#queue.splice(at, 1);
      this.#queued -= remaining(p);
      this.metrics.queueDepth.set(this.#queued);
    }
  }

  #pump(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (;;) {
      const head = this.#queue[0];
      const worker = this.pool.idle();
      if (!head || worker < 0) return;
      const group = head.stream ? [head] : this.#queue.filter((p) => !p.stream && p.key === head.key);
      const waiting = group.reduce((n, p) => n + remaining(p), 0);
      const age = performance.now() - head.arrived;
      if (!head.stream && waiting < this.o.maxBatch && age < this.o.maxDelayMs) {
        this.#timer = setTimeout(() => this.#pump(), Math.max(0, this.o.maxDelayMs - age));
        return;
      }
      this.#dispatch(worker, group);
    }
  }

  #dispatch(worker: number, group: Pending[]): void {
    // Round robin: one input from each waiting request in turn until the batch is full.
    const take = group.map(() => 0);
    for (let budget = this.o.maxBatch, more = true; budget > 0 && more; ) {
      more = false;
      for (const [i, p] of group.entries())
        if (budget > 0 && remaining(p) > take[i]!) {
          take[i]!++;
          budget--;
          more = true;
        }
    }
    const parts = group.map((p, i) => ({ p, from: p.next, n: take[i]! })).filter((x) => x.n > 0);
    const inputs: WireInput[] = [];
    for (const x of parts) {
      inputs.push(...x.p.inputs.slice(x.from, x.from + x.n));
      x.p.next += x.n;
      this.#queued -= x.n;
      if (remaining(x.p) === 0) this.#queue.splice(this.#queue.indexOf(x.p), 1);
    }
    this.metrics.queueDepth.set(this.#queued);
    this.metrics.batchSize.observe(inputs.length, { model: group[0]!.model.name });
    const first = parts[0]!.p;
    const run: Promise<BatchResult> = first.stream
      ? this.pool
          .stream(worker, first.model.dir, inputs[0]!, first.options, first.stream.cancel, first.stream.onText)
          .then((a) => ({ groups: [a] }))
      : this.pool.predictBatch(
          worker,
          first.model.dir,
          inputs,
          parts.map((x) => x.n),
          first.options,
        );
    run
      .then(
        (r) => {
          for (const [k, x] of parts.entries()) {
            const g = r.groups[k]!;
            if (x.p.done) continue;
            if ("error" in g) {
              this.#finish(x.p);
              x.p.reject(new FlambeauError((g.code ?? "E_STATE") as "E_STATE", g.error));
              continue;
            }
            for (let j = 0; j < x.n; j++) {
              x.p.predictions[x.from + j] = g.predictions[j];
              x.p.text[x.from + j] = g.text[j]!;
            }
            x.p.answered += x.n;
            if (x.p.answered === x.p.inputs.length) {
              this.#finish(x.p);
              x.p.resolve({ predictions: x.p.predictions, text: x.p.text });
            }
          }
        },
        (e: Error) => {
          for (const x of parts)
            if (!x.p.done) {
              this.#finish(x.p);
              x.p.reject(e);
            }
        },
      )
      .finally(() => this.#pump());
  }
}
