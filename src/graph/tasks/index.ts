// The graph tasks the CLI registry lists.
import type { Task } from "../../train/task.js";

export const GRAPH_TASKS = {} satisfies Record<string, Task>;
