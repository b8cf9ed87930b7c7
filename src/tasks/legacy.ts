// TEMPORARY (issue 21 migration): the pre-defineTask task shape, and an adapter that
// declares such a task through defineTask. Each modality's tasks move to defineTask in
// their own files; this file goes when the last one has.
import type { ProgressSink } from "../train/progress.js";
import type { OptionSpecs } from "./options.js";
import { type Task as DeclaredTask, type DemoOptions, type DemoSection, defineTask, type TaskTrainResult } from "./task.js";

export type { DemoOptions, DemoSection, TaskTrainResult };

export interface TaskTrainOptions {
  /** Training data (a validation split is carved from it unless `val` is given). */
  data: string;
  val?: string;
  out: string;
  model?: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  /** Use at most this many training examples (demo budgets). */
  limit?: number;
  /** Fine-tune from a pre-trained model directory (text-classification: a fill-mask encoder). */
  init?: string;
  /** Use a stratified, seeded fraction of the labelled training data (0 < x ≤ 1). */
  labelFraction?: number;
  /** Image classification: also mirror training images left–right (clothes, objects; not digits or text). */
  hflip?: boolean;
  progress?: ProgressSink;
  log?: (line: string) => void;
}

export interface TaskEvalOptions {
  batchSize?: number;
  limit?: number;
  /** Beam width of the decoder (speech to text, seq2seq) and the speech LM weight (default: the saved ones). */
  beam?: number;
  lmWeight?: number;
}

export interface TaskPredictOptions {
  topK?: number;
  /** Generation tasks: condition on this topic. */
  topic?: string;
  /** Generation tasks: how many tokens to produce at most, and the sampling temperature. */
  maxNewTokens?: number;
  temperature?: number;
  /** Generation tasks: receives text as it is produced (streaming). */
  onText?: (text: string) => void;
  /** Segmentation: write an RGBA cut-out of the foreground here. */
  cutout?: string;
  /** Segmentation: composite the foreground on this image, written to `out`. */
  background?: string;
  out?: string;
  /** Detection tasks: draw the predictions on the image and write it to this PNG (one input), or beside it per input. */
  draw?: string;
  /** Speech to text: beam width and language-model weight of the decoder (default: the saved ones). */
  beam?: number;
  lmWeight?: number;
}

export interface Task {
  readonly name: string;
  readonly description: string;
  /** The data formats `--data` accepts, for `flambeau tasks`. */
  readonly dataFormat: string;
  readonly models: readonly string[];
  readonly defaultModel: string;
  train(o: TaskTrainOptions): Promise<TaskTrainResult>;
  evaluate(dir: string, data: string, o?: TaskEvalOptions): Promise<Record<string, unknown>>;
  predict(dir: string, inputs: readonly string[], o?: TaskPredictOptions): Promise<unknown[]>;
  /** One human-readable line per prediction. */
  formatPrediction(p: unknown): string;
}

/** A legacy task that can run itself on bundled data for `flambeau demo`. */
export interface DemoTask extends Task {
  demo(o: DemoOptions): Promise<DemoSection>;
}

/** Declares a legacy task through defineTask with its options (its predictor reloads per call). */
export function legacyTask(t: Task & { demo?(o: DemoOptions): Promise<DemoSection> }, options: OptionSpecs = {}): DeclaredTask {
  return defineTask({
    name: t.name,
    description: t.description,
    dataFormat: t.dataFormat,
    models: t.models,
    defaultModel: t.defaultModel,
    options,
    train: (o) => t.train(o as TaskTrainOptions),
    evaluate: (dir, data, o) => t.evaluate(dir, data, o as TaskEvalOptions),
    load: async (dir) => ({
      task: t.name,
      predict: (inputs, o) => t.predict(dir, inputs, o as TaskPredictOptions),
      dispose: () => {},
    }),
    formatPrediction: (p) => t.formatPrediction(p),
    ...(t.demo ? { demo: t.demo } : {}),
  });
}
