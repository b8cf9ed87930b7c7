// COCO-style annotations (boxes, categories, RLE/polygon instance masks) and PNG label
// masks, read with every field checked: a malformed file is rejected with a FlambeauError
// naming the file, the field and the value, so users can bring their own COCO/VOC-style data.
import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { FlambeauError } from "../core/errors.js";
import { readJsonFile } from "../io/read-json.js";
import { readImage } from "./image-io.js";

/** Run-length encoding in COCO's convention: column-major runs starting with background; counts may be COCO's compressed string. */
export interface Rle {
  size: [number, number];
  counts: number[] | string;
}

export interface CocoImage {
  id: number;
  fileName: string;
  width: number;
  height: number;
}

export interface CocoAnnotation {
  id: number;
  imageId: number;
  categoryId: number;
  /** [x, y, width, height] in pixels. */
  bbox: [number, number, number, number];
  area: number;
  iscrowd: boolean;
  segmentation?: Rle | number[][];
}

export interface CocoCategory {
  id: number;
  name: string;
}

export interface CocoDataset {
  file: string;
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: CocoCategory[];
}

const fail = (file: string, field: string, msg: string): never => {
  throw new FlambeauError("E_FORMAT", `${file}: ${field} ${msg}`, "readCoco");
};
const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
};
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function intField(file: string, where: string, o: Record<string, unknown>, key: string, min: number): number {
  const v = o[key];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min)
    fail(file, `${where}.${key}`, `must be an integer ≥ ${min}, got ${show(v)}`);
  return v as number;
}

function arrayField(file: string, o: Record<string, unknown>, key: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) fail(file, `"${key}"`, `must be an array, got ${show(v)}`);
  return v as unknown[];
}

function checkRle(file: string, where: string, s: Record<string, unknown>, h: number, w: number): Rle {
  const size = s.size;
  if (!Array.isArray(size) || size.length !== 2 || size[0] !== h || size[1] !== w)
    fail(file, `${where}.size`, `must be [height, width] = [${h}, ${w}] of its image, got ${show(size)}`);
  const c = s.counts;
  if (typeof c === "string") return { size: [h, w], counts: c };
  if (!Array.isArray(c) || !c.every((n) => typeof n === "number" && Number.isSafeInteger(n) && n >= 0))
    fail(file, `${where}.counts`, `must be non-negative integers or a compressed RLE string, got ${show(c)}`);
  const total = (c as number[]).reduce((a, b) => a + b, 0);
  if (total !== h * w) fail(file, `${where}.counts`, `sum to ${total}, but the image has ${h}×${w} = ${h * w} pixels`);
  return { size: [h, w], counts: c as number[] };
}

function checkSegmentation(file: string, where: string, s: unknown, h: number, w: number): Rle | number[][] {
  if (isObj(s)) return checkRle(file, where, s, h, w);
  if (!Array.isArray(s)) fail(file, where, `must be an RLE object or a list of polygons, got ${show(s)}`);
  (s as unknown[]).forEach((p, k) => {
    if (!Array.isArray(p) || p.length < 6 || p.length % 2 !== 0 || !p.every((v) => typeof v === "number" && Number.isFinite(v)))
      fail(file, `${where}[${k}]`, `must be a polygon [x1, y1, x2, y2, …] of at least 3 points, got ${show(p)}`);
  });
  return s as number[][];
}

