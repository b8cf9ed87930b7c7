// The graph tasks the CLI registry lists.
import { legacyTask } from "../../tasks/legacy.js";
import { opt } from "../../tasks/options.js";
import type { Task } from "../../tasks/task.js";
import { graphClassification } from "./graph-classification.js";
import { graphRegression } from "./graph-regression.js";
import { linkPrediction } from "./link-prediction.js";
import { nodeClassification } from "./node-classification.js";

export const GRAPH_TASKS = {
  "node-classification": legacyTask(nodeClassification, { topK: opt.int("labels to show", { phases: ["predict"], default: 3 }) }),
  "link-prediction": legacyTask(linkPrediction, { topK: opt.int("labels to show", { phases: ["predict"], default: 3 }) }),
  "graph-classification": legacyTask(graphClassification, { topK: opt.int("labels to show", { phases: ["predict"], default: 3 }) }),
  "graph-regression": legacyTask(graphRegression),
} satisfies Record<string, Task>;
