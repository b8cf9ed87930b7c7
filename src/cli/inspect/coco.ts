// data inspect for a COCO annotations file: objects per category, image sizes as the file
// states them, a key of each image file's bytes (resolved where training looks for it:
// --images, beside the file, images/, the split's folder), and the images that cannot be
// found or read.
import { readFileSync } from "node:fs";
import { exampleKey } from "../../data/split-keys.js";
import { readCoco, resolveCocoImage } from "../../vision/coco.js";
import { addProblem, type Scan } from "./scan.js";

export function scanCoco(file: string, images?: string): Scan {
  const scan: Scan = { path: file, format: "COCO json", items: [], problems: [] };
  let coco: ReturnType<typeof readCoco>;
  try {
    coco = readCoco(file);
  } catch (e) {
    addProblem(scan, (e as Error).message);
    return scan;
  }
  const names = new Map(coco.categories.map((c) => [c.id, c.name]));
  const tags = new Map<number, string[]>();
  for (const a of coco.annotations) {
    const name = names.get(a.categoryId);
    if (name === undefined) addProblem(scan, `${file}: annotation ${a.id} names category ${a.categoryId}, which is not in "categories"`);
    else tags.set(a.imageId, [...(tags.get(a.imageId) ?? []), name]);
  }
  for (const im of coco.images) {
    const where = `${file}: image ${im.id} (${im.fileName})`;
    let key = exampleKey(`missing:${im.fileName}`);
    try {
      key = exampleKey(readFileSync(resolveCocoImage(file, im, images)));
    } catch (e) {
      addProblem(scan, (e as Error).message);
    }
    scan.items.push({ key, where, tags: tags.get(im.id) ?? [], width: im.width, height: im.height });
  }
  return scan;
}
