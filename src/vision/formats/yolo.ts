// YOLO detection sets as Ultralytics writes them: a data.yaml with `names` (a list or an
// index → name map), `train`, `val`, optional `test` and `path`; each split an images folder
// (or a .txt list of images) whose labels sit at the same path with images/ → labels/ and a
// .txt extension, one `class cx cy w h` line per object, normalised to [0, 1] (a longer line
// is a segment polygon `class x1 y1 x2 y2 …`, read as its mask and box). An image without a
// label file has no objects.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, isAbsolute, join, sep } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { polygonsToMask } from "../coco.js";
import { readImage } from "../image-io.js";
import type { Scene, SceneSet } from "../scenes/generate.js";
import { type AnnotatedObject, defaultSide, loadScene } from "./scene-builder.js";

const IMAGE_EXT = new Set([".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"]);

export interface YoloConfig {
  file: string;
  names: string[];
  /** Split name → images folder or list file, resolved to absolute paths. */
  splits: Record<string, string>;
}

const fail = (file: string, line: number, msg: string): never => {
  throw new FlambeauError("E_FORMAT", `${file}:${line}: ${msg}`, "readYolo");
};
const unquote = (v: string) => v.trim().replace(/^(['"])(.*)\1$/, "$2");

/** Parses the part of data.yaml a detection set needs (flat keys, `names` as a flow list, block list or index map). */
export function parseYoloYaml(text: string, file: string): YoloConfig {
  const lines = text.split(/\r?\n/);
  const top: Record<string, string> = {};
  let names: string[] | null = null;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\s+#.*$/, "");
    if (raw.trim() === "" || raw.trim().startsWith("#") || /^\s/.test(raw)) continue;
    const m = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(raw);
    if (!m) fail(file, i + 1, `expected "key: value", got ${JSON.stringify(raw.slice(0, 60))}`);
    const [, key, value] = m as unknown as [string, string, string];
    if (key !== "names") {
      top[key] = unquote(value);
      continue;
    }
    if (value.trim().startsWith("[")) {
      if (!value.trim().endsWith("]")) fail(file, i + 1, "names: a flow list must close on the same line");
      names = value
        .trim()
        .slice(1, -1)
        .split(",")
        .map(unquote)
        .filter((n) => n !== "");
      continue;
    }
    if (value.trim() !== "") fail(file, i + 1, `names: expected a list or an index map, got ${JSON.stringify(value.trim())}`);
    const byIndex = new Map<number, string>();
    const list: string[] = [];
    while (i + 1 < lines.length && (/^\s/.test(lines[i + 1]!) || lines[i + 1]!.trim() === "")) {
      i++;
      const l = lines[i]!.replace(/\s+#.*$/, "").trim();
      if (l === "") continue;
      const item = /^-\s*(.*)$/.exec(l);
      const entry = /^(\d+)\s*:\s*(.*)$/.exec(l);
      if (item) list.push(unquote(item[1]!));
      else if (entry) byIndex.set(Number(entry[1]), unquote(entry[2]!));
      else fail(file, i + 1, `names: expected "- name" or "index: name", got ${JSON.stringify(l.slice(0, 60))}`);
    }
    if (byIndex.size) {
      names = [];
      for (let k = 0; k < byIndex.size; k++) {
        const n = byIndex.get(k);
        if (n === undefined) fail(file, i + 1, `names: the index map lacks ${k} (indices must be 0 … ${byIndex.size - 1})`);
        names.push(n!);
      }
    } else names = list;
  }
  if (!names || names.length === 0) fail(file, 1, "names: missing or empty (the class names, in class-index order)");
  const base = top.path ? (isAbsolute(top.path) ? top.path : join(dirname(file), top.path)) : dirname(file);
  const splits: Record<string, string> = {};
  for (const k of ["train", "val", "test"]) {
    const v = top[k];
    if (v !== undefined && v !== "" && v !== "null") splits[k] = isAbsolute(v) ? v : join(base, v);
  }
  if (!splits.train) fail(file, 1, "train: missing (the training images folder)");
  return { file, names: names!, splits };
}

/** Where a YOLO image's labels are: the last images/ of its path becomes labels/, the extension .txt. */
export function yoloLabelPath(image: string): string {
  const parts = image.split(sep);
  const k = parts.lastIndexOf("images");
  if (k >= 0) parts[k] = "labels";
  const p = parts.join(sep);
  return `${p.slice(0, p.length - extname(p).length)}.txt`;
}

/** Parses a YOLO label file's text into objects in pixels of a width × height image. */
export function parseYoloLabels(text: string, file: string, classes: number, width: number, height: number): AnnotatedObject[] {
  const out: AnnotatedObject[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const l = raw.trim();
    if (l === "") return;
    const f = l.split(/\s+/);
    const fields = ["class", "cx", "cy", "w", "h"];
    const v = f.map(Number);
    v.forEach((x, k) => {
      if (!Number.isFinite(x)) fail(file, i + 1, `field ${k + 1} (${fields[k] ?? "polygon"}) must be a number, got "${f[k]}"`);
    });
    const c = v[0]!;
    if (!Number.isInteger(c) || c < 0 || c >= classes)
      fail(file, i + 1, `field 1 (class) is ${f[0]}, not a class index 0 … ${classes - 1}`);
    if (f.length === 5) {
      const [cx, cy, w, h] = v.slice(1) as [number, number, number, number];
      const eps = 1e-6;
      if (w <= 0 || h <= 0 || cx - w / 2 < -eps || cy - h / 2 < -eps || cx + w / 2 > 1 + eps || cy + h / 2 > 1 + eps)
        fail(file, i + 1, `box cx ${cx} cy ${cy} w ${w} h ${h} is empty or outside [0, 1] (YOLO boxes are normalised to the image)`);
      const x = Math.max(0, cx - w / 2) * width;
      const y = Math.max(0, cy - h / 2) * height;
      out.push({ category: c, box: [x, y, Math.min(width, (cx + w / 2) * width) - x, Math.min(height, (cy + h / 2) * height) - y] });
      return;
    }
    if (f.length < 7 || f.length % 2 === 0)
      fail(file, i + 1, `has ${f.length} fields; expected "class cx cy w h" or a polygon "class x1 y1 x2 y2 x3 y3 …"`);
    const pts = v.slice(1);
    if (pts.some((p) => p < -1e-6 || p > 1 + 1e-6)) fail(file, i + 1, "polygon coordinates must be normalised to [0, 1]");
    const poly = pts.map((p, k) => p * (k % 2 === 0 ? width : height));
    const xs = poly.filter((_, k) => k % 2 === 0);
    const ys = poly.filter((_, k) => k % 2 === 1);
    const x0 = Math.min(...xs);
    const y0 = Math.min(...ys);
    const mask = polygonsToMask([poly], height, width);
    out.push({
      category: c,
      box: [x0, y0, Math.max(...xs) - x0, Math.max(...ys) - y0],
      area: mask.reduce((a, b) => a + b, 0),
      mask,
    });
  });
  return out;
}

function listImages(src: string, where: string): string[] {
  if (!existsSync(src)) throw new FlambeauError("E_IO", `${where}: ${src} does not exist`, "readYolo");
  if (statSync(src).isDirectory())
    return readdirSync(src)
      .filter((f) => IMAGE_EXT.has(extname(f).toLowerCase()))
      .sort()
      .map((f) => join(src, f));
  return readFileSync(src, "utf8")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .map((l) => (isAbsolute(l) ? l : join(dirname(src), l)));
}

/** The data.yaml of a YOLO folder (or the yaml given), or null. */
export function findYoloYaml(path: string): string | null {
  if (/\.ya?ml$/.test(path) && existsSync(path)) return path;
  for (const n of ["data.yaml", "data.yml", "dataset.yaml"]) if (existsSync(join(path, n))) return join(path, n);
  return null;
}

/** Reads a YOLO set's split: train, or test (else val) for the test role. */
export async function readYoloSet(
  yaml: string,
  o: { role: "train" | "test"; size?: number; limit?: number },
): Promise<Pick<SceneSet, "size" | "classes" | "scenes">> {
  const cfg = parseYoloYaml(readFileSync(yaml, "utf8"), yaml);
  const key = o.role === "train" ? "train" : cfg.splits.test ? "test" : "val";
  const src = cfg.splits[key];
  if (!src) throw new FlambeauError("E_FORMAT", `${yaml}: has no "val" or "test" split to evaluate on`, "readYolo");
  let images = listImages(src, `${yaml} ${key}`);
  if (images.length === 0) throw new FlambeauError("E_FORMAT", `${yaml}: the ${key} split ${src} has no images`, "readYolo");
  if (o.limit !== undefined) images = images.slice(0, o.limit);
  let side = o.size;
  const scenes: Scene[] = [];
  for (const img of images) {
    const probe = await readImage(img, { channels: 3 });
    side ??= defaultSide(probe.width, probe.height);
    const lab = yoloLabelPath(img);
    const objects = existsSync(lab) ? parseYoloLabels(readFileSync(lab, "utf8"), lab, cfg.names.length, probe.width, probe.height) : [];
    scenes.push(await loadScene(img, objects, { side }));
  }
  return { size: side!, classes: cfg.names, scenes };
}
