// COCO annotations and PNG label masks: RLE (plain and compressed) and polygons against
// hand-computed masks, and malformed files rejected with the file, field and value named.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";

const { vision } = fl;

test("RLE: column-major runs starting with background, and COCO's compressed strings", () => {
  // 3×3 mask with the middle column set: column-major order is 0 0 0 | 1 1 1 | 0 0 0.
  const m = Uint8Array.from([0, 1, 0, 0, 1, 0, 0, 1, 0]);
  assert.deepEqual(vision.rleEncode(m, 3, 3), { size: [3, 3], counts: [3, 3, 3] });
  assert.deepEqual(vision.rleDecode({ size: [3, 3], counts: [3, 3, 3] }), m);
  // A mask starting with foreground has an empty first run.
  assert.deepEqual(vision.rleEncode(Uint8Array.from([1, 0]), 1, 2).counts, [0, 1, 1]);
  // Hand-encoded with pycocotools' scheme: "151L" = 1, 5, 1, then 1 − 5 = −4 as the delta from two runs back.
  // Runs over (x0 y0) | (x0 y1) (x1 y0) (x1 y1) (x2 y0) (x2 y1) | (x3 y0) | (x3 y1), as a row-major 2×4 mask:
  assert.deepEqual([...vision.rleDecode({ size: [2, 4], counts: "151L" })], [0, 1, 1, 0, 1, 1, 1, 1]);
  // "T3": 100 in two 5-bit groups (4 | 0x20, then 3).
  assert.deepEqual([...vision.rleDecode({ size: [10, 10], counts: "T3" })], new Array(100).fill(0));
  assert.throws(
    () => vision.rleDecode({ size: [2, 2], counts: [1, 2] }, "ann 7"),
    /ann 7: RLE counts cover 3 pixels, the mask has 2×2 = 4/,
  );
  assert.throws(() => vision.rleDecode({ size: [2, 2], counts: "T" }), /compressed RLE string ends inside a number/);
});

