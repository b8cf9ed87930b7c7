// A saved model is a directory: model.safetensors (weights, PyTorch key names) and
// config.json (task, architecture, hyper-parameters, labels, preprocessing), so eval and
// predict need nothing else. Both files are written atomically (temp file + rename).
// The config is typed by the task (its hyper-parameters H and preprocessing P); the
// version and date are filled in here.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../core/errors.js";
import type { Tensor } from "../core/index.js";
import { FLAMBEAU_VERSION } from "../core/version.js";
import { load, save, writeTextAtomic } from "../io/index.js";

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
}

/** What a task writes: the config without the version and date the runtime adds. */
export type SavedConfig<H = Record<string, unknown>, P = Record<string, unknown>> = Omit<ModelConfig<H, P>, "flambeauVersion" | "created">;

export async function saveModelDir<H, P>(dir: string, config: SavedConfig<H, P>, weights: Map<string, Tensor>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const full: ModelConfig<H, P> = { ...config, flambeauVersion: FLAMBEAU_VERSION, created: new Date().toISOString() };
  await save(weights, join(dir, "model.safetensors"), { format: "pt", task: config.task, architecture: config.architecture });
  await writeTextAtomic("saveModelDir", join(dir, "config.json"), `${JSON.stringify(full, null, 2)}\n`);
}

/** Reads config.json alone (which task a directory holds) without loading the weights. */
export function readModelConfig<H = Record<string, unknown>, P = Record<string, unknown>>(dir: string, task?: string): ModelConfig<H, P> {
  const cfgPath = join(dir, "config.json");
  const wPath = join(dir, "model.safetensors");
  if (!existsSync(cfgPath) || !existsSync(wPath))
    throw new FlambeauError(
      "E_IO",
      `${dir} is not a Flambeau model directory (expected config.json and model.safetensors; train one with \`flambeau train\`)`,
    );
  let config: ModelConfig<H, P>;
  try {
    config = JSON.parse(readFileSync(cfgPath, "utf8")) as ModelConfig<H, P>;
  } catch (e) {
    throw new FlambeauError("E_FORMAT", `${cfgPath}: invalid JSON (${(e as Error).message})`);
  }
  if (config === null || typeof config !== "object" || typeof config.task !== "string" || typeof config.architecture !== "string")
    throw new FlambeauError("E_FORMAT", `${cfgPath}: missing "task" or "architecture"`);
  if (task !== undefined && config.task !== task) throw new FlambeauError("E_ARG", `${dir} holds a ${config.task} model, not ${task}`);
  return config;
}

/**
 * Reads a model directory; with `task`, a directory of another task's model is an E_ARG
 * error. H and P type the config as the task saved it (the task's own declaration).
 */
export async function loadModelDir<H = Record<string, unknown>, P = Record<string, unknown>>(
  dir: string,
  task?: string,
): Promise<{ config: ModelConfig<H, P>; weights: Map<string, Tensor> }> {
  const config = readModelConfig<H, P>(dir, task);
  return { config, weights: await load(join(dir, "model.safetensors")) };
}
