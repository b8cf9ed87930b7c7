// A task bundles what the CLI and library need to solve one kind of problem end to end:
// its data reader, model zoo, training recipe, metrics and prediction format. Tasks live
// in their modality folders; the CLI's frozen registry lists them.

import type { ProgressSink } from "./progress.js";
import type { History } from "./trainer.js";

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

export interface TaskTrainResult {
  dir: string;
  /** Validation metrics of the saved model. */
  metrics: Record<string, unknown>;
  history: History;
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

/** What the demo reports about one task run. */
export interface DemoSection {
  task: string;
  dataset: string;
  /** The CLI commands that reproduce the figures. */
  commands: string[];
  metrics: Record<string, number>;
  history: { loss: number; valLoss?: number; valAccuracy?: number }[];
  seconds: number;
  confusion?: { labels: string[]; matrix: number[][] };
  /** A few test examples with the model's answer; `image` is a PNG data URI when the input is an image. */
  samples?: { image?: string; input?: string; truth: string; predicted: string; probability: number }[];
  /** A self-contained HTML fragment (inline SVG/PNG data URIs, no scripts) shown after the samples:
   * highlighted entities, spectrograms, drawn graphs, before/after crops. Escape any text it holds. */
  extraHtml?: string;
}

export interface DemoOptions {
  full: boolean;
  out: string;
  progress?: ProgressSink;
  log?: (line: string) => void;
}

/** A task that can run itself on bundled data for `flambeau demo`. */
export interface DemoTask extends Task {
  demo(o: DemoOptions): Promise<DemoSection>;
}
