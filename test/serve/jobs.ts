// Job functions for the worker tests: run in a worker thread by WorkerRunner.
import * as fl from "flambeau";
import { FlambeauError } from "../../src/core/errors.js";
import type { JobContext } from "../../src/worker/index.js";

/** Sum and matrix product computed by libtorch in the worker thread. */
export async function tensorJob(values: number[], ctx: JobContext): Promise<{ sum: number; gram: number[]; threads: number }> {
  ctx.log(`summing ${values.length} values`);
  const x = fl.tensor(values);
  const gram = x.view([-1, 1]).matmul(x.view([1, -1]));
  return { sum: x.sum().item(), gram: Array.from(gram.data() as Float32Array), threads: fl.getNumThreads() };
}

export async function failingJob(): Promise<never> {
  throw new FlambeauError("E_SHAPE", "failingJob: shapes [2] and [3] do not match");
}

/** A model factory for ModuleWorker (weights are loaded from a file after). */
export function makeLinear(inFeatures: number, outFeatures: number): fl.nn.Linear {
  return new fl.nn.Linear(inFeatures, outFeatures);
}

/** Not a model: ModuleWorker must refuse it. */
export const notAModule = (): { forward: number } => ({ forward: 1 });