test("polygons fill the pixels whose centres are inside", () => {
  const m = vision.polygonsToMask([[1, 1, 4, 1, 4, 4, 1, 4]], 6, 6);
  const want = new Uint8Array(36);
  for (let y = 1; y < 4; y++) for (let x = 1; x < 4; x++) want[y * 6 + x] = 1;
  assert.deepEqual(m, want);
  // A triangle: row 0 (centre y 0.5) spans x < 3.5, row 3 (y 3.5) spans x < 0.5.
  const t = vision.polygonsToMask([[0, 0, 4, 0, 0, 4]], 4, 4);
  assert.deepEqual([...t], [1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
});

const good = () => ({
  images: [{ id: 1, file_name: "a.png", width: 4, height: 3 }],
  annotations: [
    {
      id: 1,
      image_id: 1,
      category_id: 2,
      bbox: [0, 0, 2, 2],
      area: 4,
      iscrowd: 0,
      segmentation: { size: [3, 4], counts: [0, 2, 1, 2, 7] },
    },
  ],
  categories: [{ id: 2, name: "dress" }],
});

test("parseCoco accepts a valid file and decodes its masks", () => {
  const c = vision.parseCoco(good(), "ok.json");
  assert.equal(c.images[0]!.fileName, "a.png");
  assert.deepEqual(c.annotations[0]!.bbox, [0, 0, 2, 2]);
  const m = vision.annotationMask(c.annotations[0]!, c.images[0]!);
  assert.deepEqual([...m], [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0]);
});

test("malformed COCO files are rejected naming the file, the field and the value", () => {
  const bad = (mutate: (j: ReturnType<typeof good>) => unknown, re: RegExp) => {
    const j = good();
    const out = mutate(j) ?? j;
    assert.throws(
      () => vision.parseCoco(out, "ann.json"),
      (e: unknown) => e instanceof fl.FlambeauError && re.test(e.message) && e.message.startsWith("ann.json: "),
      String(re),
    );
  };
  bad(() => [], /top level must be an object/);
  bad((j) => ({ ...j, images: undefined }), /"images" must be an array, got undefined/);
  bad((j) => ({ ...j, categories: [] }), /"categories" is empty/);
  bad((j) => void (j.images[0]!.width = -3), /images\[0\]\.width must be an integer ≥ 1, got -3/);
  bad((j) => void ((j.images[0] as { file_name: unknown }).file_name = 7), /images\[0\]\.file_name must be a non-empty string, got 7/);
  bad((j) => void j.images.push({ ...j.images[0]! }), /images has the id 1 twice/);
  bad((j) => void (j.annotations[0]!.image_id = 9), /annotations\[0\]\.image_id is 9, which no entry of "images" has/);
  bad((j) => void (j.annotations[0]!.category_id = 5), /annotations\[0\]\.category_id is 5, not one of the categories' ids \[2\]/);
  bad(
    (j) => void (j.annotations[0]!.bbox = [0, 0, 2]),
    /annotations\[0\]\.bbox must be \[x, y, width, height\] of 4 finite numbers, got \[0,0,2\]/,
  );
  bad((j) => void (j.annotations[0]!.bbox = [3, 0, 2, 2]), /annotations\[0\]\.bbox \[3,0,2,2\] is empty or outside its 4×3 image "a.png"/);
  bad(
    (j) => void (j.annotations[0]!.segmentation.size = [4, 3]),
    /annotations\[0\]\.segmentation\.size must be \[height, width\] = \[3, 4\] of its image, got \[4,3\]/,
  );
  bad((j) => void (j.annotations[0]!.segmentation.counts = [1, 2]), /segmentation\.counts sum to 3, but the image has 3×4 = 12 pixels/);
  bad(
    (j) => void ((j.annotations[0] as { segmentation: unknown }).segmentation = [[0, 0, 1, 1]]),
    /segmentation\[0\] must be a polygon \[x1, y1, x2, y2, …\] of at least 3 points/,
  );
  bad((j) => void ((j.annotations[0] as { iscrowd: unknown }).iscrowd = "no"), /annotations\[0\]\.iscrowd must be 0 or 1, got "no"/);
});

test("readCoco, readLabelMask and readSceneDataset reject bad files", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-coco-"));
  try {
    assert.throws(() => vision.readCoco(join(dir, "none.json")), /readCoco: no such file .*none\.json/);
    writeFileSync(join(dir, "broken.json"), '{"images": [');
    assert.throws(() => vision.readCoco(join(dir, "broken.json")), /broken\.json: invalid JSON/);
    await assert.rejects(vision.readSceneDataset(dir), /no COCO annotations in .*\(expected annotations\.json or instances_\*\.json/);
    // Label masks: grayscale PNG of category ids.
    const gray = fl.tensor(Uint8Array.from([0, 2, 255, 2, 0, 0]), { shape: [1, 2, 3] });
    await vision.writeImage(join(dir, "m.png"), gray);
    assert.deepEqual(
      [...(await vision.readLabelMask(join(dir, "m.png"), { height: 2, width: 3, categoryIds: [2] }))],
      [0, 2, 255, 2, 0, 0],
    );
    await assert.rejects(
      vision.readLabelMask(join(dir, "m.png"), { height: 2, width: 3, categoryIds: [1] }),
      /m\.png has the value 2 at \(x 1, y 0\), which is neither 0, 255 \(ignore\) nor a category id \[1\]/,
    );
    await assert.rejects(
      vision.readLabelMask(join(dir, "m.png"), { height: 3, width: 3, categoryIds: [2] }),
      /m\.png is 3×2, its image is 3×3/,
    );
    await vision.writeImage(join(dir, "c.png"), fl.zeros([3, 2, 3]).to("uint8"));
    await assert.rejects(
      vision.readLabelMask(join(dir, "c.png"), { height: 2, width: 3, categoryIds: [2] }),
      /c\.png has 3 channels; a label mask is a grayscale PNG/,
    );
    // An annotation file whose image is missing or of another size.
    writeFileSync(
      join(dir, "annotations.json"),
      JSON.stringify({ ...good(), annotations: [], images: [{ id: 1, file_name: "m.png", width: 4, height: 4 }] }),
    );
    await assert.rejects(vision.readSceneDataset(dir), /image id 1 "m\.png": says 4×4, but .*m\.png is 3×2 on disk/);
    writeFileSync(
      join(dir, "annotations.json"),
      JSON.stringify({ ...good(), annotations: [], images: [{ id: 1, file_name: "m.png", width: 3, height: 2 }] }),
    );
    await assert.rejects(
      vision.readSceneDataset(dir),
      /image m\.png is 3×2; the images must share one square size \(3×3\) or be read with \{ size \}/,
    );
    writeFileSync(
      join(dir, "annotations.json"),
      JSON.stringify({ ...good(), annotations: [], images: [{ id: 1, file_name: "gone.png", width: 4, height: 4 }] }),
    );
    await assert.rejects(
      vision.readSceneDataset(dir),
      /annotations\.json: image id 1 "gone\.png" not found; looked in .*gone\.png, .*images\/gone\.png.*--images DIR/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("readSceneDataset finds COCO's bare file names in images/ or the split's folder", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-coco-names-"));
  try {
    const img = fl.zeros([3, 4, 4]).to("uint8");
    const ann = (name: string) => JSON.stringify({ ...good(), annotations: [], images: [{ id: 1, file_name: name, width: 4, height: 4 }] });
    mkdirSync(join(dir, "a", "images"), { recursive: true });
    await vision.writeImage(join(dir, "a", "images", "000001.png"), img);
    writeFileSync(join(dir, "a", "annotations.json"), ann("000001.png"));
    assert.equal((await vision.readSceneDataset(join(dir, "a"))).scenes.length, 1);
    // COCO 2017's layout: annotations/instances_train2017.json beside train2017/.
    mkdirSync(join(dir, "b", "annotations"), { recursive: true });
    mkdirSync(join(dir, "b", "train2017"), { recursive: true });
    await vision.writeImage(join(dir, "b", "train2017", "000002.png"), img);
    writeFileSync(join(dir, "b", "annotations", "instances_train2017.json"), ann("000002.png"));
    assert.equal((await vision.readSceneDataset(join(dir, "b", "annotations", "instances_train2017.json"))).scenes.length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