/** Parses and validates a COCO annotations object (`file` names it in errors). */
export function parseCoco(json: unknown, file: string): CocoDataset {
  if (!isObj(json)) return fail(file, "top level", `must be an object with "images", "annotations" and "categories", got ${show(json)}`);
  const images: CocoImage[] = arrayField(file, json, "images").map((v, i) => {
    const where = `images[${i}]`;
    if (!isObj(v)) return fail(file, where, `must be an object, got ${show(v)}`);
    if (typeof v.file_name !== "string" || v.file_name === "" || v.file_name.includes("\0"))
      fail(file, `${where}.file_name`, `must be a non-empty string, got ${show(v.file_name)}`);
    return {
      id: intField(file, where, v, "id", 0),
      fileName: v.file_name as string,
      width: intField(file, where, v, "width", 1),
      height: intField(file, where, v, "height", 1),
    };
  });
  const categories: CocoCategory[] = arrayField(file, json, "categories").map((v, i) => {
    const where = `categories[${i}]`;
    if (!isObj(v)) return fail(file, where, `must be an object, got ${show(v)}`);
    if (typeof v.name !== "string") fail(file, `${where}.name`, `must be a string, got ${show(v.name)}`);
    return { id: intField(file, where, v, "id", 1), name: v.name as string };
  });
  if (categories.length === 0) fail(file, `"categories"`, "is empty (a data set needs at least one category)");
  const imageById = new Map<number, CocoImage>();
  for (const im of images) {
    if (imageById.has(im.id)) fail(file, "images", `has the id ${im.id} twice`);
    imageById.set(im.id, im);
  }
  const catIds = new Set<number>();
  for (const c of categories) {
    if (catIds.has(c.id)) fail(file, "categories", `has the id ${c.id} twice`);
    catIds.add(c.id);
  }
  const annotations: CocoAnnotation[] = arrayField(file, json, "annotations").map((v, i) => {
    const where = `annotations[${i}]`;
    if (!isObj(v)) return fail(file, where, `must be an object, got ${show(v)}`);
    const imageId = intField(file, where, v, "image_id", 0);
    const im = imageById.get(imageId);
    if (!im) return fail(file, `${where}.image_id`, `is ${imageId}, which no entry of "images" has`);
    const categoryId = intField(file, where, v, "category_id", 1);
    if (!catIds.has(categoryId))
      fail(file, `${where}.category_id`, `is ${categoryId}, not one of the categories' ids [${[...catIds].join(", ")}]`);
    const b = v.bbox;
    if (!Array.isArray(b) || b.length !== 4 || !b.every((x) => typeof x === "number" && Number.isFinite(x)))
      return fail(file, `${where}.bbox`, `must be [x, y, width, height] of 4 finite numbers, got ${show(b)}`);
    const [x, y, bw, bh] = b as [number, number, number, number];
    const eps = 1e-6;
    if (bw <= 0 || bh <= 0 || x < -eps || y < -eps || x + bw > im.width + eps || y + bh > im.height + eps)
      fail(file, `${where}.bbox`, `${show(b)} is empty or outside its ${im.width}×${im.height} image ${show(im.fileName)}`);
    const area = v.area === undefined ? bw * bh : v.area;
    if (typeof area !== "number" || !(area >= 0)) fail(file, `${where}.area`, `must be a number ≥ 0, got ${show(v.area)}`);
    const crowd = v.iscrowd ?? 0;
    if (crowd !== 0 && crowd !== 1 && crowd !== true && crowd !== false)
      fail(file, `${where}.iscrowd`, `must be 0 or 1, got ${show(crowd)}`);
    const ann: CocoAnnotation = {
      id: intField(file, where, v, "id", 0),
      imageId,
      categoryId,
      bbox: [x, y, bw, bh],
      area: area as number,
      iscrowd: !!crowd,
    };
    if (v.segmentation !== undefined)
      ann.segmentation = checkSegmentation(file, `${where}.segmentation`, v.segmentation, im.height, im.width);
    return ann;
  });
  return { file, images, annotations, categories };
}

/** Reads a COCO annotations JSON file. */
export function readCoco(file: string): CocoDataset {
  if (!existsSync(file)) throw new FlambeauError("E_IO", `readCoco: no such file ${file}`, "readCoco");
  return parseCoco(readJsonFile("readCoco", file), file);
}

