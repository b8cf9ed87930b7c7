// What `flambeau export` traces for the scene tasks (segmentation, detection, instance
// segmentation): the saved network on two normalised RGB images of the trained size.
import { tensor } from "../../core/index.js";
import type { Module } from "../../nn/module.js";
import type { ExportSpec } from "../../tasks/task.js";
import { type ImagePreprocessing, normalise } from "../scenes/loader.js";

export function sceneExportSpec(
  model: Module & { forward(x: import("../../core/index.js").Tensor): unknown },
  pre: ImagePreprocessing,
  labels: readonly string[],
  output: string,
): ExportSpec {
  const n = 2 * 3 * pre.size * pre.size;
  const pixels = Uint8Array.from({ length: n }, (_, i) => (i * 37) % 256);
  return {
    module: model,
    inputs: [normalise(tensor(pixels, { shape: [2, 3, pre.size, pre.size] }), pre)],
    inputNames: ["pixels"],
    outputNames: ["output"],
    metadata: {
      input: `float32 [batch, 3, ${pre.size}, ${pre.size}]: the RGB image resized to ${pre.size}×${pre.size}, values/255, minus mean, divided by std per channel`,
      output,
      preprocessing: JSON.stringify({ size: pre.size, channels: 3, mean: pre.mean, std: pre.std }),
      labels: JSON.stringify(labels),
    },
  };
}
