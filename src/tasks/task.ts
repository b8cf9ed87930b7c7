// The task contract. A task is declared once with defineTask: its name, options (typed,
// with help text and the commands they apply to), data formats, model zoo, how it trains
// (on the one Trainer), evaluates and loads a saved model into a Predictor, and its demo
// section. The CLI, the server, the workers, the demo and `compare` all reach a task
// through this contract and the registry (./registry.ts), never through each other.

import { FlambeauError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import type { Module } from "../nn/module.js";
import type { ProgressSink } from "../train/progress.js";
import type { History } from "../train/trainer.js";
import type { ShallowPipeline } from "./baseline.js";
import { describeDeterministicRun, enterDeterministicRun } from "./deterministic.js";
import { checkOptionValues, type OptionSpecs, type OptionValues, type Phase } from "./options.js";

/** What every task's train reads (the runtime's own options; a task adds its declared ones). */
export interface TrainArgs {
  /** Training data (a validation split is carved from it unless `val` is given). */
  data: string;
  val?: string;
  out: string;
  model?: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  /** Deterministic algorithms, a fixed thread count and libtorch seeded from `seed`: bit-identical reruns (./deterministic.ts). */
  deterministic?: boolean;
  /** Use at most this many training examples (demo budgets). */
  limit?: number;
  progress?: ProgressSink;
  log?: (line: string) => void;
}

/** What a declared task's train receives: TrainArgs with the runtime's defaults filled in. */
export type TrainInput = TrainArgs & { seed: number; log: (line: string) => void };

/** What every task's evaluate reads. */
export interface EvalArgs {
  batchSize?: number;
  limit?: number;
  /** Score examples the model was trained on too (its split record, src/data/split-record.ts, leaves them out by default). */
  includeTrainingData?: boolean;
  /** Read this split of the data (default "test"): `flambeau compress` calibrates int8 on "train". */
  split?: "train" | "test";
}

/** What every task's predictor reads. */
export interface PredictArgs {
  /** Generation tasks: receives text as it is produced (streaming). */
  onText?: (text: string) => void;
}

export interface TaskTrainResult {
  dir: string;
  /** Validation metrics of the saved model. */
  metrics: Record<string, unknown>;
  history: History;
}

/** A saved model loaded once, predicting many times: the CLI, the server and the workers hold one. */
/** An input held in memory; `name` is what errors call it (a server passes the client's file name). */
export interface InputBytes {
  bytes: Uint8Array;
  name: string;
}

export interface Predictor<P = unknown, O = Record<string, unknown>> {
  readonly task: string;
  predict(inputs: readonly string[], o?: O & PredictArgs): Promise<P[]>;
  /**
   * The same for inputs held in memory (a server's uploads), where the task decodes bytes
   * directly: no scratch file is written and read back. Tasks whose inputs are files of one
   * kind (images) offer it; the server falls back to files for the others.
   */
  predictBytes?(inputs: readonly InputBytes[], o?: O & PredictArgs): Promise<P[]>;
  /** Frees the model's tensors. */
  dispose(): void;
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

/** What a task declares. `O` are its own options; `P` its prediction type; `R` the raw examples of its shallow baseline. */
export interface TaskDefinition<O extends OptionSpecs, P, R = unknown> {
  readonly name: string;
  readonly description: string;
  /** The data formats `--data` accepts, for `flambeau tasks`. */
  readonly dataFormat: string;
  readonly models: readonly string[];
  readonly defaultModel: string;
  /** The models `flambeau tune` searches by default (the runtime's model option's search hint). */
  readonly searchModels?: readonly string[];
  /** The task's own options beyond the runtime's (TrainArgs, EvalArgs). */
  readonly options?: O;
  /** The shallow baseline its README figure stands beside, in words. */
  readonly baseline?: string;
  /** Hand-made features + a linear model on the same splits, for `flambeau compare`. */
  readonly shallow?: ShallowPipeline<R>;
  /** Receives the runtime's defaults filled in (seed 0, a silent log) and the declared options' defaults. */
  train(o: TrainInput & OptionValues<O>): Promise<TaskTrainResult>;
  evaluate(dir: string, data: string, o: EvalArgs & OptionValues<O>): Promise<Record<string, unknown>>;
  load(dir: string): Promise<Predictor<P, OptionValues<O>>>;
  /**
   * The saved model as an nn.Module in eval mode, fed what the task's training batches feed it
   * (`flambeau compress` prunes, quantizes and distils through it).
   */
  loadModule?(dir: string): Promise<Module>;
  /** What `flambeau export` traces: the saved model, an example batch of 2 and its preprocessing. */
  loadExport?(dir: string): Promise<ExportSpec>;
  /** One human-readable line per prediction. */
  formatPrediction(p: P): string;
  demo?(o: DemoOptions): Promise<DemoSection>;
}

/**
 * A saved model ready to trace for export: the module in eval mode, example inputs (dimension 0
 * is the batch, exported as symbolic), and what a runtime must do to the raw input first, as
 * strings for the file's metadata.
 */
export interface ExportSpec {
  module: Module & { forward(...xs: Tensor[]): unknown };
  inputs: Tensor[];
  inputNames: string[];
  outputNames: string[];
  metadata: Record<string, string>;
}

/** A declared task as the runtime sees it (the prediction and option types erased). */
export interface Task {
  readonly name: string;
  readonly description: string;
  readonly dataFormat: string;
  readonly models: readonly string[];
  readonly defaultModel: string;
  /** The models `flambeau tune` searches by default (the runtime's model option's search hint). */
  readonly searchModels?: readonly string[];
  readonly options: OptionSpecs;
  readonly baseline?: string;
  readonly shallow?: ShallowPipeline;
  train(o: TrainArgs & Record<string, unknown>): Promise<TaskTrainResult>;
  evaluate(dir: string, data: string, o?: EvalArgs & Record<string, unknown>): Promise<Record<string, unknown>>;
  load(dir: string): Promise<Predictor>;
  loadModule?(dir: string): Promise<Module>;
  loadExport?(dir: string): Promise<ExportSpec>;
  /** Loads, predicts and frees: for one-off calls (a server or a loop holds `load`'s predictor instead). */
  predict(dir: string, inputs: readonly string[], o?: PredictArgs & Record<string, unknown>): Promise<unknown[]>;
  formatPrediction(p: unknown): string;
  demo?(o: DemoOptions): Promise<DemoSection>;
}

/** A declared task with its prediction and option types kept (what defineTask returns; `pipeline` reads them). */
export interface TypedTask<O extends OptionSpecs, P> extends Task {
  load(dir: string): Promise<Predictor<P, OptionValues<O>>>;
}

/** A task that can run itself on bundled data for `flambeau demo`. */
export type DemoTask = Task & { demo(o: DemoOptions): Promise<DemoSection> };

const TASK_NAME = /^[a-z][a-z0-9-]*$/;
/** Options the runtime owns in each command: a task may not redeclare them there. */
export const RUNTIME_OPTIONS: Readonly<Record<Phase, readonly string[]>> = {
  train: ["data", "val", "out", "model", "epochs", "batchSize", "lr", "seed", "deterministic", "limit", "progress", "log", "json"],
  eval: ["data", "batchSize", "limit", "includeTrainingData", "json"],
  predict: ["onText", "json"],
};

/**
 * Declares a task: checks the declaration, and returns the frozen task whose train,
 * evaluate and load check their options against it (unknown or mistyped options are
 * errors that name the task and the option).
 */
export function defineTask<O extends OptionSpecs = Record<never, never>, P = unknown, R = unknown>(
  d: TaskDefinition<O, P, R>,
): TypedTask<O, P> {
  if (!TASK_NAME.test(d.name)) throw new FlambeauError("E_ARG", `defineTask: task names are kebab-case, got "${d.name}"`);
  // A default may depend on the data ("tiny (< 20k pairs) or small"): its first word names a model.
  if (!d.models.includes(d.defaultModel.split(" ")[0]!))
    throw new FlambeauError("E_ARG", `defineTask(${d.name}): defaultModel "${d.defaultModel}" is not in models (${d.models.join(", ")})`);
  const options: OptionSpecs = Object.freeze({ ...(d.options ?? {}) });
  for (const [k, spec] of Object.entries(options))
    for (const phase of spec.phases)
      if (RUNTIME_OPTIONS[phase].includes(k))
        throw new FlambeauError("E_ARG", `defineTask(${d.name}): option "${k}" belongs to the runtime in ${phase}`);
  // Checks the values, then fills in the declared defaults of this command's options.
  const check = <T extends Record<string, unknown>>(phase: Phase, o: T): T => {
    // The runtime's own options of this command (train's --out) are not the task's (predict's --out).
    const own = Object.fromEntries(Object.entries(o).filter(([k]) => !RUNTIME_OPTIONS[phase].includes(k)));
    checkOptionValues(d.name, options, phase, own);
    const filled: Record<string, unknown> = { ...o };
    for (const [k, spec] of Object.entries(options))
      if (spec.phases.includes(phase) && filled[k] === undefined && spec.default !== undefined) filled[k] = spec.default;
    return filled as T;
  };
  const checkModel = (model: unknown) => {
    if (model !== undefined && !d.models.includes(model as string))
      throw new FlambeauError("E_ARG", `unknown model "${String(model)}" for ${d.name}; models: ${d.models.join(", ")}`);
  };
  const task: Task = {
    name: d.name,
    description: d.description,
    dataFormat: d.dataFormat,
    models: d.models,
    defaultModel: d.defaultModel,
    ...(d.searchModels !== undefined ? { searchModels: d.searchModels } : {}),
    options,
    ...(d.baseline !== undefined ? { baseline: d.baseline } : {}),
    ...(d.shallow !== undefined ? { shallow: d.shallow as ShallowPipeline } : {}),
    // async: a bad model or option rejects the returned promise rather than throwing at the call.
    train: async (o) => {
      checkModel(o.model);
      const args = { ...check("train", o), seed: o.seed ?? 0, log: o.log ?? (() => {}) };
      if (!o.deterministic) return d.train(args as Parameters<typeof d.train>[0]);
      const run = enterDeterministicRun(args.seed);
      args.log(describeDeterministicRun(d.name, run.settings));
      try {
        return await d.train(args as Parameters<typeof d.train>[0]);
      } finally {
        run.restore();
      }
    },
    evaluate: async (dir, data, o = {}) => d.evaluate(dir, data, check("eval", o) as EvalArgs & OptionValues<O>),
    load: async (dir) => {
      const p = await d.load(dir);
      const bytes = p.predictBytes?.bind(p);
      return {
        task: d.name,
        predict: async (inputs, o = {}) => p.predict(inputs, check("predict", o) as OptionValues<O> & PredictArgs),
        ...(bytes ? { predictBytes: async (inputs, o = {}) => bytes(inputs, check("predict", o) as OptionValues<O> & PredictArgs) } : {}),
        dispose: () => p.dispose(),
      };
    },
    predict: async (dir, inputs, o = {}) => {
      const args = check("predict", o) as OptionValues<O> & PredictArgs;
      const p = await d.load(dir);
      try {
        return await p.predict(inputs, args);
      } finally {
        p.dispose();
      }
    },
    formatPrediction: (p) => d.formatPrediction(p as P),
    ...(d.loadModule ? { loadModule: d.loadModule } : {}),
    ...(d.loadExport ? { loadExport: d.loadExport } : {}),
    ...(d.demo ? { demo: d.demo } : {}),
  };
  return Object.freeze(task) as TypedTask<O, P>;
}
