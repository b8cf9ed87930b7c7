// The text tasks the CLI registry lists.
import type { Task } from "../../tasks/task.js";
import { textGeneration } from "../seq2seq/generation-task.js";
import { summarization, translation } from "../seq2seq/task.js";
import { chat } from "./chat.js";
import { featureExtraction } from "./feature-extraction.js";
import { fillMask } from "./fill-mask.js";
import { informationRetrieval } from "./information-retrieval.js";
import { questionAnswering } from "./question-answering.js";
import { relationExtraction } from "./relation-extraction.js";
import { textClassification } from "./text-classification.js";
import { textStyleTransfer } from "./text-style-transfer.js";
import { tokenClassification } from "./token-classification.js";
import { topicModeling } from "./topic-modeling.js";

export const TEXT_TASKS = {
  "text-classification": textClassification,
  "token-classification": tokenClassification,
  "fill-mask": fillMask,
  "feature-extraction": featureExtraction,
  translation,
  summarization,
  "text-generation": textGeneration,
  "information-retrieval": informationRetrieval,
  "question-answering": questionAnswering,
  "topic-modeling": topicModeling,
  "relation-extraction": relationExtraction,
  "text-style-transfer": textStyleTransfer,
  chat,
} satisfies Record<string, Task>;
