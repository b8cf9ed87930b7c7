// Pascal VOC detection folders: Annotations/<id>.xml (one <object> per box, <bndbox> in
// VOC's 1-based inclusive pixel corners), JPEGImages/<filename>, and optional
// ImageSets/Main/{train,trainval,val,test}.txt lists of ids choosing the split. Classes are
// every <name> in Annotations/, sorted, so train and test agree on their indices.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { readImage } from "../image-io.js";
import type { Scene, SceneSet } from "../scenes/generate.js";
import { type AnnotatedObject, defaultSide, loadScene } from "./scene-builder.js";

export interface VocObject {
  name: string;
  /** COCO-style [x, y, width, height]: x = xmin − 1, width = xmax − xmin + 1. */
  box: [number, number, number, number];
  difficult: boolean;
}

export interface VocAnnotation {
  file: string;
  filename: string | null;
  size: { width: number; height: number } | null;
  objects: VocObject[];
}

const fail = (file: string, line: number, field: string, msg: string): never => {
  throw new FlambeauError("E_FORMAT", `${file}:${line}: <${field}> ${msg}`, "readVoc");
};
const lineAt = (text: string, offset: number) => text.slice(0, offset).split("\n").length;
const tag = (xml: string, name: string): RegExpExecArray | null => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);

/** Parses one VOC annotation XML (`file` names it in errors, with the line of the offending element). */
export function parseVocXml(text: string, file: string): VocAnnotation {
  if (!/<annotation[\s>]/.test(text)) fail(file, 1, "annotation", "is missing: not a Pascal VOC annotation file");
  const num = (block: string, base: number, name: string, parentLine: number): number => {
    const m = tag(block, name);
    if (!m) return fail(file, parentLine, name, "is missing");
    const v = Number(m[1]!.trim());
    if (m[1]!.trim() === "" || !Number.isFinite(v))
      fail(file, lineAt(text, base + m.index), name, `must be a number, got "${m[1]!.trim()}"`);
    return v;
  };
  const fm = tag(text, "filename");
  const sm = tag(text, "size");
  let size: VocAnnotation["size"] = null;
  if (sm) {
    const at = sm.index + sm[0].indexOf(">") + 1;
    size = { width: num(sm[1]!, at, "width", lineAt(text, sm.index)), height: num(sm[1]!, at, "height", lineAt(text, sm.index)) };
  }
  const objects: VocObject[] = [];
  for (const m of text.matchAll(/<object>([\s\S]*?)<\/object>/g)) {
    const base = m.index! + "<object>".length;
    const line = lineAt(text, m.index!);
    const body = m[1]!;
    const nm = tag(body, "name");
    if (!nm || nm[1]!.trim() === "") fail(file, line, "name", "is missing or empty in this <object>");
    const bb = tag(body, "bndbox");
    if (!bb) return fail(file, line, "bndbox", "is missing in this <object>");
    const bbase = base + bb.index + "<bndbox>".length;
    const bline = lineAt(text, base + bb.index);
    const [x1, y1, x2, y2] = ["xmin", "ymin", "xmax", "ymax"].map((k) => num(bb[1]!, bbase, k, bline)) as [number, number, number, number];
    if (x2 < x1 || y2 < y1 || x1 < 0 || y1 < 0)
      fail(file, bline, "bndbox", `has xmin ${x1}, ymin ${y1}, xmax ${x2}, ymax ${y2}: the max corner must not be before the min one`);
    if (size && (x2 > size.width || y2 > size.height))
      fail(file, bline, "bndbox", `has xmax ${x2}, ymax ${y2} outside its ${size.width}×${size.height} image`);
    const x = Math.max(0, x1 - 1);
    const y = Math.max(0, y1 - 1);
    const d = tag(body, "difficult");
    objects.push({ name: nm![1]!.trim(), box: [x, y, x2 - x, y2 - y], difficult: d ? d[1]!.trim() === "1" : false });
  }
  return { file, filename: fm ? fm[1]!.trim() : null, size, objects };
}

/** True when `dir` looks like a VOC folder. */
export const isVocFolder = (dir: string): boolean => existsSync(join(dir, "Annotations"));

function splitIds(dir: string, role: "train" | "test"): string[] | null {
  const names = role === "train" ? ["train.txt", "trainval.txt"] : ["test.txt", "val.txt"];
  for (const n of names) {
    const f = join(dir, "ImageSets", "Main", n);
    if (existsSync(f))
      return readFileSync(f, "utf8")
        .split(/\r?\n/)
        .map((l) => l.trim().split(/\s+/)[0]!)
        .filter((l) => l !== "");
  }
  return null;
}

/** Reads a VOC folder's split (all annotated images when ImageSets/Main has no list for it). */
export async function readVocFolder(
  dir: string,
  o: { role: "train" | "test"; size?: number; limit?: number },
): Promise<Pick<SceneSet, "size" | "classes" | "scenes">> {
  const annDir = join(dir, "Annotations");
  const all = readdirSync(annDir)
    .filter((f) => f.endsWith(".xml"))
    .sort();
  if (all.length === 0) throw new FlambeauError("E_FORMAT", `${annDir}: no .xml annotation files`, "readVoc");
  const parsed = new Map(all.map((f) => [f.slice(0, -4), parseVocXml(readFileSync(join(annDir, f), "utf8"), join(annDir, f))]));
  const classes = [...new Set([...parsed.values()].flatMap((a) => a.objects.map((ob) => ob.name)))].sort();
  const listed = splitIds(dir, o.role);
  let ids = listed ?? [...parsed.keys()];
  for (const id of ids)
    if (!parsed.has(id))
      throw new FlambeauError("E_FORMAT", `${dir}/ImageSets/Main: lists "${id}", which has no Annotations/${id}.xml`, "readVoc");
  if (o.limit !== undefined) ids = ids.slice(0, o.limit);
  const scenes: Scene[] = [];
  let side = o.size;
  for (const id of ids) {
    const a = parsed.get(id)!;
    const img = join(dir, "JPEGImages", a.filename ?? `${id}.jpg`);
    if (!existsSync(img))
      throw new FlambeauError("E_IO", `${a.file}: its image ${img} does not exist (VOC keeps images in JPEGImages/)`, "readVoc");
    side ??= a.size ? defaultSide(a.size.width, a.size.height) : undefined;
    const objects: AnnotatedObject[] = a.objects.map((ob) => ({ category: classes.indexOf(ob.name), box: ob.box }));
    if (side === undefined) {
      const probe = await readImage(img, { channels: 3 });
      side = defaultSide(probe.width, probe.height);
    }
    scenes.push(await loadScene(img, objects, { side, ...(a.size ? { expect: { ...a.size, where: a.file } } : {}) }));
  }
  return { size: side ?? 64, classes, scenes };
}
