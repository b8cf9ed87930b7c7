// Scene sets on disk in standard formats: annotations.json (COCO: images, categories, boxes,
// RLE instance masks), images/*.png and masks/*.png (semantic label masks: 0 background,
// the category id elsewhere). readSceneDataset reads back these files, or any COCO folder
// of the same layout, into the Scene structure the vision tasks train on.
import { existsSync, mkdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { writeTextAtomic } from "../../io/index.js";
import { annotationMask, type CocoDataset, IGNORE_LABEL, readCoco, readLabelMask, rleEncode } from "../coco.js";
import { encodePng, readImage } from "../image-io.js";
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
}

function resizeNearest(src: Uint8Array, h: number, w: number, s: number): Uint8Array {
  if (h === s && w === s) return src;
  const out = new Uint8Array(s * s);
  for (let y = 0; y < s; y++)
    for (let x = 0; x < s; x++)
      out[y * s + x] = src[Math.min(h - 1, Math.floor(((y + 0.5) * h) / s)) * w + Math.min(w - 1, Math.floor(((x + 0.5) * w) / s))]!;
  return out;
}

/**
 * Where a COCO `file_name` is on disk. COCO writes bare names ("000001.png") and keeps the
 * images beside the annotations, in `images/`, or in a folder named after the split
 * (`instances_train2017.json` → `train2017/`, beside the annotation file or one level up).
 */
function imagePath(root: string, fileName: string, annotations: string): string {
  const split = basename(annotations, ".json").replace(/^instances_/, "");
  const folders = [root, join(root, "images"), join(root, split), join(dirname(root), split), join(dirname(root), "images")];
  for (const f of folders) if (existsSync(join(f, fileName))) return join(f, fileName);
  throw new FlambeauError("E_IO", `${annotations}: image "${fileName}" not found; looked in ${folders.map((f) => `${f}/`).join(", ")}`);
}

/**
 * Reads a COCO folder (annotations.json beside the images it names; optional masks/<image name>
 * label PNGs, else semantic masks are drawn from the instance masks).
 */
export async function readSceneDataset(dir: string, o: ReadSceneOptions = {}): Promise<SceneSet & { coco: CocoDataset }> {
  const file = existsSync(join(dir, "annotations.json")) ? join(dir, "annotations.json") : dir;
  if (!existsSync(file) || (file === dir && !dir.endsWith(".json")))
    throw new FlambeauError(
      "E_IO",
      `readSceneDataset: no annotations.json in ${dir} (expected a COCO folder: annotations.json, images/, optional masks/)`,
    );
  const coco = readCoco(file);
  const root = dirname(file);
  const cats = [...coco.categories].sort((a, b) => a.id - b.id);
  const index = new Map(cats.map((c, i) => [c.id, i]));
  const catIds = cats.map((c) => c.id);
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
    const path = imagePath(root, im.fileName, file);
    const img = await readImage(path, { channels: 3 });
    if (img.width !== im.width || img.height !== im.height)
      throw new FlambeauError(
        "E_FORMAT",
        `${file}: ${im.fileName} is ${img.width}×${img.height} on disk but ${im.width}×${im.height} in "images"`,
      );
    const pixels = img.width === size && img.height === size ? img.data : (await readImage(path, { channels: 3, size })).data;
    const anns = byImage.get(im.id) ?? [];
    const inst = new Uint8Array(im.height * im.width);
    anns.slice(0, 254).forEach((a, k) => {
      const m = annotationMask(a, im);
      for (let p = 0; p < m.length; p++) if (m[p]) inst[p] = k + 1;
    });
    const instances = resizeNearest(inst, im.height, im.width, size);
    const maskFile = join(root, "masks", im.fileName.replace(/^images\//, "").replace(/\.[^./]+$/, ".png"));
    let semantic: Uint8Array;
    if (existsSync(maskFile)) {
      const ids = await readLabelMask(maskFile, { height: im.height, width: im.width, categoryIds: catIds });
      const lut = new Uint8Array(256).fill(IGNORE_LABEL);
      lut[0] = 0;
      cats.forEach((c, i) => {
        lut[c.id] = i + 1;
      });
      semantic = resizeNearest(
        Uint8Array.from(ids, (v) => lut[v]!),
        im.height,
        im.width,
        size,
      );
    } else {
      semantic = new Uint8Array(size * size);
      for (let p = 0; p < semantic.length; p++) if (instances[p]) semantic[p] = index.get(anns[instances[p]! - 1]!.categoryId)! + 1;
    }
    const kx = size / im.width;
    const ky = size / im.height;
    const objects = anns.slice(0, 254).map((a) => ({
      category: index.get(a.categoryId)!,
      box: [a.bbox[0] * kx, a.bbox[1] * ky, a.bbox[2] * kx, a.bbox[3] * ky] as [number, number, number, number],
      area: a.area * kx * ky,
    }));
    scenes.push({ image: pixels, semantic, instances, objects });
  }
  return { size, classes: cats.map((c) => c.name), scenes, options: { count: scenes.length } as SceneSet["options"], coco };
}
