// Training: the Trainer loop, callbacks, metrics, progress, tasks.

export * from "./callbacks.js";
export * as distributed from "./distributed/index.js";
export { DpSgd, type DpSgdOptions } from "./dp-sgd.js";
export { GradualUnfreezing, type GradualUnfreezingOptions } from "./gradual-unfreezing.js";
export * as metrics from "./metrics.js";
export { ClassificationMeter, type ClassificationReport, type ConfusionMatrix } from "./metrics.js";
export * from "./model-dir.js";
export { MultiLabelMeter, type MultiLabelReport, multiLabelScores } from "./multilabel-meter.js";
export { ProgressBar, type ProgressSink, SilentProgress } from "./progress.js";
export { type RunSettings, setRunSettings } from "./run-settings.js";
export * from "./trainer.js";
