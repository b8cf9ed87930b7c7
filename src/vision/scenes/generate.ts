// The seeded scene generator: real cut-out objects (scenes/objects.ts) scaled, rotated,
// tinted and pasted with occlusion onto crops of real photos, with exact boxes, class ids,
// a semantic mask and an instance mask. Scene i of a (seed, split) is a pure function of
// them, so a data set is reproducible and can grow without changing its first scenes.
import { FlambeauError } from "../../core/errors.js";
import { Random } from "../../data/random.js";
import { type Background, loadBackgrounds } from "./backgrounds.js";
import { type ColorName, colorName, GRAY } from "./colors.js";
import { loadObjectBank, type ObjectBank, type ObjectSource } from "./objects.js";
import { cropResize, maskBox, renderSprite } from "./raster.js";

export interface SceneOptions {
  /** Number of scenes. */
  count: number;
  /** Side of the square scenes in px (default 64). */
  size?: number;
  /** "fashion" (Fashion-MNIST items, default) or "digits" (opencv-doc's handwritten digits). */
  objects?: ObjectSource;
  /** Objects and backgrounds of the train or the held-out test split (default "train"). */
  split?: "train" | "test";
  seed?: number;
  /** Objects per scene, drawn uniformly in [minObjects, maxObjects] (default 1 … 1). */
  minObjects?: number;
  maxObjects?: number;
  /** The object's unrotated side as a fraction of the scene side (default 0.45 … 0.8). */
  minScale?: number;
  maxScale?: number;
  /** Largest rotation, degrees either way (default 30). */
  maxRotation?: number;
  /** Largest fraction of an object that objects pasted over it may hide (default 0.5). */
  maxOcclusion?: number;
  /** Background photos: a folder or "debian-photos" (default). */
  photos?: string;
}

export interface SceneObject {
  /** Class index into the set's `classes` (the COCO category id and the semantic mask value are category + 1). */
  category: number;
  /** [x, y, width, height] of the visible pixels, COCO's convention. */
  box: [number, number, number, number];
  /** Visible pixels. */
  area: number;
  /** Generated scenes only: the tint's colour name (scenes/colors.ts), exact by construction. */
  color?: ColorName;
  /** Generated scenes only: the object's unrotated side as a fraction of the scene side. */
  scale?: number;
  /** Generated scenes only: its pixels when pasted, before later objects hid some. */
  fullArea?: number;
}

export interface Scene {
  /** uint8 [3, size, size] */
  image: Uint8Array;
  /** uint8 [size, size]: 0 background, category + 1 elsewhere. */
  semantic: Uint8Array;
  /** uint8 [size, size]: 0 background, k + 1 for objects[k]. */
  instances: Uint8Array;
  objects: SceneObject[];
}

export interface SceneSet {
  size: number;
  classes: string[];
  scenes: Scene[];
  options: Required<SceneOptions>;
}

export const SCENE_DEFAULTS: Omit<Required<SceneOptions>, "count"> = Object.freeze({
  size: 64,
  objects: "fashion",
  split: "train",
  seed: 0,
  minObjects: 1,
  maxObjects: 1,
  minScale: 0.45,
  maxScale: 0.8,
  maxRotation: 30,
  maxOcclusion: 0.5,
  photos: "debian-photos",
});

function checkOptions(o: Required<SceneOptions>): void {
  const bad = (name: string, want: string, v: unknown) =>
    new FlambeauError("E_ARG", `generateScenes: ${name} must be ${want}, got ${JSON.stringify(v)}`, "generateScenes");
  const int = (name: keyof SceneOptions, lo: number, hi: number) => {
    const v = o[name] as number;
    if (!Number.isInteger(v) || v < lo || v > hi) throw bad(name, `an integer in [${lo}, ${hi}]`, v);
  };
  int("count", 0, 1_000_000);
  int("size", 16, 512);
  int("seed", 0, Number.MAX_SAFE_INTEGER);
  int("minObjects", 1, 32);
  int("maxObjects", o.minObjects, 32);
  if (o.split !== "train" && o.split !== "test") throw bad("split", `"train" or "test"`, o.split);
  if (!(o.minScale > 0 && o.minScale <= o.maxScale && o.maxScale <= 1))
    throw bad("minScale/maxScale", "0 < minScale ≤ maxScale ≤ 1", [o.minScale, o.maxScale]);
  if (!(o.maxRotation >= 0 && o.maxRotation <= 180)) throw bad("maxRotation", "in [0, 180] degrees", o.maxRotation);
  if (!(o.maxOcclusion >= 0 && o.maxOcclusion < 1)) throw bad("maxOcclusion", "in [0, 1)", o.maxOcclusion);
}

/** A random square crop of a random background photo, size × size (video clips reuse it for their backdrop). */
export function sceneBackground(bgs: readonly Background[], size: number, rng: Random): Uint8Array {
  const b = bgs[rng.int(bgs.length)]!;
  const most = Math.min(b.height, b.width);
  // From a close-up texture to a third of the photo: scale varies as in real scenes.
  const lo = Math.min(size, most);
  const side = lo + rng.nextFloat() * (Math.max(lo, Math.min(most, size * 2.5)) - lo);
  const top = rng.nextFloat() * (b.height - side);
  const left = rng.nextFloat() * (b.width - side);
  return cropResize(b.pixels, 3, b.height, b.width, { top, left, side }, size, rng.nextFloat() < 0.5);
}

