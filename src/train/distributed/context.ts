// The ambient distributed setting: when this process was started as one rank of a group
// (the CLI's --nproc launcher, or a user's own initProcessGroup), the Trainer trains
// data-parallel without the task knowing: rank 0's weights are broadcast, each rank takes
// its rows of every batch, gradients are averaged. So `--nproc N` is the same training
// (same global batch, same steps, same schedule) with the model's work split N ways.

import type { Tensor } from "../../core/index.js";
import { type DdpModule, DistributedDataParallel } from "./ddp.js";
import { getDefaultGroup, isInitialized } from "./process-group.js";

const wrapped = new WeakMap<object, DistributedDataParallel>();

/** What the Trainer uses to train data-parallel (its GradientSync, with this rank's place in the group). */
export interface AmbientSync {
  readonly ddp: DistributedDataParallel;
  syncGradients(): Promise<void>;
  allReduceSum(values: readonly number[]): Promise<number[]>;
  readonly rank: number;
  readonly worldSize: number;
}

/** The DDP wrapper of `model` in the default group, made on first use; undefined when not distributed. */
export async function ambientDdp(model: Omit<DdpModule, "buffers"> & { buffers?(): Tensor[] }): Promise<AmbientSync | undefined> {
  if (!isInitialized() || getDefaultGroup().worldSize === 1) return undefined;
  let ddp = wrapped.get(model);
  if (!ddp) {
    const m: DdpModule = { ...bind(model), buffers: () => model.buffers?.() ?? [] };
    ddp = await DistributedDataParallel.create(m);
    wrapped.set(model, ddp);
  }
  const d = ddp;
  return {
    ddp: d,
    syncGradients: () => d.syncGradients(),
    allReduceSum: (v) => d.allReduceSum(v),
    rank: d.rank,
    worldSize: d.worldSize,
  };
}

function bind(model: Omit<DdpModule, "buffers">): Omit<DdpModule, "buffers"> {
  return {
    forward: (x) => model.forward(x),
    train: (mode) => model.train(mode),
    eval: () => model.eval(),
    parameters: () => model.parameters(),
    stateDict: () => model.stateDict(),
  };
}
