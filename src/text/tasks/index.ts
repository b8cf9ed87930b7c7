// The text tasks the CLI registry lists.
import type { Task } from "../../train/task.js";

export const TEXT_TASKS = {} satisfies Record<string, Task>;
