// The models a server holds: each a name (its URL segment), a model directory, its task and
// what its inputs are. `flambeau serve a b=runs/x` serves runs a as "a" and runs/x as "b".
import { basename, resolve } from "node:path";
import { AUDIO_TASKS } from "../audio/tasks/index.js";
import { FlambeauError } from "../core/errors.js";
import { getTask } from "../tasks/registry.js";
import type { Task } from "../tasks/task.js";
import { readModelConfig } from "../train/model-dir.js";
import { VISION_TASKS } from "../vision/tasks/index.js";
import type { InputKind } from "./limits.js";

export interface ServedModel {
  readonly name: string;
  /** Absolute model directory. */
  readonly dir: string;
  readonly task: Task;
  readonly kind: InputKind;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Vision tasks read image files, audio tasks WAV files; text and graph tasks read strings (text, node names, SMILES). */
export const inputKindOf = (task: string): InputKind =>
  Object.hasOwn(VISION_TASKS, task) ? "image" : Object.hasOwn(AUDIO_TASKS, task) ? "audio" : "text";

/** `dir` or `name=dir`, checked: a model directory, a URL-safe name, no name twice. */
export function servedModels(specs: readonly string[]): ServedModel[] {
  if (specs.length === 0) throw new FlambeauError("E_ARG", "serve: give at least one model directory", "serve");
  const out: ServedModel[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    const dir = resolve(eq > 0 ? spec.slice(eq + 1) : spec);
    const name = eq > 0 ? spec.slice(0, eq) : basename(dir);
    if (!NAME.test(name))
      throw new FlambeauError(
        "E_ARG",
        `serve: model name "${name}" is not URL-safe (letters, digits, . _ -, up to 64); name it with NAME=${spec}`,
        "serve",
      );
    if (out.some((m) => m.name === name))
      throw new FlambeauError("E_ARG", `serve: two models are named "${name}"; name them with NAME=DIR`, "serve");
    const task = getTask(readModelConfig(dir).task);
    out.push({ name, dir, task, kind: inputKindOf(task.name) });
  }
  return out;
}