/**
 * The folders a bare COCO `file_name` may live in, in the order they are tried: `--images
 * DIR`, the annotation file's folder, `images/` beside it, the split's folder named like the
 * file (`instances_train2017.json` → `train2017/`), and, when the json sits in
 * `annotations/` as COCO ships it, `../train2017/` and `../images/`.
 */
export function cocoImageFolders(annotations: string, images?: string): string[] {
  const root = dirname(annotations);
  const split = basename(annotations, ".json").replace(/^instances_/, "");
  const folders = [...(images !== undefined ? [images] : []), root, join(root, "images"), join(root, split)];
  if (basename(root) === "annotations") folders.push(join(dirname(root), split), join(dirname(root), "images"));
  return [...new Set(folders)];
}

/** Where image `im` of the COCO file `annotations` is on disk; the error names the file, the image id and every place tried. */
export function resolveCocoImage(annotations: string, im: Pick<CocoImage, "id" | "fileName">, images?: string): string {
  const folders = cocoImageFolders(annotations, images);
  for (const f of folders) if (existsSync(join(f, im.fileName))) return join(f, im.fileName);
  throw new FlambeauError(
    "E_IO",
    `${annotations}: image id ${im.id} "${im.fileName}" not found; looked in ${folders.map((f) => join(f, im.fileName)).join(", ")}${images === undefined ? " (give the image folder with --images DIR)" : ""}`,
    "readCoco",
  );
}

/**
 * The COCO annotation file of a folder for a role: `annotations.json`, else the one
 * `instances_*.json` (in the folder or its `annotations/`) whose name says train, or
 * val/test for the test role; null when the folder has none.
 */
export function findCocoAnnotations(dir: string, role: "train" | "test"): string | null {
  if (existsSync(join(dir, "annotations.json"))) return join(dir, "annotations.json");
  const found: string[] = [];
  for (const d of [dir, join(dir, "annotations")])
    if (existsSync(d)) for (const f of readdirSync(d).sort()) if (/^instances_.*\.json$/.test(f)) found.push(join(d, f));
  if (found.length === 0) return null;
  if (found.length === 1) return found[0]!;
  const want = role === "train" ? [/train/] : [/test/, /val/];
  for (const re of want) {
    const hit = found.find((f) => re.test(basename(f)));
    if (hit) return hit;
  }
  throw new FlambeauError(
    "E_FORMAT",
    `${dir}: no COCO annotation file for the ${role} split among ${found.map((f) => basename(f)).join(", ")} (name it instances_${role === "train" ? "train" : "val"}….json or pass the .json itself)`,
    "readCoco",
  );
}

/** COCO's RLE of a row-major H × W 0/1 mask (runs over the column-major pixel order, first run background). */
export function rleEncode(mask: Uint8Array, h: number, w: number): Rle {
  const counts: number[] = [];
  let cur = 0;
  let run = 0;
  for (let x = 0; x < w; x++)
    for (let y = 0; y < h; y++) {
      const v = mask[y * w + x] ? 1 : 0;
      if (v !== cur) {
        counts.push(run);
        run = 0;
        cur = v;
      }
      run++;
    }
  counts.push(run);
  return { size: [h, w], counts };
}

/** pycocotools' rleFrString: 5-bit groups, continuation bit 0x20, sign-extended, deltas from two runs back. */
function decodeCountString(s: string, where: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= s.length) throw new FlambeauError("E_FORMAT", `${where}: compressed RLE string ends inside a number`, "readCoco");
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63)
        throw new FlambeauError("E_FORMAT", `${where}: compressed RLE has an invalid character ${show(s[p])}`, "readCoco");
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x |= -1 << (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2]!;
    counts.push(x);
  }
  return counts;
}

