// What the scene tasks (detection, instance and semantic segmentation, localization) share
// about a user's own data: where COCO images are, and the recipe for a fixed set, which
// unlike the generated scenes is seen again every epoch: augmentation by default, more
// epochs when the set is small, and a stop once validation has not improved for a while.
import { FlambeauError } from "../../core/errors.js";
import { opt } from "../../tasks/options.js";
import type { SceneAugmentOptions } from "../transforms/scene-augment.js";

export const AUGMENT_PRESETS = ["none", "flip", "dihedral"] as const;

export const SCENE_DATA_OPTIONS = {
  images: opt.path("COCO: the folder bare file_name values are looked for in first (then beside the json, images/, the split's folder)", {
    phases: ["train", "eval"],
  }),
  augment: opt.string(
    "augmentation of a fixed data set: flip (default: horizontal flips, scale/crop and colour jitter, boxes and masks moved alike), dihedral (also vertical flips and transposes, for top-down pictures) or none; generated scenes are fresh each epoch and use none",
    { phases: ["train"] },
  ),
};

export interface FixedDataRecipe {
  augment: SceneAugmentOptions | null;
  epochs: number;
  patience: number | undefined;
}

/**
 * The recipe for `n` training images: on generated scenes the task's own defaults; on a fixed
 * set augmentation (`preset`, default "flip"), at least `minSteps` optimiser steps (capped at
 * `maxEpochs`), and early stopping after a quarter of the epochs (at least 5) without progress.
 */
export function fixedDataRecipe(
  task: string,
  o: {
    generated: boolean;
    preset?: string;
    epochs?: number;
    defaultEpochs: number;
    n: number;
    batchSize: number;
    minSteps: number;
    maxEpochs: number;
  },
): FixedDataRecipe {
  const preset = o.preset ?? "flip";
  if (!(AUGMENT_PRESETS as readonly string[]).includes(preset))
    throw new FlambeauError("E_ARG", `${task}: --augment must be one of ${AUGMENT_PRESETS.join(", ")}, got "${preset}"`);
  if (o.generated) return { augment: null, epochs: o.epochs ?? o.defaultEpochs, patience: undefined };
  const steps = Math.max(1, Math.ceil(o.n / o.batchSize));
  const epochs = o.epochs ?? Math.min(o.maxEpochs, Math.max(o.defaultEpochs, Math.ceil(o.minSteps / steps)));
  const augment = preset === "none" ? null : { hflip: true, dihedral: preset === "dihedral" };
  return { augment, epochs, patience: Math.max(5, Math.ceil(epochs / 4)) };
}
