// The text tasks the CLI registry lists.
import type { Task } from "../../train/task.js";
import { textGeneration } from "../seq2seq/generation-task.js";
import { summarization, translation } from "../seq2seq/task.js";
import { textClassification } from "./text-classification.js";
import { tokenClassification } from "./token-classification.js";

export const TEXT_TASKS = {
  "text-classification": textClassification,
  "token-classification": tokenClassification,
  translation,
  summarization,
  "text-generation": textGeneration,
} satisfies Record<string, Task>;
