// Captioned images for image-to-text: generated scenes with their exact captions and scene
// graphs, or COCO caption files (captions_*.json as COCO writes them: "images" with id and
// file_name, "annotations" with image_id and caption) beside their images.
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { writeTextAtomic } from "../../io/index.js";
import { encodePng, readImage } from "../image-io.js";
import { generateScenes, type SceneOptions } from "../scenes/generate.js";
import { OBJECT_SOURCES, type ObjectSource } from "../scenes/objects.js";
import { type SceneGraph, sceneGraph } from "../scenes/scene-graph.js";
import { sceneCaptions } from "./scene-captions.js";

export interface CaptionSet {
  size: number;
  /** uint8 [count, 3, size, size], image after image. */
  images: Uint8Array;
  /** Each image's reference captions. */
  captions: string[][];
  /** Scene graphs of generated scenes (null for files: "names every object" needs them). */
  graphs: SceneGraph[] | null;
  /** Where each image came from (file names), for reports. */
  names: string[];
}

/** The scene settings captions are made for: 1–3 digits small enough to leave room between them. */
export const CAPTION_SCENES = Object.freeze({ size: 48, minObjects: 1, maxObjects: 3, minScale: 0.3, maxScale: 0.55, maxOcclusion: 0.3 });

/** The object source of a `scenes` / `scenes:<source>` data name, or null for a path. */
export function captionSceneSource(data: string): ObjectSource | null {
  const m = /^scenes(?::([a-z]+))?$/.exec(data);
  if (!m) return null;
  const source = (m[1] ?? "digits") as ObjectSource;
  if (!OBJECT_SOURCES.includes(source))
    throw new FlambeauError(
      "E_ARG",
      `image-to-text: unknown object source "${m[1]}"; use ${OBJECT_SOURCES.map((s) => `scenes:${s}`).join(" or ")}`,
    );
  return source;
}

/** Generated scenes with four captions each and their scene graphs. */
export async function generatedCaptions(
  o: Pick<SceneOptions, "objects" | "split" | "seed" | "count"> & { size?: number },
): Promise<CaptionSet> {
  const set = await generateScenes({ ...CAPTION_SCENES, ...o, size: o.size ?? CAPTION_SCENES.size });
  const s = set.size;
  const images = new Uint8Array(set.scenes.length * 3 * s * s);
  const graphs = set.scenes.map((sc, i) => {
    images.set(sc.image, i * 3 * s * s);
    return sceneGraph(sc, set.classes, set.options);
  });
  return {
    size: s,
    images,
    captions: graphs.map(sceneCaptions),
    graphs,
    names: set.scenes.map((_, i) => `${o.split ?? "train"}-${o.seed ?? 0}-${i}`),
  };
}

interface CocoCaptionsJson {
  images: { id: number; file_name: string; width?: number; height?: number }[];
  annotations: { id?: number; image_id: number; caption: string }[];
}

function parseCaptions(json: unknown, file: string): CocoCaptionsJson {
  const bad = (why: string) =>
    new FlambeauError("E_FORMAT", `${file}: ${why} (expected COCO captions: {"images": [...], "annotations": [...]})`);
  if (typeof json !== "object" || json === null) throw bad("not a JSON object");
  const j = json as Partial<CocoCaptionsJson>;
  if (!Array.isArray(j.images)) throw bad(`no "images" array`);
  if (!Array.isArray(j.annotations)) throw bad(`no "annotations" array`);
  j.images.forEach((im, i) => {
    if (typeof im?.id !== "number" || typeof im.file_name !== "string") throw bad(`images[${i}] needs a numeric "id" and a "file_name"`);
  });
  j.annotations.forEach((a, i) => {
    if (typeof a?.image_id !== "number" || typeof a.caption !== "string")
      throw bad(`annotations[${i}] needs a numeric "image_id" and a "caption"`);
  });
  return j as CocoCaptionsJson;
}

/** The captions file of a split in a folder: captions_<split>*.json, else the only captions_*.json. */
export function captionsFile(dir: string, split: "train" | "test"): string {
  if (dir.endsWith(".json")) return dir;
  if (!existsSync(dir)) throw new FlambeauError("E_IO", `image-to-text: ${dir} does not exist`);
  const all = readdirSync(dir).filter((f) => /^captions_.*\.json$/.test(f));
  const mine = all.filter((f) => f.startsWith(`captions_${split}`));
  const pick = mine.length ? mine : all.length === 1 ? all : [];
  if (pick.length !== 1)
    throw new FlambeauError(
      "E_IO",
      `image-to-text: ${dir} needs one captions_${split}*.json (COCO captions format); found ${all.length ? all.join(", ") : "none"}`,
    );
  return join(dir, pick[0]!);
}

/** Reads a COCO captions file and its images (found beside it, in images/, or in a folder named after the split), resized to size × size. */
export async function readCocoCaptions(file: string, o: { size: number; limit?: number }): Promise<CaptionSet> {
  if (!existsSync(file)) throw new FlambeauError("E_IO", `image-to-text: ${file} not found`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new FlambeauError("E_FORMAT", `${file}: not valid JSON (${(e as Error).message})`);
  }
  const c = parseCaptions(json, file);
  const byImage = new Map<number, string[]>();
  for (const a of c.annotations) byImage.set(a.image_id, [...(byImage.get(a.image_id) ?? []), a.caption]);
  const root = dirname(file);
  const split = basename(file, ".json").replace(/^captions_/, "");
  const images = c.images.filter((im) => byImage.has(im.id)).slice(0, o.limit);
  if (images.length === 0) throw new FlambeauError("E_FORMAT", `${file}: no image has a caption`);
  const s = o.size;
  const pixels = new Uint8Array(images.length * 3 * s * s);
  for (const [i, im] of images.entries()) {
    const where = [root, join(root, "images"), join(root, split), join(dirname(root), split)].map((d) => join(d, im.file_name));
    const path = where.find((p) => existsSync(p));
    if (!path) throw new FlambeauError("E_IO", `${file}: image "${im.file_name}" not found; looked in ${where.join(", ")}`);
    pixels.set((await readImage(path, { channels: 3, size: s })).data, i * 3 * s * s);
  }
  return {
    size: s,
    images: pixels,
    captions: images.map((im) => byImage.get(im.id)!),
    graphs: null,
    names: images.map((im) => im.file_name),
  };
}

/** Writes a caption set as COCO does: <dir>/captions_<split>.json and <dir>/images/<split>-NNNNNN.png. */
export async function writeCocoCaptions(dir: string, split: string, set: CaptionSet): Promise<string> {
  mkdirSync(join(dir, "images"), { recursive: true });
  const s = set.size;
  const images: CocoCaptionsJson["images"] = [];
  const annotations: CocoCaptionsJson["annotations"] = [];
  for (let i = 0; i < set.captions.length; i++) {
    const name = `images/${split}-${String(i + 1).padStart(6, "0")}.png`;
    await writeFile(join(dir, name), await encodePng(set.images.subarray(i * 3 * s * s, (i + 1) * 3 * s * s), 3, s, s));
    images.push({ id: i + 1, file_name: name, width: s, height: s });
    for (const caption of set.captions[i]!) annotations.push({ id: annotations.length + 1, image_id: i + 1, caption });
  }
  const file = join(dir, `captions_${split}.json`);
  await writeTextAtomic(
    "writeCocoCaptions",
    file,
    JSON.stringify({ info: { description: "Flambeau generated scene captions" }, images, annotations }),
  );
  return file;
}
