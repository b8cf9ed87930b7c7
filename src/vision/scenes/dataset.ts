// Scene sets on disk in standard formats: annotations.json (COCO: images, categories, boxes,
// RLE instance masks), images/*.png and masks/*.png (semantic label masks: 0 background,
// the category id elsewhere). readSceneDataset reads back these files, or any COCO folder
// of the same layout, into the Scene structure the vision tasks train on.
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { writeTextAtomic } from "../../io/index.js";
import {
  annotationMask,
  type CocoDataset,
  findCocoAnnotations,
  IGNORE_LABEL,
  readCoco,
  readLabelMask,
  resolveCocoImage,
  rleEncode,
} from "../coco.js";
import { loadScene } from "../formats/scene-builder.js";
import { encodePng } from "../image-io.js";
import type { Scene, SceneSet } from "./generate.js";

const name = (i: number) => `${String(i + 1).padStart(6, "0")}.png`;

/** Writes a scene set as a COCO folder: annotations.json, images/, masks/. */
export async function writeSceneDataset(
  dir: string,
  set: Pick<SceneSet, "size" | "classes" | "scenes"> & { options?: unknown },
): Promise<void> {
  const { writeFile } = await import("node:fs/promises");
  mkdirSync(join(dir, "images"), { recursive: true });
  mkdirSync(join(dir, "masks"), { recursive: true });
  const s = set.size;
  const images: unknown[] = [];
  const annotations: unknown[] = [];
  let annId = 1;
  for (let i = 0; i < set.scenes.length; i++) {
    const sc = set.scenes[i]!;
    await writeFile(join(dir, "images", name(i)), await encodePng(sc.image, 3, s, s));
    await writeFile(join(dir, "masks", name(i)), await encodePng(sc.semantic, 1, s, s));
    images.push({ id: i + 1, file_name: `images/${name(i)}`, width: s, height: s });
    sc.objects.forEach((ob, k) => {
      const m = new Uint8Array(s * s);
      for (let p = 0; p < m.length; p++) m[p] = sc.instances[p] === k + 1 ? 1 : 0;
      annotations.push({
        id: annId++,
        image_id: i + 1,
        category_id: ob.category + 1,
        bbox: ob.box,
        area: ob.area,
        iscrowd: 0,
        segmentation: rleEncode(m, s, s),
      });
    });
  }
  const coco = {
    info: { description: "Flambeau generated scenes", generator: set.options ?? null },
    images,
    annotations,
    categories: set.classes.map((n, i) => ({ id: i + 1, name: n })),
  };
  await writeTextAtomic("writeSceneDataset", join(dir, "annotations.json"), JSON.stringify(coco));
}

export interface ReadSceneOptions {
  /** Resize every image (and its masks and boxes) to size × size; default: the first image's size, which all must share. */
  size?: number;
  /** Read at most this many images. */
  limit?: number;
  /** `--images DIR`: where COCO's bare file names are looked for first. */
  images?: string;
  /** Which annotation file a folder of several instances_*.json gives (default "train"). */
  role?: "train" | "test";
}

/**
 * Reads a COCO folder (annotations.json beside the images it names; optional masks/<image name>
 * label PNGs, else semantic masks are drawn from the instance masks).
 */
export async function readSceneDataset(dir: string, o: ReadSceneOptions = {}): Promise<SceneSet & { coco: CocoDataset }> {
  const file = dir.endsWith(".json") ? dir : existsSync(dir) ? findCocoAnnotations(dir, o.role ?? "train") : null;
  if (file === null || !existsSync(file))
    throw new FlambeauError(
      "E_IO",
      `readSceneDataset: no COCO annotations in ${dir} (expected annotations.json or instances_*.json beside images/, optional masks/)`,
    );
  const coco = readCoco(file);
  const root = dirname(file);
  const cats = [...coco.categories].sort((a, b) => a.id - b.id);
  const index = new Map(cats.map((c, i) => [c.id, i]));
  const catIds = cats.map((c) => c.id);
  const lut = new Uint8Array(256).fill(IGNORE_LABEL);
  lut[0] = 0;
  cats.forEach((c, i) => {
    lut[c.id] = i + 1;
  });
  const images = o.limit !== undefined ? coco.images.slice(0, o.limit) : coco.images;
  if (images.length === 0) throw new FlambeauError("E_FORMAT", `${file}: "images" is empty`);
  const size = o.size ?? images[0]!.width;
  const byImage = new Map<number, typeof coco.annotations>();
  for (const a of coco.annotations) byImage.set(a.imageId, [...(byImage.get(a.imageId) ?? []), a]);
  const scenes: Scene[] = [];
  for (const im of images) {
    if (o.size === undefined && (im.width !== size || im.height !== size))
      throw new FlambeauError(
        "E_FORMAT",
        `${file}: image ${im.fileName} is ${im.width}×${im.height}; the images must share one square size (${size}×${size}) or be read with { size }`,
      );
    const path = resolveCocoImage(file, im, o.images);
    const anns = byImage.get(im.id) ?? [];
    const maskFile = join(root, "masks", im.fileName.replace(/^images\//, "").replace(/\.[^./]+$/, ".png"));
    const semantic = existsSync(maskFile)
      ? Uint8Array.from(await readLabelMask(maskFile, { height: im.height, width: im.width, categoryIds: catIds }), (v) => lut[v]!)
      : undefined;
    const objects = anns.map((a) => ({ category: index.get(a.categoryId)!, box: a.bbox, area: a.area, mask: annotationMask(a, im) }));
    scenes.push(
      await loadScene(path, objects, {
        side: size,
        expect: { width: im.width, height: im.height, where: `${file} image id ${im.id} "${im.fileName}"` },
        ...(semantic ? { semantic } : {}),
      }),
    );
  }
  return { size, classes: cats.map((c) => c.name), scenes, options: { count: scenes.length } as SceneSet["options"], coco };
}
