// Training: the Trainer loop, callbacks, metrics, progress, tasks.
export * from "./trainer.js";
export * from "./callbacks.js";
export * as metrics from "./metrics.js";
export { ClassificationMeter, type ClassificationReport, type ConfusionMatrix } from "./metrics.js";
export { ProgressBar, SilentProgress, type ProgressSink } from "./progress.js";
export * from "./task.js";
