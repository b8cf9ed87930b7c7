// The audio tasks the CLI registry lists.
import type { Task } from "../../train/task.js";

export const AUDIO_TASKS = {} satisfies Record<string, Task>;
