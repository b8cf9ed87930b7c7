// Full-graph training (one batch per epoch: the whole graph, the loss on some of its nodes
// or edges) reports progress once per epoch — one bar over the epochs rather than a bar
// over the single step of each epoch.

import { plural } from "../tasks/format.js";
import type { Callback } from "../train/callbacks.js";
import type { ProgressSink } from "../train/progress.js";

/** A Trainer callback that reports to `progress` once per epoch (one bar of `epochs`). */
export function epochProgress(progress: ProgressSink | undefined, epochs: number): Callback {
  return {
    onTrainBegin: () => progress?.start("epochs", epochs),
    onEpochEnd: (s, logs) => progress?.update(s.epoch, logs),
    onTrainEnd: (s) => progress?.end(`${plural(s.epoch, "epoch")}`),
  };
}
