// The graph tasks the CLI registry lists.
import type { Task } from "../../tasks/task.js";
import { communityDetection } from "./community-detection.js";
import { graphClassification } from "./graph-classification.js";
import { graphGeneration } from "./graph-generation.js";
import { graphRegression } from "./graph-regression.js";
import { knowledgeGraphCompletion } from "./knowledge-graph.js";
import { linkPrediction } from "./link-prediction.js";
import { nodeClassification } from "./node-classification.js";

export const GRAPH_TASKS = {
  "node-classification": nodeClassification,
  "link-prediction": linkPrediction,
  "graph-classification": graphClassification,
  "graph-regression": graphRegression,
  "graph-generation": graphGeneration,
  "knowledge-graph-completion": knowledgeGraphCompletion,
  "community-detection": communityDetection,
} satisfies Record<string, Task>;
