// The video tasks the CLI registry lists.
import type { Task } from "../../tasks/task.js";
import { frameInterpolation } from "./frame-interpolation.js";
import { objectTracking } from "./object-tracking.js";
import { videoClassification } from "./video-classification.js";
import { videoGeneration } from "./video-generation.js";
import { videoPrediction } from "./video-prediction.js";
import { videoSuperResolution } from "./video-super-resolution.js";

export const VIDEO_TASKS = {
  "video-classification": videoClassification,
  "video-prediction": videoPrediction,
  "frame-interpolation": frameInterpolation,
  "object-tracking": objectTracking,
  "video-super-resolution": videoSuperResolution,
  "video-generation": videoGeneration,
} satisfies Record<string, Task>;
