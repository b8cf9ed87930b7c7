// Checkpoints for data-parallel runs: rank 0 alone writes (atomically, every epoch), and a
// restarted run resumes from the last one: the ranks that can read it load it, the group
// agrees on the epoch, and DistributedDataParallel's start-up broadcast gives every rank
// rank 0's weights — so on several hosts only node 0 needs the file.

import { existsSync } from "node:fs";
import type { Tensor } from "../../core/index.js";
import { loadCheckpoint, type OptimizerStateDictLike, saveCheckpoint } from "../../io/checkpoint.js";
import type { Callback, TrainerState } from "../callbacks.js";
import { allReduceNumbers } from "./collectives.js";
import { getDefaultGroup, type ProcessGroup } from "./process-group.js";

interface Stateful {
  stateDict(): Map<string, Tensor>;
  loadStateDict(sd: Map<string, Tensor>): unknown;
}
interface OptimizerStateful {
  stateDict(): OptimizerStateDictLike;
  loadStateDict(sd: OptimizerStateDictLike): unknown;
}

/** A Trainer callback: rank 0 saves model, optimizer and epoch to `path` after every epoch. */
export class DistributedCheckpoint implements Callback {
  readonly path: string;
  readonly #model: Stateful;
  readonly #optimizer: OptimizerStateful | undefined;
  readonly #group: ProcessGroup | undefined;

  constructor(path: string, model: Stateful, optimizer?: OptimizerStateful, group?: ProcessGroup) {
    this.path = path;
    this.#model = model;
    this.#optimizer = optimizer;
    this.#group = group;
  }

  async onEpochEnd(s: TrainerState): Promise<void> {
    if ((this.#group ?? getDefaultGroup()).rank !== 0) return;
    await saveCheckpoint(this.path, {
      model: this.#model.stateDict(),
      ...(this.#optimizer ? { optimizer: this.#optimizer.stateDict() } : {}),
      epoch: s.epoch,
      step: s.step,
    });
  }
}

/**
 * Loads `path` where it exists and returns the epoch every rank resumes after (the
 * largest any rank read; 0 when none had it). Call before wrapping the model in DDP.
 */
export async function resumeFromCheckpoint(
  path: string,
  model: Stateful,
  optimizer?: OptimizerStateful,
  group?: ProcessGroup,
): Promise<number> {
  let epoch = 0;
  if (existsSync(path)) {
    const c = await loadCheckpoint(path);
    model.loadStateDict(c.model);
    if (optimizer && c.optimizer) optimizer.loadStateDict(c.optimizer);
    epoch = c.epoch;
  }
  const [agreed] = await allReduceNumbers([epoch], "max", { group: group ?? getDefaultGroup() });
  return agreed ?? 0;
}
