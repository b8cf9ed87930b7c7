// What `--data` names for few-shot learning: `glyphs` (the generated set; `glyphs:samples=8,
// maxCharacters=20,scripts=Runic+Greek+…` sets its options), or a folder laid out as Omniglot
// ships: <alphabet>/<character>/<image>, optionally under images_background/ and
// images_evaluation/ (else alphabets are split seeded, 40 % held out). Images are normalised
// as the glyphs are drawn: ink light on dark, cropped to the ink and fitted into 20 of 28 px.
import { existsSync, readdirSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import sharp from "sharp";
import { FlambeauError } from "../../core/errors.js";
import { Random } from "../../data/random.js";
import { IMAGE_EXTENSIONS } from "../../vision/image-io.js";
import type { ClassPool } from "./episodes.js";
import { type GlyphSetOptions, loadGlyphSet } from "./glyphs.js";

export interface FewShotData {
  background: ClassPool & { names: string[] };
  evaluation: ClassPool & { names: string[] };
}

const SIZE = 28;

/** Parses "glyphs" / "glyphs:samples=8,maxCharacters=20,scripts=Runic+Greek". */
export function glyphOptions(spec: string): GlyphSetOptions | undefined {
  if (spec !== "glyphs" && !spec.startsWith("glyphs:")) return undefined;
  const o: Record<string, unknown> = {};
  for (const kv of spec.slice(7).split(",").filter(Boolean)) {
    const [k, v] = kv.split("=");
    if (!k || v === undefined) throw new FlambeauError("E_ARG", `few-shot: bad glyphs option "${kv}" in --data ${spec} (key=value)`);
    if (k === "scripts") o.scripts = v.split("+");
    else if (["samples", "maxCharacters", "minCharacters", "minFonts", "seed", "evalFraction"].includes(k)) o[k] = Number(v);
    else throw new FlambeauError("E_ARG", `few-shot: unknown glyphs option "${k}" in --data ${spec}`);
  }
  return o as GlyphSetOptions;
}

/** One image file → SIZE×SIZE uint8, ink = 255, centred and fitted like a rendered glyph. */
export async function readGlyphImage(path: string): Promise<Uint8Array> {
  if (!existsSync(path)) throw new FlambeauError("E_IO", `few-shot: no such image ${path}`);
  let raw: { data: Buffer; info: sharp.OutputInfo };
  try {
    raw = await sharp(path, { failOn: "error" }).flatten({ background: "#ffffff" }).grayscale().raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new FlambeauError("E_FORMAT", `few-shot: cannot decode ${path} (${(e as Error).message})`);
  }
  const { width: w, height: h } = raw.info;
  const px = new Uint8Array(raw.data);
  const mean = px.reduce((a, b) => a + b, 0) / px.length;
  // Dark ink on a light page (Omniglot, scans) is inverted.
  if (mean > 127) for (let i = 0; i < px.length; i++) px[i] = 255 - px[i]!;
  let [x0, y0, x1, y1] = [w, h, -1, -1];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (px[y * w + x]! > 64) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  if (x1 < 0) return new Uint8Array(SIZE * SIZE);
  const inner = Math.round((20 / 28) * SIZE);
  const fitted = await sharp(px, { raw: { width: w, height: h, channels: 1 } })
    .extract({ left: x0, top: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 })
    .resize(inner, inner, { fit: "contain", background: { r: 0, g: 0, b: 0 } })
    .extend({ top: 4, bottom: SIZE - inner - 4, left: 4, right: SIZE - inner - 4, background: { r: 0, g: 0, b: 0 } })
    .grayscale()
    .raw()
    .toBuffer();
  return new Uint8Array(fitted.buffer, fitted.byteOffset, SIZE * SIZE);
}

const dirs = (p: string) =>
  readdirSync(p)
    .filter((d) => statSync(join(p, d)).isDirectory())
    .sort();
const images = (p: string) =>
  readdirSync(p)
    .filter((f) => IMAGE_EXTENSIONS.includes(extname(f).toLowerCase()))
    .sort()
    .map((f) => join(p, f));

/** Class folders (each holding images) into a pool; names are the folder paths given. */
export async function readClassFolders(classDirs: readonly { name: string; dir: string }[]): Promise<ClassPool & { names: string[] }> {
  const chunks: Uint8Array[] = [];
  const first: number[] = [];
  const count: number[] = [];
  for (const c of classDirs) {
    const files = images(c.dir);
    if (files.length === 0)
      throw new FlambeauError("E_FORMAT", `few-shot: class folder ${c.dir} holds no images (${IMAGE_EXTENSIONS.join(" ")})`);
    first.push(chunks.length);
    count.push(files.length);
    for (const f of files) chunks.push(await readGlyphImage(f));
  }
  const pixels = new Uint8Array(chunks.length * SIZE * SIZE);
  chunks.forEach((c, i) => pixels.set(c, i * SIZE * SIZE));
  return { size: SIZE, pixels, first, count, names: classDirs.map((c) => c.name) };
}

async function readAlphabets(root: string, alphabets: readonly string[]) {
  return readClassFolders(alphabets.flatMap((a) => dirs(join(root, a)).map((c) => ({ name: `${a}/${c}`, dir: join(root, a, c) }))));
}

/** The background and evaluation pools `--data` names. */
export async function loadFewShotData(spec: string, seed = 0): Promise<FewShotData> {
  const go = glyphOptions(spec);
  if (go) {
    const set = await loadGlyphSet(go);
    const pool = (split: "background" | "evaluation") => {
      const ks = set.alphabets.filter((a) => a.split === split).flatMap((a) => a.classes);
      return {
        size: set.size,
        pixels: set.images,
        first: ks.map((k) => set.classes[k]!.first),
        count: ks.map((k) => set.classes[k]!.count),
        names: ks.map((k) => `${set.classes[k]!.id} ${set.classes[k]!.description}`),
      };
    };
    return { background: pool("background"), evaluation: pool("evaluation") };
  }
  if (!existsSync(spec) || !statSync(spec).isDirectory())
    throw new FlambeauError("E_ARG", `few-shot: --data must be "glyphs" or a folder of <alphabet>/<character>/<images>, got ${spec}`);
  const [bg, ev] = [join(spec, "images_background"), join(spec, "images_evaluation")];
  if (existsSync(bg) && existsSync(ev))
    return { background: await readAlphabets(bg, dirs(bg)), evaluation: await readAlphabets(ev, dirs(ev)) };
  const all = dirs(spec);
  if (all.length < 2)
    throw new FlambeauError(
      "E_FORMAT",
      `few-shot: ${spec} needs 2+ alphabet folders (<alphabet>/<character>/<images>) to hold one out, found ${all.length}`,
    );
  const order = new Random(seed, 2).permutation(all.length);
  const nEval = Math.min(all.length - 1, Math.max(1, Math.round(0.4 * all.length)));
  const evalSet = new Set([...order.slice(0, nEval)].map((i) => all[i]!));
  return {
    background: await readAlphabets(
      spec,
      all.filter((a) => !evalSet.has(a)),
    ),
    evaluation: await readAlphabets(
      spec,
      all.filter((a) => evalSet.has(a)),
    ),
  };
}
