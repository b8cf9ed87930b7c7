// The graph tasks the CLI registry lists.
import type { Task } from "../../train/task.js";
import { linkPrediction } from "./link-prediction.js";
import { nodeClassification } from "./node-classification.js";

export const GRAPH_TASKS = { "node-classification": nodeClassification, "link-prediction": linkPrediction } satisfies Record<string, Task>;
