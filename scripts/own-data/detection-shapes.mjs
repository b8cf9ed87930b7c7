// A detection set the object-detection recipe was not tuned on, written as COCO writes it:
// <out>/train and <out>/test, each with annotations.json whose file_name values are bare
// ("00000.png") and the images in images/ beside it. 64 × 64 pictures of 1–4 shapes
// (circle, square, triangle, cross) filled with textures cut from Debian's photos and tinted,
// on other crops of those photos mirrored and colour-shifted; boxes are the visible pixels'.
// The same scenes serve the other own-data image rows:
//   --masks          adds each object's visible pixels as COCO RLE `segmentation` (instance segmentation)
//   --format masks   writes a label-mask folder instead (images/ + masks/ with the same stems,
//                    grey PNGs of class ids, 0 background; classes.txt), for semantic segmentation
//   --objects 1      exactly one shape a picture, never hidden (localization)
// Run after `npx tsc -p .`:
//   node scripts/own-data/detection-shapes.mjs OUT [--train 1500] [--test 300] [--seed 0]
//        [--masks] [--format coco|masks] [--objects N]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeTextAtomic } from "../../dist/src/io/index.js";
import { rleEncode } from "../../dist/src/vision/coco.js";
import { encodePng } from "../../dist/src/vision/image-io.js";
import { loadBackgrounds } from "../../dist/src/vision/scenes/backgrounds.js";

const args = process.argv.slice(2);
const out = args[0];
if (!out || out.startsWith("--")) {
  console.error(
    "usage: node scripts/own-data/detection-shapes.mjs OUT [--train 1500] [--test 300] [--seed 0] [--masks] [--format coco|masks] [--objects N]",
  );
  process.exit(2);
}
const flag = (name, d) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : d;
};
const option = (name, d) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : d;
};
const FORMAT = option("format", "coco");
if (FORMAT !== "coco" && FORMAT !== "masks") {
  console.error(`detection-shapes: --format must be coco or masks, got ${FORMAT}`);
  process.exit(2);
}
const WITH_MASKS = args.includes("--masks");
const FIXED_OBJECTS = flag("objects", 0);
const SIDE = 64;
const CLASSES = ["circle", "square", "triangle", "cross"];

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Is (u, v), in the shape's own frame scaled to [-1, 1], inside shape k? */
function inside(k, u, v) {
  if (k === 0) return u * u + v * v <= 1;
  if (k === 1) return Math.abs(u) <= 0.8 && Math.abs(v) <= 0.8;
  if (k === 2) return v <= 0.8 && v >= -1 + 1.8 * Math.abs(u);
  return (Math.abs(u) <= 0.3 && Math.abs(v) <= 1) || (Math.abs(v) <= 0.3 && Math.abs(u) <= 1);
}

function crop(bg, r, s) {
  const y0 = Math.floor(r() * (bg.height - s));
  const x0 = Math.floor(r() * (bg.width - s));
  const hw = bg.height * bg.width;
  return (c, y, x) => bg.pixels[c * hw + (y0 + y) * bg.width + x0 + x];
}

