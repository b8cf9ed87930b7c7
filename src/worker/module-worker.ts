// ModuleWorker: a model living in a worker thread, with an async forward. Inputs and outputs
// cross as one copy of their bytes each way; the calling thread's event loop is free while
// the forward runs (the async form of `model.forward` for servers and UIs).
import { fileURLToPath } from "node:url";
import type { Tensor } from "../core/index.js";
import { decodeBatch, encodeBatch } from "../data/worker-protocol.js";
import type { ModuleSpec } from "./module-spec.js";
import { WorkerRunner, type WorkerRunnerOptions } from "./runner.js";

const JOBS = fileURLToPath(new URL("./module-jobs.js", import.meta.url));

export class ModuleWorker {
  readonly #runner: WorkerRunner;
  readonly #id: number;
  readonly #ownsRunner: boolean;

  private constructor(runner: WorkerRunner, id: number, owns: boolean) {
    this.#runner = runner;
    this.#id = id;
    this.#ownsRunner = owns;
  }

  /** Builds the model in a worker (a new one unless `runner` is given) and puts it in eval mode. */
  static async start(spec: ModuleSpec, o: WorkerRunnerOptions & { runner?: WorkerRunner } = {}): Promise<ModuleWorker> {
    const runner = o.runner ?? (await WorkerRunner.start(o));
    try {
      const id = await runner.run<number>(JOBS, "createModuleJob", [spec]);
      return new ModuleWorker(runner, id, o.runner === undefined);
    } catch (e) {
      if (o.runner === undefined) await runner.close();
      throw e;
    }
  }

  /** `model.forward(...inputs)` under noGrad in the worker; the result's tensors are new tensors here. */
  async forward<T = Tensor>(...inputs: unknown[]): Promise<T> {
    const transfer: ArrayBuffer[] = [];
    const wire = encodeBatch(inputs, transfer);
    const out = await this.#runner.run<unknown>(JOBS, "forwardModuleJob", [this.#id, wire], undefined, transfer);
    return decodeBatch(out) as T;
  }

  async close(): Promise<void> {
    if (this.#ownsRunner) await this.#runner.close();
    else await this.#runner.run(JOBS, "disposeModuleJob", [this.#id]).catch(() => undefined);
  }
}
