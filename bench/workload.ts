// What every benchmark workload returns from one run in one process: its figures by key
// (each already a median over repetitions inside the run) and, for tfjs, the backend used.
export type Metrics = Record<string, number>;

export interface RunOptions {
  /** One tiny iteration of everything: proves the workload runs, measures nothing. */
  smoke: boolean;
}

export interface RunResult {
  metrics: Metrics;
  /** tfjs: the backend that ran it ("wasm" where every kernel exists there, else "cpu"). */
  backend?: string;
  /** Why this side has no figures (e.g. tfjs lacks the kernels); metrics is then empty. */
  skipped?: string;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** q-quantile of already-collected samples (nearest rank). */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/** Seconds of each of `reps` calls of fn after `warmup` calls. */
export async function timeRuns(fn: () => unknown, reps: number, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    out.push((performance.now() - t) / 1000);
  }
  return out;
}

/** [batch, sequence length] of the sequence workloads: tiny in smoke runs. */
export const seqShape = (o: RunOptions, batch: number, length: number): [number, number] => (o.smoke ? [2, 4] : [batch, length]);

/**
 * The CNN inference rows of a library with one way of running a model (tfjs, onnxruntime):
 * its figures stand against Flambeau's eager rows and its oneDNN-layout rows alike.
 */
export const withFastRows = (m: { p50Ms: number; p99Ms: number; batchedImagesPerS: number }): Metrics => ({
  ...m,
  fastP50Ms: m.p50Ms,
  fastP99Ms: m.p99Ms,
  fastBatchedImagesPerS: m.batchedImagesPerS,
});
