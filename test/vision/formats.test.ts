// The data formats the scene tasks read (COCO as COCO writes it, Pascal VOC, YOLO, label-mask
// folders) give the same scenes for the same annotations, and a bad file names its line; the
// fixed-set augmentation moves a known box to its hand-computed place.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { crc32, deflateSync } from "node:zlib";
import * as fl from "flambeau";

const { vision } = fl;

// Two 32×32 images; objects as COCO boxes [x, y, w, h] with class indices (0 cat, 1 dog).
const BOXES: { category: number; box: [number, number, number, number] }[][] = [
  [
    { category: 0, box: [2, 3, 10, 8] },
    { category: 1, box: [16, 16, 12, 14] },
  ],
  [{ category: 1, box: [0, 0, 32, 20] }],
];
const CLASSES = ["cat", "dog"];

async function writeImages(dir: string, ext = "png"): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < BOXES.length; i++)
    await vision.writeImage(join(dir, `im${i}.${ext}`), fl.full([3, 32, 32], 40 * (i + 1)).to("uint8"));
}

const boxesOf = (set: { scenes: { objects: { category: number; box: number[] }[] }[] }) =>
  set.scenes.map((s) => s.objects.map((o) => ({ category: o.category, box: o.box.map((v) => Math.round(v * 1000) / 1000) })));

function cocoJson(): string {
  let id = 1;
  return JSON.stringify({
    images: BOXES.map((_, i) => ({ id: i + 1, file_name: `im${i}.png`, width: 32, height: 32 })),
    annotations: BOXES.flatMap((obs, i) =>
      obs.map((o) => ({ id: id++, image_id: i + 1, category_id: o.category + 1, bbox: o.box, area: o.box[2] * o.box[3], iscrowd: 0 })),
    ),
    categories: CLASSES.map((name, i) => ({ id: i + 1, name })),
  });
}

