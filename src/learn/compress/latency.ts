// Forward latency of a saved model on its own inputs, for any task: one evaluation batch of
// `batch` examples is read by the task's evaluate (its data reader and preprocessing), the
// inputs its model receives are kept, and the model as its directory loads it (int8 kernels
// included) is timed on them: the median over repeated runs of the whole batch and of its
// first example alone. Inputs that are not examples stacked along dimension 0 (a node model's
// whole graph: features and edges; a batch object) are timed whole, with no single-example time.
import { FlambeauError } from "../../core/errors.js";
import { noGrad, tidy } from "../../core/index.js";
import { isTensor } from "../../core/tensor-class.js";
import type { Module } from "../../nn/index.js";
import { watchStateDictLoads } from "../../nn/load-hooks.js";
import type { Task } from "../../tasks/task.js";

export interface Latency {
  /** Median ms of one example's forward; null when the inputs cannot be cut into examples. */
  singleMs: number | null;
  /** Median ms of a forward of `batch` examples (fewer when the data holds fewer), or of the whole input. */
  batchMs: number;
  /** Examples in the timed batch; null for a whole input (a graph) that is not a stack of examples. */
  batch: number | null;
}

function medianMs(fn: () => void, runs: number): number {
  fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

const rows = (args: unknown[], n: number): unknown[] => args.map((a) => (isTensor(a) && a.ndim > 0 ? a.narrow(0, 0, n) : a));

/** Examples along dimension 0 of every argument (tensors sharing their first size, or plain options), or null. */
function examplesIn(args: readonly unknown[]): number | null {
  const sizes = new Set<number>();
  for (const a of args) {
    if (isTensor(a)) {
      if (a.ndim > 0) sizes.add(a.shape[0]!);
    } else if (a !== null && typeof a === "object" && !Array.isArray(a)) return null;
  }
  return sizes.size === 1 ? [...sizes][0]! : null;
}

/** Times `dir`'s model on the first `batch` examples of `data` (default 256, 20 runs of the batch, 100 single). */
export async function measureLatency(
  task: Task,
  dir: string,
  data: string,
  o: { batch?: number; runs?: number; singleRuns?: number } = {},
): Promise<Latency> {
  const op = "compress";
  const batch = o.batch ?? 256;
  let inputs: unknown[] | undefined;
  const capture = (m: Module) =>
    m.registerForwardPreHook((_m, args) => {
      if (inputs !== undefined) return;
      // Kept, so the evaluation's tidy scopes leave them alone.
      inputs = args.map((a) => (isTensor(a) ? a.detach().clone().keep() : a));
    });
  await watchStateDictLoads(capture, () => task.evaluate(dir, data, { limit: batch, batchSize: batch }));
  if (inputs === undefined)
    throw new FlambeauError(
      "E_STATE",
      `${op}: ${task.name}'s evaluate did not run a model loaded through loadStateDict; cannot time it`,
      op,
    );
  const x = inputs;
  const model = (await task.loadModule!(dir)) as Module & { forward(...a: unknown[]): unknown };
  const n = examplesIn(x);
  const one = n === null ? [] : rows(x, 1);
  try {
    const run = (args: unknown[]) => () => noGrad(() => tidy(() => void model.forward(...args)));
    return {
      singleMs: n === null ? null : medianMs(run(one), o.singleRuns ?? 100),
      batchMs: medianMs(run(x), o.runs ?? 20),
      batch: n,
    };
  } finally {
    model.dispose();
    for (const a of [...x, ...one]) if (isTensor(a)) a.dispose();
  }
}
