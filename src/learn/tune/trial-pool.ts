// Parallel trials: P worker processes (./trial-worker.ts) each running the same objective,
// rebuilt there from a module and plain-data arguments (a task's objective holds the task and
// the data paths, not a closure). The pool is the study's objective: a trial sent to a free
// worker, its reports recorded here as they come, the pruner asked here. Each worker's engine
// gets max(1, ⌊cores / P⌋) threads (FLAMBEAU_NUM_THREADS), so P trials share the machine.

import { type ChildProcess, fork } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { type ErrorCode, FlambeauError } from "../../core/errors.js";
import type { Params } from "./space.js";
import { type Objective, type ObjectiveResult, TrialPruned } from "./study.js";

/** An objective a worker can build: `(await import(module))[export](args, log)`. */
export interface ObjectiveSpec {
  /** An absolute path or file: URL. */
  module: string;
  export: string;
  /** Plain data (structured-cloned to the worker). */
  args: unknown;
}

export type ToWorker =
  | { type: "init"; spec: ObjectiveSpec }
  | { type: "run"; number: number; params: Params; isDefault?: boolean }
  | { type: "prune"; number: number; prune: boolean };

export type ToParent =
  | { type: "log"; line: string }
  | { type: "report"; number: number; step: number; value: number }
  | { type: "ask"; number: number }
  | { type: "result"; number: number; result: ObjectiveResult }
  | { type: "pruned"; number: number; step: number }
  | { type: "error"; number: number; message: string; code?: ErrorCode };

const WORKER = fileURLToPath(new URL("./trial-worker.js", import.meta.url));

/** Engine threads of each of `parallel` workers: the cores (FLAMBEAU_NUM_THREADS or the machine's) shared out. */
export function threadsPerWorker(parallel: number): number {
  const env = Number(process.env.FLAMBEAU_NUM_THREADS);
  const cores = Number.isInteger(env) && env > 0 ? env : availableParallelism();
  return Math.max(1, Math.floor(cores / parallel));
}

interface Slot {
  child: ChildProcess;
  /** The trial it runs, if any. */
  busy?: number;
}

export class TrialPool {
  readonly size: number;
  readonly threads: number;
  readonly #spec: ObjectiveSpec;
  readonly #log: (line: string) => void;
  readonly #slots: Slot[] = [];
  #closed = false;

  constructor(spec: ObjectiveSpec, size: number, log: (line: string) => void = () => {}) {
    if (!Number.isSafeInteger(size) || size < 1) throw new FlambeauError("E_ARG", `tune: parallel must be a positive integer, got ${size}`);
    this.size = size;
    this.threads = threadsPerWorker(size);
    this.#spec = spec;
    this.#log = log;
    for (let i = 0; i < size; i++) this.#slots.push({ child: this.#spawn() });
  }

  #spawn(): ChildProcess {
    const child = fork(WORKER, [], {
      env: { ...process.env, FLAMBEAU_NUM_THREADS: String(this.threads) },
      serialization: "advanced", // NaN and Infinity survive, as a diverged trial's value must
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child.on("message", (m: ToParent) => {
      if (m.type === "log") this.#log(m.line);
    });
    child.send({ type: "init", spec: this.#spec } satisfies ToWorker);
    return child;
  }

  /** The study's objective: runs a trial in a free worker (the study never runs more than `size` at once). */
  readonly objective: Objective = (trial) =>
    new Promise<ObjectiveResult>((resolve, reject) => {
      if (this.#closed) return reject(new FlambeauError("E_STATE", "tune: the trial pool is closed"));
      const slot = this.#slots.find((s) => s.busy === undefined);
      if (!slot) return reject(new FlambeauError("E_STATE", `tune: more trials at once than the pool's ${this.size} workers`));
      slot.busy = trial.number;
      const { child } = slot;
      const end = (f: () => void) => {
        child.off("message", onMessage);
        child.off("exit", onExit);
        slot.busy = undefined;
        f();
      };
      const onMessage = async (m: ToParent) => {
        if (m.type === "log" || m.number !== trial.number) return;
        if (m.type === "report") trial.report(m.step, m.value);
        else if (m.type === "ask") child.send({ type: "prune", number: m.number, prune: await trial.shouldPrune() } satisfies ToWorker);
        else if (m.type === "result") end(() => resolve(m.result));
        else if (m.type === "pruned") end(() => reject(new TrialPruned(m.step)));
        else end(() => reject(m.code ? new FlambeauError(m.code, m.message) : new Error(m.message)));
      };
      // A worker that dies (out of memory, a native crash) fails its trial; a fresh one takes its slot.
      const onExit = (code: number | null, signal: string | null) =>
        end(() => {
          if (!this.#closed) slot.child = this.#spawn();
          reject(new Error(`trial ${trial.number}'s worker process exited (${signal ?? `code ${code}`})`));
        });
      child.on("message", onMessage);
      child.on("exit", onExit);
      child.send({
        type: "run",
        number: trial.number,
        params: trial.params,
        ...(trial.isDefault ? { isDefault: true } : {}),
      } satisfies ToWorker);
    });

  /** Ends the workers (a trial still running in one is lost, as if the study had been killed). */
  close(): void {
    this.#closed = true;
    for (const s of this.#slots) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill();
  }
}
