// data inspect for a COCO annotations file: objects per category, image sizes as the file
// states them, a key of each image file's bytes (resolved beside the file or in images/), and
// the images that cannot be found or read.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { exampleKey } from "../../data/split-keys.js";
import { readCoco } from "../../vision/coco.js";
import { addProblem, type Scan } from "./scan.js";

export function scanCoco(file: string): Scan {
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
  const base = dirname(file);
  for (const im of coco.images) {
    const where = `${file}: image ${im.id} (${im.fileName})`;
    const path = [join(base, im.fileName), join(base, "images", im.fileName)].find((p) => existsSync(p));
    let key = exampleKey(`missing:${im.fileName}`);
    if (path === undefined) addProblem(scan, `${where}: no such file beside the annotations or in images/`);
    else
      try {
        key = exampleKey(readFileSync(path));
      } catch (e) {
        addProblem(scan, `${where}: unreadable (${(e as Error).message})`);
      }
    scan.items.push({ key, where, tags: tags.get(im.id) ?? [], width: im.width, height: im.height });
  }
  return scan;
}
