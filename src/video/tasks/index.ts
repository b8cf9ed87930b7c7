// The video tasks the CLI registry lists.
import type { Task } from "../../tasks/task.js";
import { videoClassification } from "./video-classification.js";

export const VIDEO_TASKS = {
  "video-classification": videoClassification,
} satisfies Record<string, Task>;
