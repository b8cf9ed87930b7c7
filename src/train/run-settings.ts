// Settings of one training run that a command line gives for whatever task it trains
// (`flambeau train <task> --checkpoint run.ckpt --resume --event-log events.jsonl`), as the
// ambient process group gives data parallelism: the task's Trainer picks them up without the
// task passing them through. The first Trainer that fits claims the checkpoint, so a task
// that trains in stages (pre-training, then fine-tuning) checkpoints its first stage only.
// Transfer settings (`--init weights --freeze 'features.*'`) go the same way: the first
// Trainer that fits loads the weights by key and freezes the matching parameters.
// Callbacks go the same way (`flambeau tune` watches each trial's epochs and prunes it):
// the first Trainer that fits adds them to its own.

import type { Tensor } from "../core/tensor.js";
import type { Module } from "../nn/module.js";
import type { Callback } from "./callbacks.js";
import type { DpSgdOptions } from "./dp-sgd.js";

export interface RunSettings {
  /** Save model, optimizer, schedule and epoch here after every epoch. */
  checkpoint?: string;
  /** Continue from `checkpoint` when it exists. */
  resume?: boolean;
  /** Append one JSON object per epoch to this file. */
  eventLog?: string;
  /** Start from these weights (a safetensors file or a model directory), loaded by key. */
  init?: string;
  /** Freeze the parameters matching these name patterns. */
  freeze?: string[];
  /** Callbacks the first Trainer that fits adds to its own (a study's pruner). */
  callbacks?: Callback[];
  /** Where the run's notes go (what the weights loaded, what was frozen). */
  log?: (line: string) => void;
  /**
   * Called with the model after `init` is loaded (`flambeau compress` re-applies its pruning
   * masks here, so fine-tuning keeps the pruned weights at zero).
   */
  prepare?: (model: Module) => void;
  /**
   * Replaces the supervised loss of the first Trainer's training batches (`flambeau compress
   * --distill-to`: a teacher's softened outputs blended with the labels). `forwardOn(m)` runs a
   * model on the batch's input as the trained model ran (a teacher on the same examples, whatever
   * its forward takes: one tensor, a node graph's features and edges, a molecule batch);
   * `output` and `target` are the trained model's output and the labels.
   */
  distill?: (forwardOn: (model: Module) => Tensor, output: Tensor, target: Tensor) => Tensor;
  /** DP-SGD for the first Trainer that fits (`--dp-clip`, `--dp-noise` / `--dp-epsilon`). */
  dp?: DpSgdOptions;
}

let settings: RunSettings = {};
// What a Trainer has already taken since the settings were set: each part goes to the first one only.
type Part = "checkpoint" | "transfer" | "distill" | "callbacks" | "dp";
const claimed = new Set<Part>();
function firstClaim(part: Part): boolean {
  if (claimed.has(part)) return false;
  claimed.add(part);
  return true;
}

/** Sets the run's settings (the CLI, before it trains). */
export function setRunSettings(s: RunSettings): void {
  settings = { ...s };
  claimed.clear();
}

/** The run's event log, if any. */
export const runEventLog = (): string | undefined => settings.eventLog;

/** The run's checkpoint and resume flag, for the first Trainer that asks; undefined after that. */
export function claimRunCheckpoint(): { path: string; resume: boolean } | undefined {
  if (settings.checkpoint === undefined || !firstClaim("checkpoint")) return undefined;
  return { path: settings.checkpoint, resume: settings.resume ?? false };
}

/** The run's transfer settings, for the first Trainer that asks; undefined after that or when none. */
export function claimRunTransfer(): Pick<RunSettings, "init" | "freeze" | "log" | "prepare"> | undefined {
  if ((settings.init === undefined && settings.freeze === undefined && settings.prepare === undefined) || !firstClaim("transfer"))
    return undefined;
  return { init: settings.init, freeze: settings.freeze, log: settings.log, prepare: settings.prepare };
}

/** Whether the run carries a distillation loss no Trainer has claimed yet (a task may refuse it up front). */
export const runDistillPending = (): boolean => settings.distill !== undefined && !claimed.has("distill");

/** The run's distillation loss, for the first Trainer that fits; undefined after that or when none. */
export function claimRunDistill(): RunSettings["distill"] {
  if (settings.distill === undefined || !firstClaim("distill")) return undefined;
  return settings.distill;
}

/** The run's DP-SGD settings and log, for the first Trainer that fits; undefined after that or when none. */
export function claimRunDp(): { dp: DpSgdOptions; log?: (line: string) => void } | undefined {
  if (settings.dp === undefined || !firstClaim("dp")) return undefined;
  return { dp: settings.dp, log: settings.log };
}

/** The run's callbacks, for the first Trainer that fits; [] after that or when none. */
export function claimRunCallbacks(): Callback[] {
  if (settings.callbacks === undefined || !firstClaim("callbacks")) return [];
  return settings.callbacks;
}