function scene(backgrounds, r) {
  const img = new Uint8Array(3 * SIDE * SIDE);
  const inst = new Uint8Array(SIDE * SIDE);
  const back = crop(backgrounds[Math.floor(r() * backgrounds.length)], r, SIDE);
  const shift = [0, 1, 2].map(() => 0.6 + 0.5 * r());
  for (let y = 0; y < SIDE; y++)
    for (let x = 0; x < SIDE; x++)
      for (let c = 0; c < 3; c++)
        img[c * SIDE * SIDE + y * SIDE + x] = Math.min(255, back((c + 1) % 3, y, SIDE - 1 - x) * shift[c]);
  const n = FIXED_OBJECTS > 0 ? FIXED_OBJECTS : 1 + Math.floor(r() * 4);
  const shapes = [];
  for (let k = 0; k < n; k++) {
    const cls = Math.floor(r() * CLASSES.length);
    const half = 6 + r() * 8;
    const cx = half + r() * (SIDE - 2 * half);
    const cy = half + r() * (SIDE - 2 * half);
    const a = r() * Math.PI * 2;
    const tex = crop(backgrounds[Math.floor(r() * backgrounds.length)], r, SIDE);
    const tint = [0, 1, 2].map(() => 40 + r() * 215);
    for (let y = 0; y < SIDE; y++)
      for (let x = 0; x < SIDE; x++) {
        const dx = (x + 0.5 - cx) / half;
        const dy = (y + 0.5 - cy) / half;
        const u = Math.cos(a) * dx + Math.sin(a) * dy;
        const v = -Math.sin(a) * dx + Math.cos(a) * dy;
        if (!inside(cls, cls === 0 ? dx : u, cls === 0 ? dy : v)) continue;
        inst[y * SIDE + x] = k + 1;
        for (let c = 0; c < 3; c++) img[c * SIDE * SIDE + y * SIDE + x] = 0.45 * tex(c, y, x) + 0.55 * tint[c];
      }
    shapes.push({ cls, full: 0 });
  }
  const objects = [];
  shapes.forEach((s, k) => {
    let [x0, y0, x1, y1, area] = [SIDE, SIDE, -1, -1, 0];
    for (let p = 0; p < inst.length; p++)
      if (inst[p] === k + 1) {
        const x = p % SIDE;
        const y = (p - x) / SIDE;
        area++;
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
    // Mostly hidden shapes are not objects to find.
    if (area >= 30) objects.push({ category: s.cls, box: [x0, y0, x1 - x0 + 1, y1 - y0 + 1], area, id: k + 1 });
  });
  // The class of each pixel (0 background), for label-mask folders; hidden shapes' pixels stay theirs.
  const classMap = Uint8Array.from(inst, (v) => (v === 0 ? 0 : shapes[v - 1].cls + 1));
  return { img, objects, inst, classMap };
}

async function writeSplit(dir, count, photoSplit, seed) {
  const backgrounds = await loadBackgrounds("debian-photos", photoSplit, SIDE);
  const r = rng(seed);
  mkdirSync(join(dir, "images"), { recursive: true });
  if (FORMAT === "masks") mkdirSync(join(dir, "masks"), { recursive: true });
  const images = [];
  const annotations = [];
  for (let i = 0; i < count; i++) {
    // A single-object picture whose shape is mostly cut off is drawn again: localization needs one object.
    let s = scene(backgrounds, r);
    while (FIXED_OBJECTS > 0 && s.objects.length < FIXED_OBJECTS) s = scene(backgrounds, r);
    const { img, objects, inst, classMap } = s;
    const name = `${String(i).padStart(5, "0")}.png`;
    writeFileSync(join(dir, "images", name), await encodePng(img, 3, SIDE, SIDE));
    if (FORMAT === "masks") writeFileSync(join(dir, "masks", name), await encodePng(classMap, 1, SIDE, SIDE));
    images.push({ id: i, file_name: name, width: SIDE, height: SIDE });
    for (const o of objects) {
      const a = { id: annotations.length + 1, image_id: i, category_id: o.category + 1, bbox: o.box, area: o.area, iscrowd: 0 };
      if (WITH_MASKS) a.segmentation = rleEncode(Uint8Array.from(inst, (v) => (v === o.id ? 1 : 0)), SIDE, SIDE);
      annotations.push(a);
    }
  }
  if (FORMAT === "masks") {
    await writeTextAtomic("detection-shapes", join(dir, "classes.txt"), `${["background", ...CLASSES].join("\n")}\n`);
    console.log(`${dir}: ${count} images and label masks`);
    return;
  }
  const coco = { images, annotations, categories: CLASSES.map((name, i) => ({ id: i + 1, name, supercategory: "shape" })) };
  // Written last and atomically: a half-written set has no annotations.json to be mistaken for a whole one.
  await writeTextAtomic("detection-shapes", join(dir, "annotations.json"), JSON.stringify(coco));
  console.log(`${dir}: ${count} images, ${annotations.length} objects`);
}

const seed = flag("seed", 0);
await writeSplit(join(out, "train"), flag("train", 1500), "train", seed * 2 + 1);
await writeSplit(join(out, "test"), flag("test", 300), "test", seed * 2 + 2);
