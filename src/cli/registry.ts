// The frozen task registry (transformers.js's SUPPORTED_TASKS): task name → its definition.
// The task-name type is derived from it; an unknown name errors with the valid ones.
import { FlambeauError } from "../core/errors.js";
import type { Task } from "../train/task.js";
import { imageClassification } from "../vision/tasks/image-classification.js";

export const TASKS = Object.freeze({
  "image-classification": imageClassification,
} satisfies Record<string, Task>);

export type TaskName = keyof typeof TASKS;

export function getTask(name: string): Task {
  if (Object.hasOwn(TASKS, name)) return TASKS[name as TaskName];
  throw new FlambeauError("E_ARG", `unknown task "${name}"; tasks: ${Object.keys(TASKS).join(", ")}`);
}
