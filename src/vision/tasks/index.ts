// The vision tasks the CLI registry lists.
import type { Task } from "../../train/task.js";
import { imageClassification } from "./image-classification.js";
import { imageFeatureExtraction } from "./image-feature-extraction.js";
import { imageToImage } from "./image-to-image.js";

export const VISION_TASKS = {
  "image-classification": imageClassification,
  "image-feature-extraction": imageFeatureExtraction,
  "image-to-image": imageToImage,
} satisfies Record<string, Task>;
