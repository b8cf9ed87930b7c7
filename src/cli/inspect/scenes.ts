// data inspect for the scene tasks (detection, segmentation, localization): the path is told
// apart as training tells it (vision/formats/open.ts), so what inspect reads is what train
// reads. A COCO file is scanned annotation by annotation (coco.ts), naming each missing image;
// VOC, YOLO and label-mask folders are read through the training reader itself, whose first
// error is the problem reported.
import { join } from "node:path";
import { exampleKey } from "../../data/split-keys.js";
import { findCocoAnnotations } from "../../vision/coco.js";
import { isSceneDataSet, readSceneData } from "../../vision/formats/open.js";
import { isDir } from "./class-folders.js";
import { scanCoco } from "./coco.js";
import { addProblem, type Scan } from "./scan.js";

/** root/train and root/test when both hold whole data sets (not COCO's bare image folders). */
export function sceneSplits(root: string): { data: string; test?: string } {
  const train = join(root, "train");
  const test = join(root, "test");
  return isDir(train) && isDir(test) && isSceneDataSet(train, "train") && isSceneDataSet(test, "test")
    ? { data: train, test }
    : { data: root };
}

export async function scanScenes(path: string): Promise<Scan> {
  if (path.endsWith(".json")) return scanCoco(path);
  const scan: Scan = { path, format: "scene data", items: [], problems: [] };
  if (isDir(path))
    try {
      const coco = findCocoAnnotations(path, "train");
      if (coco !== null) return scanCoco(coco);
    } catch (e) {
      addProblem(scan, (e as Error).message);
      return scan;
    }
  try {
    const read = await readSceneData(path, { role: "train" });
    scan.format = read.format;
    read.scenes.forEach((sc, i) => {
      scan.items.push({
        key: exampleKey(sc.image),
        where: `${read.source}: example ${i + 1}`,
        tags: sc.objects.map((o) => read.classes[o.category] ?? String(o.category)),
        width: read.size,
        height: read.size,
      });
    });
  } catch (e) {
    addProblem(scan, (e as Error).message);
  }
  return scan;
}
