// `flambeau compare`: the central claim of deep learning, measured. On the same splits,
// a shallow pipeline (hand-made features + logistic regression) and the task's default
// deep model are trained over a ladder of training-set sizes and seeds; test accuracy,
// training time and inference time per example are reported with their spread.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FlambeauError } from "../core/errors.js";
import { manualSeed, tidy } from "../core/index.js";
import type { ShallowPipeline, SideResult } from "../tasks/baseline.js";
import { deterministically } from "../tasks/deterministic.js";
import { getTask, TASKS } from "../tasks/registry.js";
import type { Task } from "../tasks/task.js";
import { LinearClassifier } from "../train/linear-classifier.js";
import { SilentProgress } from "../train/progress.js";

const taskNamed = async (name: string) => getTask(name);

export interface CompareOptions {
  data: string;
  /** Fractions of the available training examples; default 1%, 3%, 10%, 30%, 100%. */
  fractions?: readonly number[];
  seeds?: number;
  /** Epochs of the deep model (default: the task's own schedule for that size). */
  epochs?: number;
  /** Only the shallow side (quick looks at the features). */
  shallowOnly?: boolean;
  /** Keep the deep model of the largest size (seed 0) in this directory, for inspection. */
  keepModel?: string;
  /** Bit-identical reruns (src/tasks/deterministic.ts): the whole comparison, and every deep run with its own seed. */
  deterministic?: boolean;
  log?: (line: string) => void;
}

export type { SideResult };

export interface CompareRun {
  fraction: number;
  trainExamples: number;
  /** Examples tested on: a separate test split, or the examples of one file this run did not train on. */
  testExamples?: number;
  seed: number;
  shallow: SideResult;
  deep?: SideResult;
}

export interface CompareReport {
  task: string;
  data: string;
  shallowModel: string;
  deepModel: string;
  /** Test examples of the largest training size (with one file: its held-out part). */
  testExamples: number;
  runs: CompareRun[];
  /** Where the deep model of the largest size (seed 0) was kept, when asked. */
  modelDir?: string;
}

/** The task's declared shallow baseline (hand-made features + a linear model). */
export function shallowPipelineFor(task: string): ShallowPipeline {
  const p = Object.hasOwn(TASKS, task) ? getTask(task).shallow : undefined;
  if (!p) {
    const withOne = (Object.values(TASKS) as Task[]).filter((t) => t.shallow).map((t) => t.name);
    throw new FlambeauError("E_ARG", `compare: no shallow pipeline for task "${task}" yet; tasks with one: ${withOne.join(", ")}`);
  }
  return p;
}

async function runShallow(
  p: ShallowPipeline,
  data: string,
  seed: number,
  limit: number,
): Promise<{ r: SideResult; n: number; nTest: number }> {
  const s = await p.load(data, { seed, limit });
  try {
    const t0 = performance.now();
    const train = { x: s.features(s.train.x), y: s.train.y };
    const val = { x: s.features(s.val.x), y: s.val.y };
    const model = LinearClassifier.fit(train, val, s.classes.length, { seed });
    const trainSeconds = (performance.now() - t0) / 1000;
    train.x.dispose();
    val.x.dispose();
    const t1 = performance.now();
    const accuracy = tidy(() => model.predict(s.features(s.test.x)).eq(s.test.y).float().mean().item());
    const inferMs = (performance.now() - t1) / s.test.n;
    model.dispose();
    return { r: { accuracy, trainSeconds, inferMs }, n: s.train.n, nTest: s.test.n };
  } finally {
    p.dispose(s);
  }
}

async function runDeep(
  task: string,
  data: string,
  seed: number,
  limit: number,
  epochs: number | undefined,
  keep: string | undefined,
  deterministic: boolean | undefined,
): Promise<SideResult> {
  const t = await taskNamed(task);
  const dir = keep ?? mkdtempSync(join(tmpdir(), "flambeau-compare-"));
  try {
    const t0 = performance.now();
    await t.train({ data, out: dir, seed, limit, epochs, deterministic, progress: new SilentProgress() });
    const trainSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const m = await t.evaluate(dir, data);
    const inferMs = (performance.now() - t1) / Number(m.examples);
    return { accuracy: Number(m.accuracy), trainSeconds, inferMs };
  } finally {
    if (keep === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

export async function compare(task: string, o: CompareOptions): Promise<CompareReport> {
  return deterministically(o.deterministic, `compare ${task}`, 0, o.log ?? (() => {}), () => compareRuns(task, o));
}

async function compareRuns(task: string, o: CompareOptions): Promise<CompareReport> {
  const p = shallowPipelineFor(task);
  const fractions = o.fractions ?? [0.01, 0.03, 0.1, 0.3, 1];
  for (const f of fractions) if (!(f > 0 && f <= 1)) throw new FlambeauError("E_ARG", `compare: fractions must be in (0, 1], got ${f}`);
  const seeds = o.seeds ?? 3;
  if (!Number.isSafeInteger(seeds) || seeds < 1)
    throw new FlambeauError("E_ARG", `compare: seeds must be a positive integer, got ${seeds}`);
  const log = o.log ?? (() => {});
  const probe = await p.load(o.data, { seed: 0, limit: 1 });
  const available = probe.available;
  p.dispose(probe);
  const t = await taskNamed(task);
  const runs: CompareRun[] = [];
  for (const fraction of fractions) {
    const limit = Math.max(probe.classes.length, Math.round(fraction * available));
    for (let seed = 0; seed < seeds; seed++) {
      // Each seed's runs start from the same generator state whatever ran before them.
      if (o.deterministic) manualSeed(seed);
      const sh = await runShallow(p, o.data, seed, limit);
      const keep = fraction === Math.max(...fractions) && seed === 0 ? o.keepModel : undefined;
      const deep = o.shallowOnly
        ? undefined
        : p.deep
          ? await p.deep(o.data, { seed, limit, epochs: o.epochs })
          : await runDeep(task, o.data, seed, limit, o.epochs, keep, o.deterministic);
      runs.push({ fraction, trainExamples: sh.n, testExamples: sh.nTest, seed, shallow: sh.r, deep });
      log(
        `compare ${task}: ${+(100 * fraction).toPrecision(2)}% (${sh.n} examples), seed ${seed}: shallow ${(100 * sh.r.accuracy).toFixed(2)}% in ${sh.r.trainSeconds.toFixed(1)} s (${sh.r.inferMs.toFixed(3)} ms/example)` +
          (deep
            ? `, deep ${(100 * deep.accuracy).toFixed(2)}% in ${deep.trainSeconds.toFixed(1)} s (${deep.inferMs.toFixed(3)} ms/example)`
            : ""),
      );
    }
  }
  const modelDir = o.shallowOnly || p.deep ? undefined : o.keepModel;
  const largest = Math.max(...fractions);
  const testExamples = runs.find((r) => r.fraction === largest)?.testExamples ?? 0;
  return { task, data: o.data, shallowModel: p.name, deepModel: t.defaultModel, testExamples, runs, modelDir };
}
