// A saved model is a directory: model.safetensors (weights, PyTorch key names) and
// config.json (task, architecture, hyper-parameters, labels, preprocessing), so eval and
// predict need nothing else. Both files are written atomically (temp file + rename).
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../core/errors.js";
import type { Tensor } from "../core/index.js";
import { load, save, writeTextAtomic } from "../io/index.js";

export interface ModelConfig {
  task: string;
  architecture: string;
  /** Constructor arguments of the architecture. */
  hyper: Record<string, unknown>;
  labels?: string[];
  /** Task-specific preprocessing (image size, normalisation, vocabulary …). */
  preprocessing?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  flambeauVersion: string;
  created: string;
}

export async function saveModelDir(dir: string, config: ModelConfig, weights: Map<string, Tensor>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await save(weights, join(dir, "model.safetensors"), { format: "pt", task: config.task, architecture: config.architecture });
  await writeTextAtomic("saveModelDir", join(dir, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
}

/** Reads a model directory; with `task`, a directory of another task's model is an E_ARG error. */
export async function loadModelDir(dir: string, task?: string): Promise<{ config: ModelConfig; weights: Map<string, Tensor> }> {
  const cfgPath = join(dir, "config.json");
  const wPath = join(dir, "model.safetensors");
  if (!existsSync(cfgPath) || !existsSync(wPath))
    throw new FlambeauError(
      "E_IO",
      `${dir} is not a Flambeau model directory (expected config.json and model.safetensors; train one with \`flambeau train\`)`,
    );
  let config: ModelConfig;
  try {
    config = JSON.parse(readFileSync(cfgPath, "utf8")) as ModelConfig;
  } catch (e) {
    throw new FlambeauError("E_FORMAT", `${cfgPath}: invalid JSON (${(e as Error).message})`);
  }
  if (typeof config.task !== "string" || typeof config.architecture !== "string")
    throw new FlambeauError("E_FORMAT", `${cfgPath}: missing "task" or "architecture"`);
  if (task !== undefined && config.task !== task) throw new FlambeauError("E_ARG", `${dir} holds a ${config.task} model, not ${task}`);
  return { config, weights: await load(wPath) };
}
