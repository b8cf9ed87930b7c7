// A saved model is a directory: model.safetensors (weights, PyTorch key names) and
// config.json (task, architecture, hyper-parameters, labels, preprocessing, and the fields
// Hugging Face tools read: id2label, label2id, architectures, model_type), so eval and
// predict need nothing else. Both files are written atomically (temp file + rename), and the
// config is checked against its schema when read (config-schema.ts).
// The config is typed by the task (its hyper-parameters H and preprocessing P); the
// version and date are filled in here.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../core/errors.js";
import type { Tensor } from "../core/index.js";
import { FLAMBEAU_VERSION } from "../core/version.js";
import { load, save, writeTextAtomic } from "../io/index.js";
import { dequantizeWeights } from "../io/quantized-weights.js";
import { readJsonFile } from "../io/read-json.js";
import type { QuantizationPlan } from "../quant/quantize.js";
import { attachQuantization } from "../quant/session.js";
import { type ConfigSchemaParts, hfFields, validateModelConfig } from "./config-schema.js";
import { perClassScores } from "./metrics.js";

export interface ModelConfig<H = Record<string, unknown>, P = Record<string, unknown>> {
  task: string;
  architecture: string;
  /** Constructor arguments of the architecture. */
  hyper: H;
  labels?: string[];
  /** Task-specific preprocessing (image size, normalisation, vocabulary …). */
  preprocessing?: P;
  metrics?: Record<string, unknown>;
  flambeauVersion: string;
  created: string;
  /** Hugging Face's names for labels (string ids), written from `labels`. */
  id2label?: Record<string, string>;
  label2id?: Record<string, number>;
  architectures?: string[];
  model_type?: string;
}

/** What a task writes: the config without the version and date the runtime adds. */
export type SavedConfig<H = Record<string, unknown>, P = Record<string, unknown>> = Omit<
  ModelConfig<H, P>,
  "flambeauVersion" | "created" | "id2label" | "label2id" | "architectures" | "model_type"
>;

/**
 * Writes the weights and config.json; `processor` (an image processor's or feature extractor's
 * settings, hf-processor.ts) goes to preprocessor_config.json for other tools.
 */
export async function saveModelDir<H, P>(
  dir: string,
  config: SavedConfig<H, P>,
  weights: Map<string, Tensor>,
  o: { processor?: Record<string, unknown> } = {},
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const full: ModelConfig<H, P> = {
    ...config,
    flambeauVersion: FLAMBEAU_VERSION,
    created: new Date().toISOString(),
    ...hfFields(config.task, config.architecture, config.labels),
  };
  validateModelConfig(JSON.parse(JSON.stringify(full)), join(dir, "config.json"));
  await save(weights, join(dir, "model.safetensors"), { format: "pt", task: config.task, architecture: config.architecture });
  await writeTextAtomic("saveModelDir", join(dir, "config.json"), `${JSON.stringify(full, null, 2)}\n`);
  if (o.processor)
    await writeTextAtomic("saveModelDir", join(dir, "preprocessor_config.json"), `${JSON.stringify(o.processor, null, 2)}\n`);
}

/** The file in a model directory that holds its validation split's evaluation at the end of training. */
export const VALIDATION_REPORT = "validation.json";

/**
 * Writes VALIDATION_REPORT (atomically) beside the model: a classifier's validation split as
 * the trainer last evaluated it — the summary numbers, the confusion matrix (rows: true
 * labels, columns: predicted, in `labels` order) and per-class precision, recall, F1 and
 * support — so the studio shows them without a separate `flambeau eval`. Metrics without a
 * square confusion matrix of `labels` (multi-label heads) write none (and remove an old one).
 */
export async function saveValidationReport(
  dir: string,
  task: string,
  labels: readonly string[],
  metrics: Record<string, unknown>,
): Promise<void> {
  const cm = metrics.confusionMatrix;
  const square =
    Array.isArray(cm) &&
    cm.length === labels.length &&
    cm.every((r) => Array.isArray(r) && r.length === labels.length && r.every((v) => typeof v === "number"));
  // A stale report from an earlier training into this folder would describe another model.
  if (!square) return rmSync(join(dir, VALIDATION_REPORT), { force: true });
  const matrix = cm as number[][];
  const per = perClassScores(matrix);
  const summary = Object.fromEntries(Object.entries(metrics).filter(([k, v]) => k !== "confusionMatrix" && typeof v === "number"));
  const report = {
    task,
    split: "validation",
    examples: matrix.reduce((a, r) => a + r.reduce((b, v) => b + v, 0), 0),
    ...summary,
    labels,
    confusionMatrix: matrix,
    perClass: labels.map((label, i) => ({
      label,
      precision: per.precision[i]!,
      recall: per.recall[i]!,
      f1: per.f1[i]!,
      support: per.support[i]!,
    })),
    created: new Date().toISOString(),
  };
  await writeTextAtomic("saveValidationReport", join(dir, VALIDATION_REPORT), `${JSON.stringify(report)}\n`);
}

/**
 * Reads config.json alone (which task a directory holds) without loading the weights; `parts`
 * adds the task's schemas for its hyper-parameters and preprocessing to the check.
 */
export function readModelConfig<H = Record<string, unknown>, P = Record<string, unknown>>(
  dir: string,
  task?: string,
  parts?: ConfigSchemaParts,
): ModelConfig<H, P> {
  const cfgPath = join(dir, "config.json");
  const wPath = join(dir, "model.safetensors");
  if (!existsSync(cfgPath) || !existsSync(wPath))
    throw new FlambeauError(
      "E_IO",
      `${dir} is not a Flambeau model directory (expected config.json and model.safetensors; train one with \`flambeau train\`)`,
    );
  const config = readJsonFile("readModelConfig", cfgPath) as ModelConfig<H, P>;
  // Which task comes first: a directory of another task's model is the clearer error.
  const t = (config as { task?: unknown } | null)?.task;
  if (task !== undefined && typeof t === "string" && t !== task) throw new FlambeauError("E_ARG", `${dir} holds a ${t} model, not ${task}`);
  validateModelConfig(config, cfgPath, parts);
  return config;
}

/**
 * Reads a model directory; with `task`, a directory of another task's model is an E_ARG
 * error. H and P type the config as the task saved it (the task's own declaration). Int8
 * weights stored with their scales come back as float32.
 */
export async function loadModelDir<H = Record<string, unknown>, P = Record<string, unknown>>(
  dir: string,
  task?: string,
  parts?: ConfigSchemaParts,
): Promise<{ config: ModelConfig<H, P>; weights: Map<string, Tensor> }> {
  const config = readModelConfig<H, P>(dir, task, parts);
  const path = join(dir, "model.safetensors");
  // A compressed directory (`flambeau compress --quantize int8`) holds int8 weights with their
  // scales, and the plan that rebuilds its quantized layers when a model loads them.
  const weights = dequantizeWeights(await load(path), path);
  const compression = (config as { compression?: { int8Kernels?: QuantizationPlan } }).compression;
  attachQuantization(weights, compression?.int8Kernels);
  return { config, weights };
}
