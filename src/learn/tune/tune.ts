// `tune`: a study over a task's options (./task-space.ts), each trial the task's own train on a
// small budget, ranked by its validation metric, journalled to <out>/study.jsonl so that the
// same call after a crash resumes it. The best trial's model directory becomes <out>/best (or
// is retrained there with `finalEpochs`), a normal model directory for eval, predict and serve.

import { cp, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import type { Task } from "../../tasks/task.js";
import { HyperbandPruner } from "./hyperband.js";
import { AshaPruner, NopPruner, type Pruner } from "./pruner.js";
import { RandomSampler } from "./random-sampler.js";
import { writeStudyReport } from "./report.js";
import type { Direction, Sampler } from "./sampler.js";
import type { Param, SearchSpace } from "./space.js";
import { Study } from "./study.js";
import type { TrialRecord } from "./study-file.js";
import { defaultDirection, type TaskObjectiveArgs, taskObjective, trialDir } from "./task-objective.js";
import { checkTaskSpace, defaultSpace } from "./task-space.js";
import { TpeSampler } from "./tpe-sampler.js";
import { TrialPool } from "./trial-pool.js";

export type SamplerName = "random" | "tpe";
export type PrunerName = "asha" | "hyperband" | "none";

export interface TuneOptions {
  data: string;
  val?: string;
  /** The study's folder: study.jsonl, best.json, trials.md, report.html, best/. */
  out: string;
  /** Trials to finish (those of an earlier, interrupted run count), the default trial included. */
  trials: number;
  /** Trial 0 trains the task's default recipe (no searched option set) and is never pruned (default true). */
  defaultTrial?: boolean;
  /** Trials at once, each in its own worker process (default 1: in this process). */
  parallel?: number;
  /**
   * With parallel > 1: the URL of a module whose `taskObjectiveOf(args, log)` builds the objective
   * in each worker, finding the task by name (src/worker/tune-objective.ts; the CLI passes it).
   * The study cannot name it itself: the task registry sits above this layer.
   */
  workerObjective?: string;
  sampler?: SamplerName;
  pruner?: PrunerName;
  /** The whole space (default: the task's, ./task-space.ts). */
  space?: Record<string, Param>;
  /** Parameters added to or replacing those of the space. */
  params?: Record<string, Param>;
  /** Epochs per trial (default 3). */
  epochs?: number;
  /** Training examples per trial. */
  limit?: number;
  seed?: number;
  /** The validation metric ranked (default "accuracy"). */
  metric?: string;
  direction?: Direction;
  /** Options every trial trains with (the task's own, batchSize, model): not searched. */
  fixed?: Record<string, unknown>;
  /** Every trial (and the final retraining) is a deterministic run (src/tasks/deterministic.ts): a rerun repeats the study. */
  deterministic?: boolean;
  /** Retrain the best params for this many epochs on all the data into <out>/best (default: keep the best trial's model). */
  finalEpochs?: number;
  /** ASHA and Hyperband: epochs before the first rung (1) and the reduction factor η (3). */
  minResource?: number;
  reductionFactor?: number;
  /** TPE: random trials before the model (10). */
  startupTrials?: number;
  /** The command line, for the report. */
  command?: string;
  log?: (line: string) => void;
}

export interface TuneResult {
  study: Study;
  best?: TrialRecord;
  /** The best model's directory (absent when no trial completed). */
  bestModel?: string;
  seconds: number;
}

const positiveInt = (name: string, v: number | undefined): void => {
  if (v !== undefined && (!Number.isSafeInteger(v) || v < 1))
    throw new FlambeauError("E_ARG", `tune: ${name} must be a positive integer, got ${v}`);
};

/** The sampler and pruner of a study (bad names are errors listing the valid ones). */
export function studyParts(
  o: Pick<TuneOptions, "sampler" | "pruner" | "seed" | "minResource" | "reductionFactor" | "startupTrials" | "epochs">,
): {
  sampler: Sampler;
  pruner: Pruner;
} {
  const seed = o.seed ?? 0;
  const sampler =
    o.sampler === undefined || o.sampler === "tpe"
      ? new TpeSampler(seed, { startupTrials: o.startupTrials })
      : o.sampler === "random"
        ? new RandomSampler(seed)
        : undefined;
  if (!sampler) throw new FlambeauError("E_ARG", `tune: sampler must be random or tpe, got "${String(o.sampler)}"`);
  const pruner =
    o.pruner === undefined || o.pruner === "asha"
      ? new AshaPruner({ minResource: o.minResource, reductionFactor: o.reductionFactor })
      : o.pruner === "hyperband"
        ? new HyperbandPruner({ minResource: o.minResource, maxResource: o.epochs ?? 3, reductionFactor: o.reductionFactor, seed })
        : o.pruner === "none"
          ? new NopPruner()
          : undefined;
  if (!pruner) throw new FlambeauError("E_ARG", `tune: pruner must be asha, hyperband or none, got "${String(o.pruner)}"`);
  return { sampler, pruner };
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

export async function tune(task: Task, o: TuneOptions): Promise<TuneResult> {
  const t0 = performance.now();
  positiveInt("trials", o.trials);
  if (o.trials === undefined) throw new FlambeauError("E_ARG", "tune: trials must be a positive integer, got undefined");
  positiveInt("epochs", o.epochs);
  positiveInt("limit", o.limit);
  positiveInt("finalEpochs", o.finalEpochs);
  positiveInt("parallel", o.parallel);
  const log = o.log ?? (() => {});
  const fixed = Object.fromEntries(Object.entries(o.fixed ?? {}).filter(([, v]) => v !== undefined));
  const fixedNames = Object.keys(fixed);
  const space: SearchSpace = checkTaskSpace(task, { ...(o.space ?? defaultSpace(task, fixedNames)), ...o.params }, fixedNames);
  const metric = o.metric ?? "accuracy";
  const direction = o.direction ?? defaultDirection(metric);
  const epochs = o.epochs ?? 3;
  const seed = o.seed ?? 0;
  const { sampler, pruner } = studyParts({ ...o, seed, epochs });
  const study = new Study({
    file: join(o.out, "study.jsonl"),
    space,
    sampler,
    pruner,
    direction,
    settings: { task: task.name, data: o.data, val: o.val, epochs, limit: o.limit, seed, metric, fixed },
    defaultTrial: o.defaultTrial ?? true,
    log,
  });
  const trialsDir = join(o.out, "trials");
  // Only the best trial's model is kept: every other one is deleted as soon as it is beaten.
  let kept = study.best()?.number;
  const args: TaskObjectiveArgs = {
    task: task.name,
    data: o.data,
    ...(o.val !== undefined ? { val: o.val } : {}),
    trialsDir,
    epochs,
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
    seed,
    metric,
    fixed,
    ...(o.deterministic !== undefined ? { deterministic: o.deterministic } : {}),
  };
  const parallel = o.parallel ?? 1;
  const pool =
    parallel > 1
      ? new TrialPool({ module: workerObjectiveOf(o.workerObjective), export: "taskObjectiveOf", args }, parallel, log)
      : undefined;
  if (pool) log(`${parallel} trials at once, ${pool.threads} engine thread${pool.threads === 1 ? "" : "s"} each`);
  try {
    await study.optimize(pool ? pool.objective : taskObjective({ ...args, task, log }), {
      trials: o.trials,
      concurrency: parallel,
      onTrialEnd: async (t) => {
        const best = study.best()?.number;
        if (best === t.number && kept !== undefined && kept !== best) await rm(trialDir(trialsDir, kept), { recursive: true, force: true });
        if (best !== t.number) await rm(trialDir(trialsDir, t.number), { recursive: true, force: true });
        kept = best;
      },
    });
  } finally {
    pool?.close();
  }
  const best = study.best();
  let bestModel: string | undefined;
  if (best) {
    bestModel = join(o.out, "best");
    const tmp = `${bestModel}.tmp`;
    await rm(tmp, { recursive: true, force: true });
    const from = trialDir(trialsDir, best.number);
    if (o.finalEpochs === undefined && (await exists(join(from, "config.json")))) await cp(from, tmp, { recursive: true });
    else {
      // Retrained from the best params: with finalEpochs, or when the trial's folder is gone.
      log(`retraining trial ${best.number}'s params${o.finalEpochs ? ` for ${o.finalEpochs} epochs on all the data` : ""}`);
      await task.train({
        ...fixed,
        ...best.params,
        data: o.data,
        ...(o.val !== undefined ? { val: o.val } : {}),
        out: tmp,
        epochs: o.finalEpochs ?? epochs,
        ...(o.finalEpochs === undefined && o.limit !== undefined ? { limit: o.limit } : {}),
        seed,
        deterministic: o.deterministic,
        log,
      });
    }
    // Swapped in whole: a crash leaves the old best or the new one, never half of each.
    await rm(bestModel, { recursive: true, force: true });
    await rename(tmp, bestModel);
  }
  const seconds = (performance.now() - t0) / 1000;
  await writeStudyReport(
    o.out,
    { task: task.name, metric, direction, trials: study.trials, best, command: o.command ?? `tune ${task.name}`, seconds },
    bestModel ? { bestModel: "best" } : {},
  );
  return { study, best, bestModel, seconds };
}

function workerObjectiveOf(module: string | undefined): string {
  if (module === undefined)
    throw new FlambeauError(
      "E_ARG",
      "tune: parallel trials need workerObjective, the URL of a module exporting taskObjectiveOf (src/worker/tune-objective.ts)",
    );
  return module;
}
