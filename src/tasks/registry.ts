// The frozen task registry (transformers.js's SUPPORTED_TASKS): task name → its declaration.
// Each modality lists its own tasks; the task-name type is derived from the union of them,
// and an unknown name errors with the valid ones. This file sits above the modalities and
// below everything that runs tasks (cli, serve, worker, compare).
import { AUDIO_TASKS } from "../audio/tasks/index.js";
import { FlambeauError } from "../core/errors.js";
import { GRAPH_TASKS } from "../graph/tasks/index.js";
import { fewShot } from "../learn/few-shot/task.js";
import { zeroShot } from "../learn/zero-shot/task.js";
import { TEXT_TASKS } from "../text/tasks/index.js";
import { VIDEO_TASKS } from "../video/tasks/index.js";
import { VISION_TASKS } from "../vision/tasks/index.js";
import type { Task } from "./task.js";

export const TASKS = Object.freeze({
  ...VISION_TASKS,
  ...TEXT_TASKS,
  ...AUDIO_TASKS,
  ...GRAPH_TASKS,
  ...VIDEO_TASKS,
  "few-shot": fewShot,
  "zero-shot": zeroShot,
} satisfies Record<string, Task>);

export type TaskName = keyof typeof TASKS;

export function getTask(name: string): Task {
  if (Object.hasOwn(TASKS, name)) return TASKS[name as TaskName];
  throw new FlambeauError("E_ARG", `unknown task "${name}"; tasks: ${Object.keys(TASKS).join(", ")}`);
}
