// What a shallow ("hand-made features + linear model") baseline must provide for
// `flambeau compare`: the same data splits as the task's deep model, and a feature
// extractor a practitioner would have written by hand.

import type { Tensor } from "../core/index.js";

/** Raw examples (whatever the modality's reader returns) with int64 class labels [N]. */
export interface RawSplit<Raw> {
  x: Raw;
  y: Tensor;
  n: number;
}

export interface ShallowSplits<Raw> {
  train: RawSplit<Raw>;
  val: RawSplit<Raw>;
  test: RawSplit<Raw>;
  classes: string[];
  /** Training examples available before `limit` (after the validation carve). */
  available: number;
  /** Hand-made features [N, F] float32 (fitted on this training split where they learn anything, e.g. idf). */
  features(x: Raw): Tensor;
  /** Frees what `features` built and kept (the pipeline's dispose calls it). */
  release?(): void;
}

export interface SideResult {
  accuracy: number;
  trainSeconds: number;
  /** Wall time per test example, features included. */
  inferMs: number;
}

export interface ShallowPipeline<Raw = unknown> {
  /** e.g. "HOG + intensity histogram → logistic regression" */
  readonly name: string;
  /**
   * The task's splits of `data`: for a given seed and limit, the very examples the task's
   * deep model trains, validates and is tested on.
   */
  load(data: string, o: { seed: number; limit?: number }): Promise<ShallowSplits<Raw>>;
  dispose(s: ShallowSplits<Raw>): void;
  /**
   * Trains and tests the task's default deep model on the same `limit` training examples, for
   * tasks whose own `train` cannot take a limit (node classification: one graph is one sample
   * and the ladder is over its labelled nodes). Without it, compare calls the task's train.
   */
  deep?(data: string, o: { seed: number; limit: number; epochs?: number }): Promise<SideResult>;
  /** Looks inside a deep model the task trained (filters, activations, embeddings vs these features). */
  inspect?(modelDir: string, data: string): Promise<Inspection>;
}

export interface Inspection {
  /** A self-contained HTML fragment. */
  html: string;
  metrics: Record<string, number>;
}
