// Task name → its shallow baseline. Each modality contributes its hand-made features.
import { audioShallowPipeline } from "../audio/features/pipeline.js";
import { graphShallowPipeline } from "../graph/features/pipeline.js";
import type { ShallowPipeline } from "../tasks/baseline.js";
import { textShallowPipeline } from "../text/features/pipeline.js";
import { imageShallowPipeline } from "../vision/features/pipeline.js";

export const SHALLOW_PIPELINES: Readonly<Record<string, ShallowPipeline>> = Object.freeze({
  "image-classification": imageShallowPipeline as ShallowPipeline,
  "text-classification": textShallowPipeline as ShallowPipeline,
  "audio-classification": audioShallowPipeline as ShallowPipeline,
  "node-classification": graphShallowPipeline as ShallowPipeline,
});
