// The text tasks the CLI registry lists.
import { legacyTask } from "../../tasks/legacy.js";
import { opt } from "../../tasks/options.js";
import type { Task } from "../../tasks/task.js";
import { textGeneration } from "../seq2seq/generation-task.js";
import { summarization, translation } from "../seq2seq/task.js";
import { featureExtraction } from "./feature-extraction.js";
import { fillMask } from "./fill-mask.js";
import { textClassification } from "./text-classification.js";
import { tokenClassification } from "./token-classification.js";

export const TEXT_TASKS = {
  "text-classification": legacyTask(textClassification, {
    topK: opt.int("labels to show", { phases: ["predict"], default: 3 }),
    init: opt.path("continue or fine-tune from a saved model directory", { phases: ["train"] }),
    labelFraction: opt.fraction("use this stratified, seeded fraction of the labelled training data", { phases: ["train"] }),
  }),
  "token-classification": legacyTask(tokenClassification),
  "fill-mask": legacyTask(fillMask, { topK: opt.int("labels to show", { phases: ["predict"], default: 3 }) }),
  "feature-extraction": legacyTask(featureExtraction, { topK: opt.int("labels to show", { phases: ["predict"], default: 3 }) }),
  translation: legacyTask(translation, { beam: opt.int("beam width of the decoder", { phases: ["eval", "predict"] }) }),
  summarization: legacyTask(summarization, { beam: opt.int("beam width of the decoder", { phases: ["eval", "predict"] }) }),
  "text-generation": legacyTask(textGeneration, {
    topK: opt.int("sample from the k likeliest tokens", { phases: ["predict"] }),
    topic: opt.string("condition on this topic", { phases: ["predict"] }),
    maxNewTokens: opt.int("tokens to produce at most", { phases: ["predict"] }),
    temperature: opt.number("sampling temperature", { phases: ["predict"], positive: true }),
  }),
} satisfies Record<string, Task>;
