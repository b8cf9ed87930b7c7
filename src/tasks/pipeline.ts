// `pipeline(task, dir)`: a saved model loaded once, typed by its task (transformers.js's
// pipeline, for models trained here): image-classification predicts labels with
// probabilities, object-detection boxes, automatic-speech-recognition text …
import { FlambeauError } from "../core/errors.js";
import { readModelConfig } from "../train/model-dir.js";
import { TASKS, type TaskName } from "./registry.js";
import type { Predictor, TypedTask } from "./task.js";

/** The predictor type of a registered task. */
export type PipelineOf<N extends TaskName> =
  (typeof TASKS)[N] extends TypedTask<infer O, infer P>
    ? Predictor<P, { [K in keyof O]?: O[K] extends { parse(raw: string, flag: string): infer T } ? T : never }>
    : Predictor;

/**
 * Loads the model in `dir` for `task` (checked against the task the directory was saved by);
 * `dispose()` the predictor when done.
 */
export async function pipeline<N extends TaskName>(task: N, dir: string): Promise<PipelineOf<N>> {
  if (!Object.hasOwn(TASKS, task))
    throw new FlambeauError("E_ARG", `pipeline: unknown task "${task}"; tasks: ${Object.keys(TASKS).join(", ")}`);
  const saved = readModelConfig(dir).task;
  if (saved !== task) throw new FlambeauError("E_ARG", `pipeline: ${dir} holds a ${saved} model, not ${task}`);
  return (await TASKS[task].load(dir)) as PipelineOf<N>;
}
