// Which format a scene task's --data is, told from the path alone: a YOLO data.yaml, a COCO
// .json or folder (annotations.json, instances_*.json beside it or in annotations/), a Pascal
// VOC folder (Annotations/), a label-mask folder (images/ + masks/), or train/ and test/
// subfolders of one of these. The answer is logged, so a user sees how the data was read.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { findCocoAnnotations } from "../coco.js";
import { readSceneDataset } from "../scenes/dataset.js";
import type { SceneSet } from "../scenes/generate.js";
import { isMaskFolder, readMaskFolder } from "./mask-folder.js";
import { isVocFolder, readVocFolder } from "./voc.js";
import { findYoloYaml, readYoloSet } from "./yolo.js";

export type SceneFormat = "coco" | "voc" | "yolo" | "mask-folder";

export interface ReadSceneDataOptions {
  /** Which split of the data: train (validation is carved from it) or test. */
  role: "train" | "test";
  /** Square side to read the images at (default: the first image's). */
  size?: number;
  limit?: number;
  /** COCO: the folder bare file names are looked for in first. */
  images?: string;
}

export type SceneData = Pick<SceneSet, "size" | "classes" | "scenes"> & { format: SceneFormat; source: string };

/** One line for `flambeau tasks`: the formats the path is recognised as. */
export const SCENE_FORMATS_TEXT =
  "COCO (annotations.json or instances_*.json; bare file_name found in --images DIR, beside the json, images/, or the split's folder such as train2017/), Pascal VOC (Annotations/*.xml + JPEGImages/, ImageSets/Main/{train,val,test}.txt), YOLO (data.yaml with names/train/val + images/ and labels/), label-mask folders (images/ + masks/ with the same stems, grey or palette class ids, 255 ignored, optional classes.txt); told apart from the path, and train/ + test/ subfolders of any of them";

/** Whether a folder is itself a data set of a supported format (not just images). */
export const isSceneDataSet = (dir: string, role: "train" | "test"): boolean =>
  findYoloYaml(dir) !== null || isVocFolder(dir) || findCocoAnnotations(dir, role) !== null || isMaskFolder(dir);

/** Reads scene-task data in whichever supported format the path is. */
export async function readSceneData(data: string, o: ReadSceneDataOptions): Promise<SceneData> {
  if (!existsSync(data)) throw new FlambeauError("E_IO", `no such file or folder ${data}`, "readSceneData");
  const read = { size: o.size, limit: o.limit };
  const yaml = findYoloYaml(data);
  if (yaml) return { ...(await readYoloSet(yaml, { ...read, role: o.role })), format: "yolo", source: yaml };
  if (data.endsWith(".json"))
    return { ...(await readSceneDataset(data, { ...read, images: o.images, role: o.role })), format: "coco", source: data };
  if (!statSync(data).isDirectory())
    throw new FlambeauError("E_FORMAT", `${data}: not a data set; expected a folder or a COCO .json / YOLO data.yaml`, "readSceneData");
  if (isVocFolder(data)) return { ...(await readVocFolder(data, { ...read, role: o.role })), format: "voc", source: data };
  // train/ and test/ holding whole data sets come first, so the test role never reads a
  // top-level training file; a train/ of bare images is COCO's image folder instead.
  const sub = join(data, o.role);
  if (existsSync(sub) && statSync(sub).isDirectory() && isSceneDataSet(sub, o.role)) return readSceneData(sub, o);
  const coco = findCocoAnnotations(data, o.role);
  if (coco) return { ...(await readSceneDataset(coco, { ...read, images: o.images, role: o.role })), format: "coco", source: coco };
  if (isMaskFolder(data)) return { ...(await readMaskFolder(data, read)), format: "mask-folder", source: data };
  throw new FlambeauError(
    "E_FORMAT",
    `${data}: no data set format recognised; the scene tasks read ${SCENE_FORMATS_TEXT}`,
    "readSceneData",
  );
}
