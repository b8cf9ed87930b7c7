// Task name → its shallow baseline. Each modality contributes its hand-made features.
import { imageShallowPipeline } from "../vision/features/pipeline.js";
import type { ShallowPipeline } from "./pipeline.js";

export const SHALLOW_PIPELINES: Readonly<Record<string, ShallowPipeline>> = Object.freeze({
  "image-classification": imageShallowPipeline as ShallowPipeline,
});
