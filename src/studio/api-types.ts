// The studio's HTTP API types, shared by the server (src/studio/) and the page (web/studio/),
// which imports them as types only; so this file imports nothing.

export type RunEvent = Record<string, number | string>;

export interface RunSummary {
  name: string;
  task?: string;
  architecture?: string;
  labels?: string[];
  /** What config.json records of the training (validation metrics, epochs, batch size …). */
  metrics?: Record<string, unknown>;
  /** Epochs logged so far. */
  epochs: number;
  /** The last epoch's numbers. */
  last?: RunEvent;
  hasModel: boolean;
  hasEval: boolean;
  /** Last change to any of its files (ISO). */
  updated: string;
  /** A file of the run that could not be read (the rest still shows). */
  problem?: string;
  /** What `predict` takes, added by the server for runs whose task it knows. */
  input?: "image" | "audio" | "text";
}

export interface RunDetail extends RunSummary {
  config?: Record<string, unknown>;
  events: RunEvent[];
  evaluation?: Record<string, unknown>;
}

export interface Prediction {
  predictions: unknown[];
  text: string[];
}