/** Decodes an RLE to a row-major 0/1 mask. */
export function rleDecode(rle: Rle, where = "rle"): Uint8Array {
  const [h, w] = rle.size;
  const counts = typeof rle.counts === "string" ? decodeCountString(rle.counts, where) : rle.counts;
  const total = counts.reduce((a, b) => a + b, 0);
  if (counts.some((c) => c < 0) || total !== h * w)
    throw new FlambeauError("E_FORMAT", `${where}: RLE counts cover ${total} pixels, the mask has ${h}×${w} = ${h * w}`, "readCoco");
  const mask = new Uint8Array(h * w);
  let i = 0;
  counts.forEach((c, k) => {
    if (k % 2 === 1)
      for (let j = i; j < i + c; j++) {
        const x = Math.floor(j / h);
        mask[(j - x * h) * w + x] = 1;
      }
    i += c;
  });
  return mask;
}

/** Fills polygons (even-odd rule, sampled at pixel centres) into a row-major 0/1 mask. */
export function polygonsToMask(polys: readonly number[][], h: number, w: number): Uint8Array {
  const mask = new Uint8Array(h * w);
  for (const p of polys) {
    const n = p.length / 2;
    for (let y = 0; y < h; y++) {
      const cy = y + 0.5;
      const xs: number[] = [];
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const [xi, yi, xj, yj] = [p[2 * i]!, p[2 * i + 1]!, p[2 * j]!, p[2 * j + 1]!];
        if (yi > cy !== yj > cy) xs.push(xi + ((cy - yi) * (xj - xi)) / (yj - yi));
      }
      xs.sort((a, b) => a - b);
      for (let k = 0; k + 1 < xs.length; k += 2)
        for (let x = Math.max(0, Math.ceil(xs[k]! - 0.5)); x < Math.min(w, Math.ceil(xs[k + 1]! - 0.5)); x++)
          mask[y * w + x] = mask[y * w + x]! ^ 1;
    }
  }
  return mask;
}

/** The instance mask of an annotation (its box filled when it has no segmentation). */
export function annotationMask(a: CocoAnnotation, im: CocoImage): Uint8Array {
  const s = a.segmentation;
  if (s && !Array.isArray(s)) return rleDecode(s, `annotation ${a.id}`);
  if (s) return polygonsToMask(s, im.height, im.width);
  const m = new Uint8Array(im.height * im.width);
  const [x, y, bw, bh] = a.bbox;
  for (let r = Math.floor(y); r < Math.ceil(y + bh); r++) for (let c = Math.floor(x); c < Math.ceil(x + bw); c++) m[r * im.width + c] = 1;
  return m;
}

/** Value of "ignore" pixels in label masks (VOC's convention): not scored, not trained on. */
export const IGNORE_LABEL = 255;

/**
 * Reads a one-channel PNG label mask: 0 background, a category id elsewhere, 255 ignored.
 * Colour (or palette) masks and values that are no category's id are rejected.
 */
export async function readLabelMask(
  file: string,
  o: { height: number; width: number; categoryIds: readonly number[] },
): Promise<Uint8Array> {
  const img = await readImage(file);
  if (img.channels !== 1)
    throw new FlambeauError(
      "E_FORMAT",
      `readLabelMask: ${file} has ${img.channels} channels; a label mask is a grayscale PNG of category ids (convert palette masks first)`,
      "readLabelMask",
    );
  if (img.height !== o.height || img.width !== o.width)
    throw new FlambeauError(
      "E_FORMAT",
      `readLabelMask: ${file} is ${img.width}×${img.height}, its image is ${o.width}×${o.height}`,
      "readLabelMask",
    );
  const ok = new Uint8Array(256);
  ok[0] = 1;
  ok[IGNORE_LABEL] = 1;
  for (const id of o.categoryIds) if (id < 256) ok[id] = 1;
  for (let i = 0; i < img.data.length; i++)
    if (!ok[img.data[i]!])
      throw new FlambeauError(
        "E_FORMAT",
        `readLabelMask: ${file} has the value ${img.data[i]} at (x ${i % o.width}, y ${Math.floor(i / o.width)}), which is neither 0, ${IGNORE_LABEL} (ignore) nor a category id [${o.categoryIds.join(", ")}]`,
        "readLabelMask",
      );
  return img.data;
}
