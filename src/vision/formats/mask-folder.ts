// Label-mask folders for segmentation: images/<stem>.<ext> and masks/<stem>.png with the same
// stems, each mask a grey or palette PNG of class ids (0 background, 255 ignored). Class names
// come from classes.txt (or labels.txt) beside them, one a line, line 1 being background; else
// "class 1" … up to the largest id found. Each class present in an image is also one object
// (its pixels' box), so localization and detection can read the folder too.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { IGNORE_LABEL } from "../coco.js";
import { readImage } from "../image-io.js";
import type { Scene, SceneSet } from "../scenes/generate.js";
import { readClassIds } from "./palette.js";
import { type AnnotatedObject, defaultSide, loadScene } from "./scene-builder.js";

const IMAGE_EXT = new Set([".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"]);
const stem = (f: string) => f.slice(0, f.length - extname(f).length);

/** True when `dir` has images/ and masks/ (and no COCO annotations, which take precedence). */
export const isMaskFolder = (dir: string): boolean => existsSync(join(dir, "images")) && existsSync(join(dir, "masks"));

function classNames(dir: string): string[] | null {
  for (const n of ["classes.txt", "labels.txt"]) {
    const f = join(dir, n);
    if (existsSync(f)) {
      const names = readFileSync(f, "utf8")
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== "");
      if (names.length < 2)
        throw new FlambeauError("E_FORMAT", `${f}: needs background and at least one class, one a line`, "readMaskFolder");
      return names.slice(1);
    }
  }
  return null;
}

/** Reads a label-mask folder into scenes (semantic map, and one object per class present). */
export async function readMaskFolder(
  dir: string,
  o: { size?: number; limit?: number } = {},
): Promise<Pick<SceneSet, "size" | "classes" | "scenes">> {
  const imgDir = join(dir, "images");
  const maskDir = join(dir, "masks");
  let files = readdirSync(imgDir)
    .filter((f) => IMAGE_EXT.has(extname(f).toLowerCase()))
    .sort();
  if (files.length === 0) throw new FlambeauError("E_FORMAT", `${imgDir}: no images`, "readMaskFolder");
  if (o.limit !== undefined) files = files.slice(0, o.limit);
  const named = classNames(dir);
  const read: { image: string; mask: string; ids: Uint8Array; height: number; width: number }[] = [];
  let maxId = 0;
  for (const f of files) {
    const mask = join(maskDir, `${stem(f)}.png`);
    if (!existsSync(mask)) throw new FlambeauError("E_IO", `${join(imgDir, f)}: no label mask ${mask} (same stem, .png)`, "readMaskFolder");
    const m = await readClassIds(mask);
    for (let i = 0; i < m.ids.length; i++) {
      const v = m.ids[i]!;
      if (v === IGNORE_LABEL) continue;
      if (named && v > named.length)
        throw new FlambeauError(
          "E_FORMAT",
          `${mask}: class id ${v} at (x ${i % m.width}, y ${Math.floor(i / m.width)}) is past the ${named.length} classes of ${dir}/classes.txt (0 is background, ${IGNORE_LABEL} ignored)`,
          "readMaskFolder",
        );
      if (v > maxId) maxId = v;
    }
    read.push({ image: join(imgDir, f), mask, ...m });
  }
  const classes = named ?? Array.from({ length: Math.max(1, maxId) }, (_, k) => `class ${k + 1}`);
  let side = o.size;
  const scenes: Scene[] = [];
  for (const r of read) {
    if (side === undefined) {
      const probe = await readImage(r.image, { channels: 3 });
      side = defaultSide(probe.width, probe.height);
    }
    const objects: AnnotatedObject[] = [];
    for (let c = 1; c <= classes.length; c++) {
      let [x0, y0, x1, y1, area] = [r.width, r.height, -1, -1, 0];
      const mask = new Uint8Array(r.ids.length);
      for (let i = 0; i < r.ids.length; i++)
        if (r.ids[i] === c) {
          const x = i % r.width;
          const y = (i - x) / r.width;
          mask[i] = 1;
          area++;
          if (x < x0) x0 = x;
          if (y < y0) y0 = y;
          if (x > x1) x1 = x;
          if (y > y1) y1 = y;
        }
      if (area) objects.push({ category: c - 1, box: [x0, y0, x1 - x0 + 1, y1 - y0 + 1], area, mask });
    }
    scenes.push(
      await loadScene(r.image, objects, {
        side,
        expect: { width: r.width, height: r.height, where: `${r.mask} (its label mask)` },
        semantic: r.ids,
      }),
    );
  }
  return { size: side!, classes, scenes };
}
