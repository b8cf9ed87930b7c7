// `flambeau train --deterministic`: the process settings under which a seeded training run
// is bit-identical from run to run (same machine, same thread count). The tasks already draw
// their data order, splits and augmentation from JS generators keyed by the seed
// (data/random.ts), and their initial weights from libtorch's generator after manualSeed;
// what this adds is what a task cannot set by itself: libtorch's deterministic algorithms
// and a thread count fixed for the whole run and named in the log.
import { manualSeed } from "../core/ops/creation.js";
import {
  areDeterministicAlgorithmsEnabled,
  getNumThreads,
  isDeterministicAlgorithmsWarnOnlyEnabled,
  setNumThreads,
  useDeterministicAlgorithms,
} from "../core/runtime.js";

/** What a deterministic run fixed, for its log line and its callers. */
export interface DeterministicSettings {
  seed: number;
  /** libtorch's intra-op threads: reductions split their work by it, so results depend on it. */
  threads: number;
}

/**
 * Turns deterministic algorithms on, fixes the intra-op thread count (FLAMBEAU_NUM_THREADS, or
 * the count already set) and seeds libtorch's generator; returns the settings and a function
 * that puts the previous algorithm and thread settings back (a program may train more than once).
 */
export function enterDeterministicRun(seed: number): { settings: DeterministicSettings; restore: () => void } {
  const prev = {
    mode: areDeterministicAlgorithmsEnabled(),
    warnOnly: isDeterministicAlgorithmsWarnOnlyEnabled(),
    threads: getNumThreads(),
  };
  const envThreads = Number(process.env.FLAMBEAU_NUM_THREADS);
  const threads = Number.isInteger(envThreads) && envThreads > 0 ? envThreads : prev.threads;
  setNumThreads(threads);
  useDeterministicAlgorithms(true);
  manualSeed(seed);
  return {
    settings: { seed, threads },
    restore: () => {
      useDeterministicAlgorithms(prev.mode, { warnOnly: prev.warnOnly });
      setNumThreads(prev.threads);
    },
  };
}

/** The log line of a deterministic run: what it fixed and what a reproduction must keep the same. */
export const describeDeterministicRun = (task: string, s: DeterministicSettings): string =>
  `${task}: deterministic run: seed ${s.seed}, ${s.threads} intra-op thread${s.threads === 1 ? "" : "s"}, deterministic algorithms on ` +
  "(bit-identical on this machine with the same thread count, FLAMBEAU_NUM_THREADS)";

/**
 * Runs `fn` as one deterministic run when `enabled` (settings entered, logged as `name`, and put
 * back afterwards, also on a throw); otherwise just runs it. For the commands that train many
 * models in one process (tune, compare, continual): each model's own seeding still comes from
 * its run's seed.
 */
export async function deterministically<T>(
  enabled: boolean | undefined,
  name: string,
  seed: number,
  log: (line: string) => void,
  fn: () => Promise<T>,
): Promise<T> {
  if (!enabled) return fn();
  const run = enterDeterministicRun(seed);
  log(describeDeterministicRun(name, run.settings));
  try {
    return await fn();
  } finally {
    run.restore();
  }
}
