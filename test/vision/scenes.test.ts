// The scene generator: determinism per seed, boxes and masks that agree exactly, the
// cut-out helpers on hand-made items, and scene sets written to disk and read back.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";

const { vision } = fl;

test("scenes are a pure function of (seed, split, index)", async () => {
  const o = { count: 4, seed: 3, minObjects: 1, maxObjects: 3 };
  const a = await vision.generateScenes(o);
  const b = await vision.generateScenes(o);
  const firstTwo = await vision.generateScenes({ ...o, count: 2 });
  const other = await vision.generateScenes({ ...o, seed: 4 });
  const test_ = await vision.generateScenes({ ...o, split: "test" });
  assert.equal(a.scenes.length, 4);
  assert.deepEqual(a.scenes, b.scenes, "same options, same scenes");
  assert.deepEqual(firstTwo.scenes, a.scenes.slice(0, 2), "scene i does not depend on the count");
  assert.notDeepEqual(other.scenes[0]!.image, a.scenes[0]!.image, "another seed, other scenes");
  assert.notDeepEqual(test_.scenes[0]!.image, a.scenes[0]!.image, "the test split draws other scenes");
  assert.deepEqual(a.classes, [...fl.data.FASHION_MNIST_CLASSES]);
});

test("every box is the bounds of its instance mask, and the semantic mask agrees with the instances", async () => {
  const set = await vision.generateScenes({ count: 12, seed: 1, minObjects: 2, maxObjects: 4, size: 48 });
  const s = set.size;
  let objects = 0;
  for (const sc of set.scenes) {
    assert.ok(sc.objects.length >= 1 && sc.objects.length <= 4);
    assert.equal(sc.image.length, 3 * s * s);
    sc.objects.forEach((ob, k) => {
      objects++;
      assert.deepEqual(ob.box, vision.maskBox(sc.instances, s, s, k + 1), "box = mask bounds");
      let area = 0;
      for (let p = 0; p < s * s; p++) if (sc.instances[p] === k + 1) area++;
      assert.equal(ob.area, area);
      assert.ok(ob.category >= 0 && ob.category < 10);
    });
    for (let p = 0; p < s * s; p++) {
      const inst = sc.instances[p]!;
      assert.equal(sc.semantic[p], inst ? sc.objects[inst - 1]!.category + 1 : 0);
      assert.ok(inst <= sc.objects.length);
    }
  }
  assert.ok(objects > 12, "several objects per scene were placed");
});

test("digits objects come from opencv-doc's sheet, with held-out columns for the test split", async () => {
  const train = await vision.loadObjectBank("digits", "train");
  const testB = await vision.loadObjectBank("digits", "test");
  assert.equal(train.side, 20);
  // 4,000 / 1,000 cells, less the few blank ones.
  assert.ok(train.count > 3900 && train.count <= 4000, `train ${train.count}`);
  assert.ok(testB.count > 975 && testB.count <= 1000, `test ${testB.count}`);
  assert.equal(train.labels[0], 0);
  assert.equal(train.labels[train.count - 1], 9);
});

test("silhouette fills the holes the background cannot reach; renderSprite at scale 1, angle 0 is the item itself", () => {
  // A 5×5 ring of bright pixels around a dark centre, on a dark border.
  const g = new Uint8Array(25);
  for (const i of [6, 7, 8, 11, 13, 16, 17, 18]) g[i] = 200;
  const m = vision.silhouette(g, 5, 10);
  assert.deepEqual([...m], [0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  const sp = vision.renderSprite(g, m, 5, 5, 0)!;
  assert.equal(sp.width, 3);
  assert.equal(sp.height, 3);
  assert.deepEqual([...sp.mask], [1, 1, 1, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual([...sp.gray], [200, 200, 200, 200, 0, 200, 200, 200, 200]);
  // A quarter turn of a 3×3 square is still 3×3; doubling it gives 6×6.
  assert.equal(vision.renderSprite(g, m, 5, 5, Math.PI / 2)!.width, 3);
  assert.equal(vision.renderSprite(g, m, 5, 10, 0)!.width, 6);
});

test("a scene set written as COCO + PNG masks reads back identically", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-scenes-"));
  try {
    const set = await vision.generateScenes({ count: 5, seed: 2, minObjects: 1, maxObjects: 3, size: 40 });
    await vision.writeSceneDataset(dir, set);
    const back = await vision.readSceneDataset(dir);
    assert.equal(back.size, 40);
    assert.deepEqual(back.classes, set.classes);
    assert.equal(
      back.coco.annotations.length,
      set.scenes.reduce((a, s) => a + s.objects.length, 0),
    );
    back.scenes.forEach((sc, i) => {
      const want = set.scenes[i]!;
      assert.deepEqual(sc.image, want.image, `image ${i}`);
      assert.deepEqual(sc.semantic, want.semantic, `semantic ${i}`);
      assert.deepEqual(sc.instances, want.instances, `instances ${i}`);
      // COCO keeps category, box and area; colour, scale and pasted area exist only in generated scenes.
      assert.deepEqual(
        sc.objects,
        want.objects.map(({ category, box, area }) => ({ category, box, area })),
        `objects ${i}`,
      );
    });
    // Read at another size: images, masks and boxes scale together.
    const half = await vision.readSceneDataset(dir, { size: 20, limit: 2 });
    assert.equal(half.scenes.length, 2);
    assert.equal(half.scenes[0]!.semantic.length, 400);
    assert.deepEqual(
      half.scenes[0]!.objects[0]!.box,
      set.scenes[0]!.objects[0]!.box.map((v) => v / 2),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("bad generator options are FlambeauErrors naming the option and value", async () => {
  await assert.rejects(vision.generateScenes({ count: 2, size: 8 }), /generateScenes: size must be an integer in \[16, 512\], got 8/);
  await assert.rejects(
    vision.generateScenes({ count: 2, minObjects: 3, maxObjects: 2 }),
    /maxObjects must be an integer in \[3, 32\], got 2/,
  );
  await assert.rejects(vision.generateScenes({ count: 2, maxOcclusion: 1 }), /maxOcclusion must be in \[0, 1\), got 1/);
  await assert.rejects(
    vision.generateScenes({ count: 2, objects: "cats" as never }),
    /unknown object source "cats"; sources: fashion, digits/,
  );
  await assert.rejects(
    vision.generateScenes({ count: 1, photos: "/nonexistent-photos" }),
    /photos: no such directory \/nonexistent-photos/,
  );
});
