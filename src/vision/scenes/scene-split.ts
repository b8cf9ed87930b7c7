// The split record (src/data/split-record.ts) for the scene tasks (detection, instance and
// semantic segmentation, localization): a user's COCO folder carves its validation part, so
// the model folder records the content key of every training and validation image (its
// decoded pixels), and eval on that folder scores only the images not trained on. Generated
// scenes need no record: their test scenes come from held-out objects and photos.
import { rowKeys } from "../../data/split-keys.js";
import { type Selection, selectUntrained, type TrainingOverlap } from "../../data/split-overlap.js";
import type { SplitRecordInput } from "../../data/split-record.js";
import type { EvalArgs } from "../../tasks/task.js";
import type { GeneratorSettings, SceneSplit } from "./task-data.js";

const sceneKeys = (set: SceneSplit): string[] => set.scenes.map((sc) => rowKeys(sc.image, sc.image.length)[0]!);

/** What train records for a scene task: nothing for generated scenes. */
export function sceneSplitRecord(
  f: { task: string; train: SceneSplit; val: SceneSplit; generator: GeneratorSettings | null },
  o: { data: string; seed: number },
): SplitRecordInput | undefined {
  if (f.generator) return undefined;
  return {
    task: f.task,
    data: o.data,
    seed: o.seed,
    examples: f.train.scenes.length + f.val.scenes.length,
    keyOf: "decoded pixels",
    train: sceneKeys(f.train),
    heldOut: sceneKeys(f.val),
  };
}

/** The scenes of `set` to score (those the model in `dir` was not trained on, unless asked), and the overlap to report. */
export function untrainedScenes(
  dir: string,
  data: string,
  set: SceneSplit,
  o: EvalArgs,
): { set: SceneSplit; overlap?: { trainingOverlap: TrainingOverlap } } {
  const { keep, overlap }: Selection = selectUntrained(dir, data, () => sceneKeys(set), o);
  return {
    set: keep ? { ...set, scenes: keep.map((i) => set.scenes[i]!) } : set,
    ...(overlap ? { overlap: { trainingOverlap: overlap } } : {}),
  };
}