/**
 * Distinct object colours: a random hue at high saturation, or (one time in four) the item's own
 * gray; with the colour's name, so captions and scene graphs say what was drawn (video clips tint their objects the same way).
 */
export function objectTint(rng: Random): { rgb: [number, number, number]; name: ColorName } {
  if (rng.nextFloat() < 0.25) return { rgb: [1, 1, 1], name: GRAY };
  const h = rng.nextFloat() * 6;
  const f = h - Math.floor(h);
  const lo = 0.15 + 0.25 * rng.nextFloat();
  const rgb: [number, number, number][] = [
    [1, f, lo],
    [1 - f, 1, lo],
    [lo, 1, f],
    [lo, 1 - f, 1],
    [f, lo, 1],
    [1, lo, 1 - f],
  ];
  const [r, g, b] = rgb[Math.floor(h) % 6]!.map((v) => Math.max(lo, v)) as [number, number, number];
  return { rgb: [r, g, b], name: colorName(r, g, b) };
}

function countOf(map: Uint8Array, value: number): number {
  let n = 0;
  for (let i = 0; i < map.length; i++) if (map[i] === value) n++;
  return n;
}

function scene(bank: ObjectBank, bgs: readonly Background[], o: Required<SceneOptions>, index: number): Scene {
  const rng = new Random(o.seed, o.split === "train" ? 0 : 1, index);
  const s = o.size;
  const hw = s * s;
  const image = sceneBackground(bgs, s, rng);
  const instances = new Uint8Array(hw);
  const categories: number[] = [];
  const fullArea: number[] = [];
  const colors: ColorName[] = [];
  const scales: number[] = [];
  const want = o.minObjects + rng.int(o.maxObjects - o.minObjects + 1);
  for (let tries = 0; categories.length < want && tries < want * 12; tries++) {
    const item = rng.int(bank.count);
    const length = Math.max(4, Math.round(s * (o.minScale + rng.nextFloat() * (o.maxScale - o.minScale))));
    const angle = ((rng.nextFloat() * 2 - 1) * o.maxRotation * Math.PI) / 180;
    const a = bank.side * bank.side;
    const sp = renderSprite(bank.pixels.subarray(item * a, (item + 1) * a), bank.mask(item), bank.side, length, angle);
    const color = objectTint(rng);
    const gain = 0.6 + 0.4 * rng.nextFloat();
    if (!sp || sp.width > s || sp.height > s) continue;
    const x0 = rng.int(s - sp.width + 1);
    const y0 = rng.int(s - sp.height + 1);
    const id = categories.length + 1;
    const before = instances.slice();
    for (let v = 0; v < sp.height; v++)
      for (let u = 0; u < sp.width; u++) if (sp.mask[v * sp.width + u]) instances[(y0 + v) * s + x0 + u] = id;
    // Reject a placement that hides too much of an earlier object.
    let ok = true;
    for (let k = 0; k < categories.length && ok; k++) ok = countOf(instances, k + 1) >= (1 - o.maxOcclusion) * fullArea[k]!;
    if (!ok) {
      instances.set(before);
      continue;
    }
    for (let v = 0; v < sp.height; v++)
      for (let u = 0; u < sp.width; u++) {
        const j = v * sp.width + u;
        if (!sp.mask[j]) continue;
        const p = (y0 + v) * s + x0 + u;
        // Texture from the item, lifted so dark parts of an item stay visible on a photo.
        const g = gain * (60 + (195 * sp.gray[j]!) / 255);
        for (let c = 0; c < 3; c++) image[c * hw + p] = Math.min(255, Math.round(g * color.rgb[c]!));
      }
    categories.push(bank.labels[item]!);
    fullArea.push(countOf(instances, id));
    colors.push(color.name);
    scales.push(length / s);
  }
  const semantic = new Uint8Array(hw);
  for (let i = 0; i < hw; i++) if (instances[i]) semantic[i] = categories[instances[i]! - 1]! + 1;
  const objects: SceneObject[] = categories.map((category, k) => ({
    category,
    box: maskBox(instances, s, s, k + 1)!,
    area: countOf(instances, k + 1),
    color: colors[k]!,
    scale: scales[k]!,
    fullArea: fullArea[k]!,
  }));
  return { image, semantic, instances, objects };
}

/** Generates `count` scenes (deterministic for the options). */
export async function generateScenes(options: SceneOptions): Promise<SceneSet> {
  const o = { ...SCENE_DEFAULTS, ...options } as Required<SceneOptions>;
  checkOptions(o);
  const bank = await loadObjectBank(o.objects, o.split);
  const bgs = await loadBackgrounds(o.photos, o.split, o.size);
  const scenes: Scene[] = [];
  for (let i = 0; i < o.count; i++) scenes.push(scene(bank, bgs, o, i));
  return { size: o.size, classes: [...bank.classes], scenes, options: o };
}
