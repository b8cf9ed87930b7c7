// The one place a format reader turns an image and its annotations into the Scene the scene
// tasks train on: the image resized to the set's square side, boxes scaled with it, an
// instance map (the masks given, else the boxes filled) and a semantic map (a label mask
// given, else drawn from the instances). COCO, VOC, YOLO and mask folders all end here.
import { FlambeauError } from "../../core/errors.js";
import { readImage } from "../image-io.js";
import type { Scene } from "../scenes/generate.js";

/** An object as a reader found it, in the image's own pixels. */
export interface AnnotatedObject {
  /** Class index into the set's classes. */
  category: number;
  /** [x, y, width, height] in pixels (COCO's convention). */
  box: [number, number, number, number];
  /** Its pixels (default: the box's). */
  area?: number;
  /** Row-major 0/1 mask at the image's size (default: the box filled). */
  mask?: Uint8Array;
}

/** Nearest-neighbour resize of a one-channel map to side × side. */
export function resizeNearest(src: Uint8Array, h: number, w: number, side: number): Uint8Array {
  if (h === side && w === side) return src;
  const out = new Uint8Array(side * side);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++)
      out[y * side + x] =
        src[Math.min(h - 1, Math.floor(((y + 0.5) * h) / side)) * w + Math.min(w - 1, Math.floor(((x + 0.5) * w) / side))]!;
  return out;
}

/** A box filled into a row-major h × w 0/1 mask. */
export function boxMask(box: readonly number[], h: number, w: number): Uint8Array {
  const m = new Uint8Array(h * w);
  const [x, y, bw, bh] = box as [number, number, number, number];
  for (let r = Math.max(0, Math.floor(y)); r < Math.min(h, Math.ceil(y + bh)); r++)
    for (let c = Math.max(0, Math.floor(x)); c < Math.min(w, Math.ceil(x + bw)); c++) m[r * w + c] = 1;
  return m;
}

/** The square side a set of differently sized images is read at: the first one's longer side rounded up to 16, at most 256. */
export function defaultSide(width: number, height: number): number {
  if (width === height && width % 16 === 0) return width;
  return Math.min(256, Math.ceil(Math.max(width, height) / 16) * 16);
}

export interface SceneImageOptions {
  /** Square side of the scene; the image, boxes and masks are stretched to it. */
  side: number;
  /** Size the annotations give, checked against the file (VOC's <size>, COCO's width/height). */
  expect?: { width: number; height: number; where: string };
  /** Semantic labels at the image's size: 0 background, class index + 1, 255 ignored. */
  semantic?: Uint8Array;
}

/** Reads an image and builds its Scene from objects given in the image's pixels. */
export async function loadScene(path: string, objects: readonly AnnotatedObject[], o: SceneImageOptions): Promise<Scene> {
  const img = await readImage(path, { channels: 3 });
  if (o.expect && (o.expect.width !== img.width || o.expect.height !== img.height))
    throw new FlambeauError(
      "E_FORMAT",
      `${o.expect.where}: says ${o.expect.width}×${o.expect.height}, but ${path} is ${img.width}×${img.height} on disk`,
      "readSceneData",
    );
  const { height: h, width: w } = img;
  const s = o.side;
  const pixels = h === s && w === s ? img.data : (await readImage(path, { channels: 3, size: s })).data;
  const kept = objects.slice(0, 254);
  const inst = new Uint8Array(h * w);
  kept.forEach((ob, k) => {
    const m = ob.mask ?? boxMask(ob.box, h, w);
    for (let p = 0; p < m.length; p++) if (m[p]) inst[p] = k + 1;
  });
  const instances = resizeNearest(inst, h, w, s);
  let semantic: Uint8Array;
  if (o.semantic) semantic = resizeNearest(o.semantic, h, w, s);
  else {
    semantic = new Uint8Array(s * s);
    for (let p = 0; p < semantic.length; p++) if (instances[p]) semantic[p] = kept[instances[p]! - 1]!.category + 1;
  }
  const kx = s / w;
  const ky = s / h;
  return {
    image: pixels,
    semantic,
    instances,
    objects: kept.map((ob) => ({
      category: ob.category,
      box: [ob.box[0] * kx, ob.box[1] * ky, ob.box[2] * kx, ob.box[3] * ky] as [number, number, number, number],
      area: (ob.area ?? ob.box[2] * ob.box[3]) * kx * ky,
    })),
  };
}
