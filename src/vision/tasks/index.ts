// The vision tasks the CLI registry lists.
import { legacyTask } from "../../tasks/legacy.js";
import { opt } from "../../tasks/options.js";
import type { Task } from "../../tasks/task.js";
import { imageClassification } from "./image-classification.js";
import { imageFeatureExtraction } from "./image-feature-extraction.js";
import { imageToImage } from "./image-to-image.js";
import { imageLocalization } from "./localization.js";
import { instanceSegmentation, objectDetection } from "./object-detection.js";
import { imageSegmentation } from "./segmentation.js";

export const VISION_TASKS = {
  "image-classification": imageClassification,
  "image-feature-extraction": imageFeatureExtraction,
  "image-to-image": imageToImage,
  "image-localization": legacyTask(imageLocalization, {
    init: opt.path("continue or fine-tune from a saved model directory", { phases: ["train"] }),
  }),
  "image-segmentation": legacyTask(imageSegmentation, {
    init: opt.path("continue or fine-tune from a saved model directory", { phases: ["train"] }),
    cutout: opt.path("write an RGBA cut-out of the foreground to this PNG", { phases: ["predict"] }),
    background: opt.path("composite the foreground on this image (with --out)", { phases: ["predict"] }),
    out: opt.path("where --background writes the composite", { phases: ["predict"] }),
  }),
  "object-detection": legacyTask(objectDetection, {
    init: opt.path("continue or fine-tune from a saved model directory", { phases: ["train"] }),
    draw: opt.path("write the image with the boxes drawn to this PNG", { phases: ["predict"] }),
  }),
  "instance-segmentation": legacyTask(instanceSegmentation, {
    init: opt.path("continue or fine-tune from a saved model directory", { phases: ["train"] }),
    draw: opt.path("write the image with the boxes and masks drawn to this PNG", { phases: ["predict"] }),
  }),
} satisfies Record<string, Task>;
