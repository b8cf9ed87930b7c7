// Task name → its shallow baseline. Each modality contributes its hand-made features.
import { textShallowPipeline } from "../text/features/pipeline.js";
import { imageShallowPipeline } from "../vision/features/pipeline.js";
import type { ShallowPipeline } from "./pipeline.js";

export const SHALLOW_PIPELINES: Readonly<Record<string, ShallowPipeline>> = Object.freeze({
  "image-classification": imageShallowPipeline as ShallowPipeline,
  "text-classification": textShallowPipeline as ShallowPipeline,
});
