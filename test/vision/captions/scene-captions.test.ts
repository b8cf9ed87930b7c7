// Captions and scene graphs of scenes: hand-checked on a hand-made scene, and on generated
// scenes the colour names checked against the pixels they were drawn with.
import assert from "node:assert/strict";
import { test } from "node:test";
import { namesEveryObject, sceneCaptions } from "../../../src/vision/captions/scene-captions.js";
import { hue, hueName } from "../../../src/vision/scenes/colors.js";
import { generateScenes, type SceneObject } from "../../../src/vision/scenes/generate.js";
import { sceneGraph } from "../../../src/vision/scenes/scene-graph.js";

const DIGITS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
const RANGE = { minScale: 0.3, maxScale: 0.6 };

// A red 3 (medium), a small blue 7 to its right, a large green 8 whose box lies inside the 3's.
const objects: SceneObject[] = [
  { category: 3, box: [4, 20, 10, 10], area: 70, color: "red", scale: 0.45, fullArea: 80 },
  { category: 7, box: [40, 22, 8, 8], area: 40, color: "blue", scale: 0.31, fullArea: 40 },
  { category: 8, box: [5, 22, 6, 6], area: 20, color: "green", scale: 0.6, fullArea: 20 },
];

test("scene graph of a hand-made scene: attributes and every relation, exact", () => {
  const g = sceneGraph({ objects }, DIGITS, RANGE);
  assert.deepEqual(
    g.objects.map((o) => [o.className, o.color, o.size]),
    [
      ["3", "red", "medium"],
      ["7", "blue", "small"],
      ["8", "green", "large"],
    ],
  );
  const rel = g.relations.map((t) => `${t.subject} ${t.relation} ${t.object}`).sort();
  assert.deepEqual(
    rel,
    [
      "0 bigger than 1",
      "0 bigger than 2",
      "0 left of 1",
      "0 overlaps 2",
      "1 bigger than 2",
      "2 inside 0",
      "2 left of 0",
      "2 left of 1",
    ].sort(),
  );
});

test("captions of a hand-made scene in four phrasings; each names every object", () => {
  const g = sceneGraph({ objects: objects.slice(0, 2) }, DIGITS, RANGE);
  assert.deepEqual(sceneCaptions(g), [
    "a red 3 and a small blue 7",
    "a red 3 to the left of a small blue 7",
    "there are two objects , a red 3 and a small blue 7",
    "a small blue 7 to the right of a red 3",
  ]);
  const g3 = sceneGraph({ objects }, DIGITS, RANGE);
  assert.deepEqual(sceneCaptions(g3).slice(0, 2), [
    "a large green 8 , a red 3 and a small blue 7",
    "a large green 8 to the left of a red 3 and a small blue 7 to the right of the red 3",
  ]);
  for (const c of sceneCaptions(g3)) assert.ok(namesEveryObject(c, g3), c);
  assert.equal(namesEveryObject("a red 3 and a blue 7", g3), false);
  assert.equal(namesEveryObject("a red 3 and a green 8 and a red 7", g3), false);
  // "medium" is left unsaid; a zero-width scale range calls every object medium.
  const one = sceneGraph({ objects: [{ ...objects[2]!, scale: 0.45 }] }, DIGITS, RANGE);
  assert.equal(sceneCaptions(one)[0], "a green 8");
  const eight = sceneGraph({ objects: [{ ...objects[2]!, color: "gray", scale: 0.45 }] }, DIGITS, RANGE);
  assert.equal(sceneCaptions(eight)[0], "a gray 8");
  const bare = sceneGraph({ objects: [{ ...objects[2]!, size: undefined } as SceneObject] }, ["", "", "", "", "", "", "", "", "8"], {
    minScale: 0.5,
    maxScale: 0.5,
  });
  assert.equal(bare.objects[0]!.size, "medium");
  assert.throws(() => sceneGraph({ objects: [{ category: 1, box: [0, 0, 1, 1], area: 1 }] }, DIGITS, RANGE), /no colour or scale/);
});

test("generated scenes: each colour name is the hue of the object's own pixels; graph boxes are the masks'", async () => {
  const set = await generateScenes({
    count: 12,
    objects: "digits",
    minObjects: 2,
    maxObjects: 3,
    minScale: 0.3,
    maxScale: 0.55,
    seed: 3,
    split: "test",
  });
  const s = set.size;
  let tinted = 0;
  for (const sc of set.scenes) {
    const g = sceneGraph(sc, set.classes, set.options);
    sc.objects.forEach((o, k) => {
      const sum = [0, 0, 0];
      for (let p = 0; p < s * s; p++) if (sc.instances[p] === k + 1) for (let c = 0; c < 3; c++) sum[c]! += sc.image[c * s * s + p]!;
      const [r, gg, b] = sum as [number, number, number];
      // Texture scales the three channels alike, so the mean colour keeps the tint's hue (to rounding).
      if (Math.max(r, gg, b) - Math.min(r, gg, b) < 0.02 * Math.max(r, gg, b)) assert.equal(o.color, "gray");
      else {
        tinted++;
        const h = hue(r, gg, b);
        // Away from a boundary between two names, the pixel hue must name the same colour.
        if (Math.abs(((h + 0.5) % 1) - 0.5) < 0.48) assert.equal(hueName(h), o.color, `hue ${h}`);
      }
      assert.equal(g.objects[k]!.cx, o.box[0] + o.box[2] / 2);
    });
    for (const c of sceneCaptions(g)) assert.ok(namesEveryObject(c, g), c);
  }
  assert.ok(tinted > 10);
});
