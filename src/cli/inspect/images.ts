// data inspect for an ImageFolder: each image's class, size (read from its header) and a key
// of its file's bytes; an image that does not decode is a problem naming the file.
import { readFileSync } from "node:fs";
import sharp from "sharp";
import { exampleKey } from "../../data/split-keys.js";
import { IMAGE_EXTENSIONS } from "../../vision/image-io.js";
import { classFiles } from "./class-folders.js";
import { addProblem, type Scan } from "./scan.js";

export async function scanImageFolder(root: string): Promise<Scan> {
  const scan: Scan = { path: root, format: "ImageFolder", items: [], problems: [] };
  for (const { file, label } of classFiles(root, IMAGE_EXTENSIONS, scan)) {
    try {
      const bytes = readFileSync(file);
      // stats() decodes the pixels (metadata() reads only the header), so a truncated file is caught here.
      const img = sharp(bytes);
      const m = await img.metadata();
      await img.stats();
      scan.items.push({ key: exampleKey(bytes), where: file, label, width: m.width, height: m.height });
    } catch (e) {
      addProblem(scan, `${file}: unreadable image (${(e as Error).message})`);
    }
  }
  return scan;
}
