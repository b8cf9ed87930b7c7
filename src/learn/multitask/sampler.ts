// Batches of several tasks' data sets in one stream: each step draws a task, then that
// task's next batch. By size (p ∝ n_t: every example seen about once per epoch), with a
// temperature (p ∝ n_t^{1/T}: T > 1 flattens towards uniform, as multilingual and multi-task
// NLP training do for small tasks; Arivazhagan et al. 2019), or round-robin.

import { FlambeauError } from "../../core/errors.js";
import { mulberry32 } from "../../data/random.js";

export type TaskSampling = "size" | "temperature" | "round-robin";

export interface MultiTaskSamplerOptions<B> {
  /** Each task's batches, re-iterable once per epoch (arrays, DataLoaders, generators' factories). */
  sources: Record<string, { length: number; [Symbol.iterator]?: () => Iterator<B>; [Symbol.asyncIterator]?: () => AsyncIterator<B> }>;
  sampling?: TaskSampling;
  /** With "temperature" (default 2). */
  temperature?: number;
  /** Steps per epoch (default: the sum of the tasks' batches). */
  steps?: number;
  seed?: number;
}

export interface TaskBatch<B> {
  task: string;
  batch: B;
}

/** Task probabilities for the sampling rule. */
export function taskProbabilities(sizes: Record<string, number>, sampling: TaskSampling, temperature = 2): Record<string, number> {
  const names = Object.keys(sizes);
  if (names.length === 0) throw new FlambeauError("E_ARG", "MultiTaskSampler: no tasks", "MultiTaskSampler");
  for (const [t, n] of Object.entries(sizes))
    if (!(Number.isInteger(n) && n > 0))
      throw new FlambeauError("E_ARG", `MultiTaskSampler: task "${t}" has no batches (${n})`, "MultiTaskSampler");
  if (!(temperature > 0))
    throw new FlambeauError("E_ARG", `MultiTaskSampler: temperature must be > 0, got ${temperature}`, "MultiTaskSampler");
  const w = names.map((t) => (sampling === "round-robin" ? 1 : sampling === "size" ? sizes[t]! : sizes[t]! ** (1 / temperature)));
  const z = w.reduce((a, b) => a + b, 0);
  return Object.fromEntries(names.map((t, i) => [t, w[i]! / z]));
}

export class MultiTaskSampler<B> {
  readonly probabilities: Record<string, number>;
  readonly length: number;
  readonly #o: MultiTaskSamplerOptions<B>;
  #epoch = 0;

  constructor(o: MultiTaskSamplerOptions<B>) {
    const sizes = Object.fromEntries(Object.entries(o.sources).map(([t, s]) => [t, s.length]));
    this.probabilities = taskProbabilities(sizes, o.sampling ?? "size", o.temperature ?? 2);
    this.length = o.steps ?? Object.values(sizes).reduce((a, b) => a + b, 0);
    if (!(Number.isInteger(this.length) && this.length > 0))
      throw new FlambeauError("E_ARG", `MultiTaskSampler: steps must be a positive integer, got ${this.length}`, "MultiTaskSampler");
    this.#o = o;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<TaskBatch<B>> {
    const names = Object.keys(this.probabilities);
    // mulberry32: the task order replays with --seed.
    const rand = mulberry32((this.#o.seed ?? 0) * 7919 + this.#epoch++);
    const iters = new Map<string, Iterator<B> | AsyncIterator<B>>();
    const open = (t: string) => {
      const src = this.#o.sources[t]!;
      const it = src[Symbol.asyncIterator]?.() ?? src[Symbol.iterator]?.();
      if (!it) throw new FlambeauError("E_ARG", `MultiTaskSampler: the source of "${t}" is not iterable`, "MultiTaskSampler");
      iters.set(t, it);
      return it;
    };
    for (let step = 0; step < this.length; step++) {
      let task: string;
      if (this.#o.sampling === "round-robin") task = names[step % names.length]!;
      else {
        let u = rand();
        task = names[names.length - 1]!;
        for (const t of names) {
          u -= this.probabilities[t]!;
          if (u < 0) {
            task = t;
            break;
          }
        }
      }
      // A task whose batches run out starts over (small tasks repeat within an epoch).
      let r = await (iters.get(task) ?? open(task)).next();
      if (r.done) r = await open(task).next();
      if (r.done) throw new FlambeauError("E_ARG", `MultiTaskSampler: the source of "${task}" yields no batches`, "MultiTaskSampler");
      yield { task, batch: r.value };
    }
  }
}