test("COCO as COCO writes it: bare file names in images/, instances_*.json, --images, and an error naming every place tried", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-fmt-coco-"));
  try {
    await writeImages(join(dir, "a", "images"));
    writeFileSync(join(dir, "a", "instances_train.json"), cocoJson());
    const a = await vision.readSceneData(join(dir, "a"), { role: "train" });
    assert.equal(a.format, "coco");
    assert.deepEqual(boxesOf(a), BOXES);
    // COCO 2017's layout: annotations/instances_{train,val}2017.json, images in train2017/ and val2017/.
    mkdirSync(join(dir, "c", "annotations"), { recursive: true });
    await writeImages(join(dir, "c", "train2017"));
    await writeImages(join(dir, "c", "val2017"));
    writeFileSync(join(dir, "c", "annotations", "instances_train2017.json"), cocoJson());
    const val = JSON.parse(cocoJson());
    val.images = val.images.slice(1);
    val.annotations = val.annotations.filter((x: { image_id: number }) => x.image_id === 2);
    writeFileSync(join(dir, "c", "annotations", "instances_val2017.json"), JSON.stringify(val));
    assert.deepEqual(boxesOf(await vision.readSceneData(join(dir, "c"), { role: "train" })), BOXES);
    const test = await vision.readSceneData(join(dir, "c"), { role: "test" });
    assert.match(test.source, /instances_val2017\.json$/);
    assert.deepEqual(boxesOf(test), [BOXES[1]]);
    // Images elsewhere: found with --images, else the error lists the json, the image id and the paths.
    await writeImages(join(dir, "pics"));
    writeFileSync(join(dir, "b.json"), cocoJson());
    const b = await vision.readSceneData(join(dir, "b.json"), { role: "train", images: join(dir, "pics") });
    assert.deepEqual(boxesOf(b), BOXES);
    await assert.rejects(
      vision.readSceneData(join(dir, "b.json"), { role: "train" }),
      /b\.json: image id 1 "im0\.png" not found; looked in .*im0\.png, .*images\/im0\.png, .*b\/im0\.png \(give the image folder with --images DIR\)/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("Pascal VOC and YOLO folders give the boxes of the equivalent COCO file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-fmt-vy-"));
  try {
    // VOC: 1-based inclusive corners, so xmin = x + 1 and xmax = x + w.
    const voc = join(dir, "voc");
    await writeImages(join(voc, "JPEGImages"));
    mkdirSync(join(voc, "Annotations"));
    mkdirSync(join(voc, "ImageSets", "Main"), { recursive: true });
    BOXES.forEach((obs, i) => {
      const objects = obs
        .map(
          (o) =>
            `  <object>\n    <name>${CLASSES[o.category]}</name>\n    <difficult>0</difficult>\n    <bndbox>\n      <xmin>${o.box[0] + 1}</xmin>\n      <ymin>${o.box[1] + 1}</ymin>\n      <xmax>${o.box[0] + o.box[2]}</xmax>\n      <ymax>${o.box[1] + o.box[3]}</ymax>\n    </bndbox>\n  </object>`,
        )
        .join("\n");
      writeFileSync(
        join(voc, "Annotations", `im${i}.xml`),
        `<annotation>\n  <filename>im${i}.png</filename>\n  <size><width>32</width><height>32</height><depth>3</depth></size>\n${objects}\n</annotation>\n`,
      );
    });
    writeFileSync(join(voc, "ImageSets", "Main", "train.txt"), "im0\nim1\n");
    writeFileSync(join(voc, "ImageSets", "Main", "test.txt"), "im1\n");
    const v = await vision.readSceneData(voc, { role: "train" });
    assert.equal(v.format, "voc");
    assert.deepEqual(v.classes, CLASSES);
    assert.deepEqual(boxesOf(v), BOXES);
    assert.deepEqual(boxesOf(await vision.readSceneData(voc, { role: "test" })), [BOXES[1]]);
    // YOLO: normalised centre and size, labels beside images/ in labels/.
    const yolo = join(dir, "yolo");
    await writeImages(join(yolo, "images", "train"));
    mkdirSync(join(yolo, "labels", "train"), { recursive: true });
    BOXES.forEach((obs, i) => {
      const lines = obs.map((o) => {
        const [x, y, w, h] = o.box;
        return `${o.category} ${(x + w / 2) / 32} ${(y + h / 2) / 32} ${w / 32} ${h / 32}`;
      });
      writeFileSync(join(yolo, "labels", "train", `im${i}.txt`), `${lines.join("\n")}\n`);
    });
    writeFileSync(join(yolo, "data.yaml"), "path: .\ntrain: images/train\nval: images/train\nnames:\n  0: cat\n  1: dog\n");
    const y = await vision.readSceneData(yolo, { role: "train" });
    assert.equal(y.format, "yolo");
    assert.deepEqual(y.classes, CLASSES);
    assert.deepEqual(boxesOf(y), BOXES);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("bad VOC XML and YOLO label lines are named by file, line and field", () => {
  const xml =
    "<annotation>\n  <object>\n    <name>cat</name>\n    <bndbox>\n      <xmin>3</xmin>\n      <ymin>two</ymin>\n      <xmax>9</xmax>\n      <ymax>9</ymax>\n    </bndbox>\n  </object>\n</annotation>\n";
  assert.throws(() => vision.parseVocXml(xml, "a.xml"), /a\.xml:6: <ymin> must be a number, got "two"/);
  assert.throws(
    () => vision.parseVocXml("<annotation>\n<object>\n<name>x</name>\n</object></annotation>", "b.xml"),
    /b\.xml:2: <bndbox> is missing/,
  );
  assert.throws(
    () => vision.parseYoloLabels("0 0.5 0.5 0.2 0.2\n3 0.5 0.5 0.2 0.2\n", "l.txt", 2, 32, 32),
    /l\.txt:2: field 1 \(class\) is 3, not a class index 0 … 1/,
  );
  assert.throws(
    () => vision.parseYoloLabels("0 0.5 x 0.2 0.2\n", "l.txt", 2, 32, 32),
    /l\.txt:1: field 3 \(cy\) must be a number, got "x"/,
  );
  assert.throws(() => vision.parseYoloLabels("0 0.95 0.5 0.2 0.2\n", "l.txt", 2, 32, 32), /l\.txt:1: box .* outside \[0, 1\]/);
  assert.throws(() => vision.parseYoloYaml("train: a\nnames: 5\n", "d.yaml"), /d\.yaml:2: names: expected a list or an index map/);
});

test("label-mask folders: grey class ids, 255 ignored, one object per class present", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-fmt-mask-"));
  try {
    await writeImages(join(dir, "images"));
    mkdirSync(join(dir, "masks"));
    for (let i = 0; i < 2; i++) {
      const m = new Uint8Array(32 * 32);
      for (let y = 4; y < 10; y++) for (let x = 2; x < 12; x++) m[y * 32 + x] = i + 1;
      m[31 * 32 + 31] = 255;
      await vision.writeImage(join(dir, "masks", `im${i}.png`), fl.tensor(m, { shape: [1, 32, 32] }));
    }
    writeFileSync(join(dir, "classes.txt"), "background\ncat\ndog\n");
    const s = await vision.readSceneData(dir, { role: "train" });
    assert.equal(s.format, "mask-folder");
    assert.deepEqual(s.classes, CLASSES);
    assert.deepEqual(boxesOf(s), [[{ category: 0, box: [2, 4, 10, 6] }], [{ category: 1, box: [2, 4, 10, 6] }]]);
    assert.equal(s.scenes[1]!.semantic[5 * 32 + 3], 2);
    assert.equal(s.scenes[1]!.semantic[31 * 32 + 31], 255);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** An 8-bit indexed-colour PNG of `ids` with VOC's first colours (the rest grey), as VOC's SegmentationClass stores masks. */
function palettePng(ids: Uint8Array, h: number, w: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 3, 0, 0, 0], 8);
  const plte = Buffer.alloc(256 * 3, 90);
  plte.set([0, 0, 0, 128, 0, 0, 0, 128, 0], 0);
  plte.set([224, 224, 192], 255 * 3);
  const rows = Buffer.alloc(h * (w + 1));
  for (let y = 0; y < h; y++) rows.set(ids.subarray(y * w, (y + 1) * w), y * (w + 1) + 1);
  const sig = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([sig, chunk("IHDR", ihdr), chunk("PLTE", plte), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

test("palette label masks give back their indices", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-fmt-pal-"));
  try {
    const ids = Uint8Array.from({ length: 4 * 6 }, (_, i) => [0, 1, 2, 255][i % 4]!);
    writeFileSync(join(dir, "m.png"), palettePng(ids, 4, 6));
    const r = await vision.readClassIds(join(dir, "m.png"));
    assert.deepEqual([r.height, r.width], [4, 6]);
    assert.deepEqual([...r.ids], [...ids]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("augmentation moves a box to its hand-computed place and keeps masks with it", () => {
  const side = 32;
  // Flip then scale 0.5 with offset (4, 6): x' = 0.5·(32 − x − w) + 4, y' = 0.5·y + 6.
  const g = { transpose: false, hflip: true, vflip: false, scale: 0.5, dx: 4, dy: 6 };
  assert.deepEqual(vision.transforms.transformBox([2, 4, 10, 6], g, side), [14, 8, 5, 3]);
  // Scale 2 (a crop): [8, 8, 8, 8] → [16 − 10, 16 − 10, 16, 16] with offset −10; clipped to the canvas.
  const zoom = { transpose: false, hflip: false, vflip: false, scale: 2, dx: -10, dy: -10 };
  assert.deepEqual(vision.transforms.transformBox([8, 8, 8, 8], zoom, side), [6, 6, 16, 16]);
  // [20, 20, 12, 12] → [30, 30, 24, 24]: 2 × 2 of 24 × 24 stays on the canvas, under 30 %: dropped.
  assert.equal(vision.transforms.transformBox([20, 20, 12, 12], zoom, side), null);
  // Transpose swaps the axes.
  const t = { transpose: true, hflip: false, vflip: false, scale: 1, dx: 0, dy: 0 };
  assert.deepEqual(vision.transforms.transformBox([2, 4, 10, 6], t, side), [4, 2, 6, 10]);
  // The scene's masks follow the box: a filled box stays the box of its instance pixels.
  const inst = new Uint8Array(side * side);
  const sem = new Uint8Array(side * side);
  for (let y = 4; y < 10; y++)
    for (let x = 2; x < 12; x++) {
      inst[y * side + x] = 1;
      sem[y * side + x] = 1;
    }
  const scene = {
    image: new Uint8Array(3 * side * side).fill(100),
    semantic: sem,
    instances: inst,
    objects: [{ category: 0, box: [2, 4, 10, 6] as [number, number, number, number], area: 60 }],
  };
  const flip = vision.transforms.transformScene(scene, { ...g, scale: 1, dx: 0, dy: 0 }, side);
  assert.deepEqual(flip.objects[0]!.box, [20, 4, 10, 6]);
  let [x0, x1] = [side, -1];
  for (let p = 0; p < side * side; p++)
    if (flip.instances[p] === 1) {
      x0 = Math.min(x0, p % side);
      x1 = Math.max(x1, p % side);
    }
  assert.deepEqual([x0, x1 + 1], [20, 30]);
  assert.equal(flip.semantic[5 * side + 25], 1);
});

test("augmentScenes is seeded and never loses every object of a scene", () => {
  const side = 32;
  const inst = new Uint8Array(side * side);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) inst[y * side + x] = 1;
  const scene = {
    image: Uint8Array.from({ length: 3 * side * side }, (_, i) => i % 251),
    semantic: inst.slice(),
    instances: inst,
    objects: [{ category: 0, box: [0, 0, 4, 4] as [number, number, number, number], area: 16 }],
  };
  const scenes = Array.from({ length: 40 }, () => scene);
  const a = vision.transforms.augmentScenes(scenes, side, new fl.data.Random(3, 1));
  const b = vision.transforms.augmentScenes(scenes, side, new fl.data.Random(3, 1));
  assert.deepEqual(a, b);
  assert.ok(a.every((s) => s.objects.length === 1));
});
