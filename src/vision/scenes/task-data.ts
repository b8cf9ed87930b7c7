// Where the scene tasks get their data: `scenes` (generated in memory: Fashion-MNIST items;
// `scenes:digits` for opencv-doc's digits) or a user's data set in COCO, Pascal VOC, YOLO or
// label-mask-folder form (formats/open.ts tells them apart). Generated test scenes
// use the held-out objects and photos with a fixed seed, so every model is scored on the
// same scenes.
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tensor } from "../../core/index.js";
import { readSceneData, type SceneFormat } from "../formats/open.js";
import { generateScenes, type SceneOptions, type SceneSet } from "./generate.js";
import { OBJECT_SOURCES, type ObjectSource } from "./objects.js";

/** Scene generator settings a model remembers, so `eval --data scenes` scores it on matching scenes. */
export type GeneratorSettings = Omit<SceneOptions, "count" | "split" | "seed">;

export type SceneSplit = Pick<SceneSet, "size" | "classes" | "scenes">;

/** Seed of the generated test scenes (fixed: every model and run is scored on the same scenes). */
export const TEST_SEED = 20_240_605;

function generatorOf(data: string, defaults: GeneratorSettings): GeneratorSettings | null {
  const m = /^scenes(?::([a-z]+))?$/.exec(data);
  if (!m) return null;
  const objects = (m[1] ?? defaults.objects ?? "fashion") as ObjectSource;
  if (!OBJECT_SOURCES.includes(objects))
    throw new FlambeauError(
      "E_ARG",
      `scenes: unknown object source "${m[1]}" in "${data}"; use ${OBJECT_SOURCES.map((s) => `scenes:${s}`).join(" or ")}`,
    );
  return { ...defaults, objects };
}

function carve(set: SceneSplit, fraction: number): { train: SceneSplit; val: SceneSplit } {
  const n = set.scenes.length;
  const v = Math.max(1, Math.round(n * fraction));
  if (n < 2) throw new FlambeauError("E_FORMAT", `scenes: need at least 2 images to carve a validation split, got ${n}`);
  return { train: { ...set, scenes: set.scenes.slice(0, n - v) }, val: { ...set, scenes: set.scenes.slice(n - v) } };
}

/** Training and validation scenes; `generator` is set when they were generated. */
export async function trainScenes(
  data: string,
  defaults: GeneratorSettings & { count: number; valCount: number },
  o: { limit?: number; seed: number; size?: number; images?: string; log?: (line: string) => void },
): Promise<{ train: SceneSplit; val: SceneSplit; generator: GeneratorSettings | null; format?: SceneFormat }> {
  const { count, valCount, ...settings } = defaults;
  const gen = generatorOf(data, settings);
  if (gen) {
    const n = o.limit ?? count;
    const train = await generateScenes({ ...gen, count: n, split: "train", seed: o.seed });
    // Validation: fresh scenes of the training objects and photos (the test split stays unseen).
    const val = await generateScenes({
      ...gen,
      count: Math.min(valCount, Math.max(16, Math.ceil(n / 4))),
      split: "train",
      seed: o.seed + 1_000_003,
    });
    return { train, val, generator: gen };
  }
  const all = await readSceneData(data, { role: "train", size: o.size, images: o.images });
  o.log?.(`data: ${all.source} read as ${all.format}: ${all.scenes.length} images ${all.size}×${all.size}, ${all.classes.length} classes`);
  const { train, val } = carve(all, 0.1);
  return {
    train: o.limit !== undefined ? { ...train, scenes: train.scenes.slice(0, o.limit) } : train,
    val,
    generator: null,
    format: all.format,
  };
}

/** Test scenes: generated held-out scenes for `scenes`, else the folder's test/ (or the folder itself). */
export async function testScenes(
  data: string,
  generator: GeneratorSettings | null,
  o: { limit?: number; size: number; count: number; images?: string },
): Promise<SceneSplit> {
  const gen = generatorOf(data, { ...(generator ?? {}), size: o.size });
  if (gen) return generateScenes({ ...gen, count: o.limit ?? o.count, split: "test", seed: TEST_SEED });
  const { size, classes, scenes } = await readSceneData(data, { role: "test", size: o.size, limit: o.limit, images: o.images });
  return { size, classes, scenes };
}

/** uint8 [N, 3, S, S] images. */
export function sceneImages(set: SceneSplit): Tensor {
  const s = set.size;
  const out = new Uint8Array(set.scenes.length * 3 * s * s);
  set.scenes.forEach((sc, i) => out.set(sc.image, i * 3 * s * s));
  return tensor(out, { shape: [set.scenes.length, 3, s, s] });
}

/** int64 [N, S, S] semantic labels (0 background, class + 1, 255 ignored). */
export function semanticTargets(set: SceneSplit): Tensor {
  const s = set.size;
  const out = new BigInt64Array(set.scenes.length * s * s);
  set.scenes.forEach((sc, i) => {
    for (let p = 0; p < s * s; p++) out[i * s * s + p] = BigInt(sc.semantic[p]!);
  });
  return tensor(out, { shape: [set.scenes.length, s, s] });
}

/** float32 [N, 5]: class, then the box's cx, cy, w, h as fractions of the side. The largest object is the one a scene is about. */
export function localizationTargets(set: SceneSplit): Tensor {
  const s = set.size;
  const out = new Float32Array(set.scenes.length * 5);
  set.scenes.forEach((sc, i) => {
    if (sc.objects.length === 0)
      throw new FlambeauError("E_FORMAT", `scenes: image ${i + 1} has no object; localization needs one per image`);
    const ob = sc.objects.reduce((a, b) => (b.area > a.area ? b : a));
    const [x, y, w, h] = ob.box;
    out.set([ob.category, (x + w / 2) / s, (y + h / 2) / s, w / s, h / s], i * 5);
  });
  return tensor(out, { shape: [set.scenes.length, 5] });
}
