// The vision tasks the CLI registry lists.
import type { Task } from "../../tasks/task.js";
import { depthEstimation } from "./depth-estimation.js";
import { imageClassification } from "./image-classification.js";
import { imageFeatureExtraction } from "./image-feature-extraction.js";
import { imageGeneration } from "./image-generation.js";
import { imageToImage } from "./image-to-image.js";
import { imageToText } from "./image-to-text.js";
import { imageLocalization } from "./localization.js";
import { instanceSegmentation, objectDetection } from "./object-detection.js";
import { sceneGraphTask } from "./scene-graph.js";
import { imageSegmentation } from "./segmentation.js";
import { textToImage } from "./text-to-image.js";

export const VISION_TASKS = {
  "image-classification": imageClassification,
  "image-feature-extraction": imageFeatureExtraction,
  "image-to-image": imageToImage,
  "image-to-text": imageToText,
  "image-localization": imageLocalization,
  "image-segmentation": imageSegmentation,
  "object-detection": objectDetection,
  "instance-segmentation": instanceSegmentation,
  "depth-estimation": depthEstimation,
  "scene-graph": sceneGraphTask,
  "text-to-image": textToImage,
  "image-generation": imageGeneration,
} satisfies Record<string, Task>;
