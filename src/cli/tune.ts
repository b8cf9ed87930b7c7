// `flambeau tune <task>`: reads --space (a JSON file or inline JSON) and --param flags into a
// search space and runs the study (src/learn/tune); prints the best trial.

import { readFile } from "node:fs/promises";
import { FlambeauError } from "../core/errors.js";
import { parseParamFlag, parseSpaceJson } from "../learn/tune/space.js";
import { type PrunerName, type SamplerName, type TuneResult, tune } from "../learn/tune/tune.js";
import type { Task } from "../tasks/task.js";

export interface TuneCliOptions {
  data: string;
  val?: string;
  out: string;
  trials: number;
  /** Commander's --no-default-trial (false). */
  defaultTrial?: boolean;
  parallel?: number;
  sampler: string;
  pruner: string;
  space?: string;
  param?: string[];
  epochs: number;
  limit?: number;
  seed: number;
  metric: string;
  direction?: string;
  finalEpochs?: number;
  minEpochs: number;
  reductionFactor: number;
  startupTrials: number;
  batchSize?: number;
  model?: string;
  lr?: number;
  deterministic?: boolean;
}

/** `--space` as inline JSON (starting with "{") or a file. */
async function readSpace(arg: string) {
  if (arg.trimStart().startsWith("{")) return parseSpaceJson(arg, "--space");
  let text: string;
  try {
    text = await readFile(arg, "utf8");
  } catch (e) {
    throw new FlambeauError("E_IO", `--space ${arg}: cannot read (${(e as Error).message})`);
  }
  return parseSpaceJson(text, arg);
}

export async function runTuneCli(
  task: Task,
  o: TuneCliOptions,
  own: Record<string, unknown>,
  argv: readonly string[],
  log: (s: string) => void,
): Promise<TuneResult> {
  if (o.sampler !== "random" && o.sampler !== "tpe")
    throw new FlambeauError("E_ARG", `--sampler must be random or tpe, got "${o.sampler}"`);
  if (o.pruner !== "asha" && o.pruner !== "hyperband" && o.pruner !== "none")
    throw new FlambeauError("E_ARG", `--pruner must be asha, hyperband or none, got "${o.pruner}"`);
  if (o.direction !== undefined && o.direction !== "maximize" && o.direction !== "minimize")
    throw new FlambeauError("E_ARG", `--direction must be maximize or minimize, got "${o.direction}"`);
  const params = Object.fromEntries((o.param ?? []).map(parseParamFlag));
  return tune(task, {
    data: o.data,
    val: o.val,
    out: o.out,
    trials: o.trials,
    defaultTrial: o.defaultTrial,
    parallel: o.parallel,
    workerObjective: new URL("../worker/tune-objective.js", import.meta.url).href,
    sampler: o.sampler as SamplerName,
    pruner: o.pruner as PrunerName,
    space: o.space !== undefined ? await readSpace(o.space) : undefined,
    params,
    epochs: o.epochs,
    limit: o.limit,
    seed: o.seed,
    metric: o.metric,
    direction: o.direction as "maximize" | "minimize" | undefined,
    fixed: { ...own, batchSize: o.batchSize, model: o.model, lr: o.lr },
    deterministic: o.deterministic,
    finalEpochs: o.finalEpochs,
    minResource: o.minEpochs,
    reductionFactor: o.reductionFactor,
    startupTrials: o.startupTrials,
    command: `flambeau ${argv.join(" ")}`,
    log,
  });
}
