// The vision tasks the CLI registry lists.
import type { Task } from "../../train/task.js";
import { imageClassification } from "./image-classification.js";

export const VISION_TASKS = {
  "image-classification": imageClassification,
} satisfies Record<string, Task>;
