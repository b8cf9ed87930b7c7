// scene-graph: triplet Recall@K on hand-made examples (IoU matching, classes, predicates,
// ranking), the FREQ table counted by hand, the geometry rule, the packed targets read back
// as the generator's exact graphs, and the task end to end (train → eval → predict --draw
// SVG and PNG) with its errors.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { countFrequencies, frequencyProbs, geometryProbs } from "../../src/vision/scene-graph/baselines.js";
import { drawSceneGraph, sceneGraphSvg } from "../../src/vision/scene-graph/draw.js";
import { orderedPairs, RecallAccumulator, rankTriplets, tripletRecall } from "../../src/vision/scene-graph/metrics.js";
import { pairGeometry } from "../../src/vision/scene-graph/model.js";
import { readTruth, sceneGraphTargets, sceneTruth } from "../../src/vision/scene-graph/training.js";
import { classColor } from "../../src/vision/scenes/draw.js";
import { VISION_TASKS } from "../../src/vision/tasks/index.js";
import type { SceneGraphPrediction } from "../../src/vision/tasks/scene-graph.js";

const near = (a: number, b: number, what: string, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);
const [LEFT, ABOVE, OVERLAPS, INSIDE, BIGGER] = [0, 1, 2, 3, 4];

// Truth: A (class 0) [0, 0, 10, 10], B (class 1) [20, 0, 10, 10], C (class 2) [0, 20, 10, 10];
// A left of B, A above C, B bigger than C.
const truth = {
  objects: [
    { category: 0, box: [0, 0, 10, 10] },
    { category: 1, box: [20, 0, 10, 10] },
    { category: 2, box: [0, 20, 10, 10] },
  ],
  triplets: [
    { subject: 0, predicate: LEFT, object: 1 },
    { subject: 0, predicate: ABOVE, object: 2 },
    { subject: 1, predicate: BIGGER, object: 2 },
  ],
};
// Predicted: p0 ≈ A (IoU 90/110 = 0.82), p1 class 1 at [25, 0] (IoU with B 50/150 = 0.33: no match),
// p2 ≈ B (IoU 80/120 = 0.67), p3 C's box with the wrong class, p4 = C.
const predObjects = [
  { category: 0, box: [1, 0, 10, 10] },
  { category: 1, box: [25, 0, 10, 10] },
  { category: 1, box: [22, 0, 10, 10] },
  { category: 0, box: [0, 20, 10, 10] },
  { category: 2, box: [0, 20, 10, 10] },
];
const predTriplets = [
  { subject: 0, predicate: ABOVE, object: 4, score: 0.5 }, // recalls A above C (rank 5)
  { subject: 0, predicate: LEFT, object: 1, score: 0.9 }, // p1 misses B: nothing (rank 1)
  { subject: 2, predicate: LEFT, object: 4, score: 0.6 }, // wrong predicate (rank 4)
  { subject: 0, predicate: LEFT, object: 2, score: 0.8 }, // recalls A left of B (rank 2)
  { subject: 2, predicate: BIGGER, object: 4, score: 0.4 }, // recalls B bigger than C (rank 6)
  { subject: 0, predicate: ABOVE, object: 3, score: 0.7 }, // wrong object class (rank 3)
];

test("tripletRecall: classes, predicate and both boxes at IoU ≥ 0.5, counted over the top K (hand example)", () => {
  const r = tripletRecall({ objects: predObjects, triplets: predTriplets }, truth, [1, 2, 4, 5, 6, 50]);
  assert.deepEqual(r, [0, 1 / 3, 1 / 3, 2 / 3, 1, 1]);
  // IoU exactly 0.5 ([0, 0, 10, 20] over [0, 0, 10, 10]: 100 / 200) still matches; just under does not.
  const one = { objects: [{ category: 0, box: [0, 0, 10, 10] }, truth.objects[1]!], triplets: [truth.triplets[0]!] };
  const at = (box: number[]) =>
    tripletRecall(
      { objects: [{ category: 0, box }, truth.objects[1]!], triplets: [{ subject: 0, predicate: LEFT, object: 1, score: 1 }] },
      one,
      [1],
    )![0];
  assert.equal(at([0, 0, 10, 20]), 1);
  assert.equal(at([0, 0, 10, 20.5]), 0);
  // A wrong direction (B left of A) does not recall A left of B.
  assert.deepEqual(
    tripletRecall({ objects: one.objects, triplets: [{ subject: 1, predicate: LEFT, object: 0, score: 1 }] }, one, [1]),
    [0],
  );
  assert.equal(tripletRecall({ objects: [], triplets: [] }, { objects: [], triplets: [] }, [20]), null, "no true triplet: not scored");
  assert.throws(() => tripletRecall({ objects: [], triplets: [] }, truth, [0]), /K must be a positive integer, got 0/);
});

test("RecallAccumulator: the mean over images that have true triplets; rankTriplets multiplies object scores", () => {
  const acc = new RecallAccumulator([2, 6]);
  acc.add({ objects: predObjects, triplets: predTriplets }, truth); // 1/3, 1
  acc.add({ objects: [], triplets: [] }, truth); // 0, 0
  acc.add({ objects: [], triplets: [] }, { objects: [], triplets: [] }); // skipped
  assert.equal(acc.images, 2);
  const m = acc.compute("sgdet");
  near(m.sgdetR2!, 1 / 6, "R@2");
  near(m.sgdetR6!, 1 / 2, "R@6");
  // Within the first 2: A left of B once in two images; the others never.
  assert.deepEqual(acc.byPredicate(["left of", "above", "overlaps", "inside", "bigger than"]), {
    "left of": 0.5,
    above: 0,
    "bigger than": 0,
  });
  // Two objects scored 0.5 and 0.8, pairs (0, 1) and (1, 0), two predicates.
  const ranked = rankTriplets([0.5, 0.8], orderedPairs(2), [0.9, 0.1, 0.2, 0.6], 2);
  assert.deepEqual(orderedPairs(3), [
    [0, 1],
    [0, 2],
    [1, 0],
    [1, 2],
    [2, 0],
    [2, 1],
  ]);
  assert.deepEqual(
    ranked.map((t) => [t.subject, t.predicate, t.object]),
    [
      [0, 0, 1],
      [1, 1, 0],
      [1, 0, 0],
      [0, 1, 1],
    ],
  );
  near(ranked[0]!.score, 0.4 * 0.9, "score = 0.5 · 0.8 · 0.9");
});

test("FREQ: predicate counts per ordered class pair over the training graphs (hand counts)", () => {
  const graphs = [
    {
      objects: [{ category: 0 }, { category: 1 }],
      triplets: [
        { subject: 0, predicate: LEFT, object: 1 },
        { subject: 1, predicate: BIGGER, object: 0 },
      ],
    },
    {
      objects: [{ category: 0 }, { category: 1 }, { category: 1 }],
      triplets: [
        { subject: 0, predicate: LEFT, object: 1 },
        { subject: 0, predicate: LEFT, object: 2 },
        { subject: 1, predicate: ABOVE, object: 2 },
      ],
    },
  ];
  const t = countFrequencies(graphs, 2);
  // Ordered pairs: (0,1) 1 + 2 = 3, (1,0) 1 + 2 = 3, (1,1) 0 + 2 = 2, (0,0) none.
  assert.deepEqual(t.pairs, [0, 3, 3, 2]);
  assert.equal(t.counts[(0 * 2 + 1) * 5 + LEFT], 3);
  assert.equal(t.counts[(1 * 2 + 0) * 5 + BIGGER], 1);
  assert.equal(t.counts[(1 * 2 + 1) * 5 + ABOVE], 1);
  assert.equal(
    t.counts.reduce((a, v) => a + v, 0),
    5,
  );
  const objs = [
    { category: 0, box: [0, 0, 1, 1] },
    { category: 1, box: [0, 0, 1, 1] },
    { category: 1, box: [0, 0, 1, 1] },
  ];
  const p = frequencyProbs(t, objs, [
    [0, 1],
    [1, 0],
    [1, 2],
    [0, 0],
  ]);
  assert.deepEqual(Array.from(p.subarray(0, 5)), [1, 0, 0, 0, 0]);
  near(p[5 + BIGGER]!, 1 / 3, "P(bigger than | 1, 0)");
  near(p[10 + ABOVE]!, 1 / 2, "P(above | 1, 1)");
  assert.deepEqual(Array.from(p.subarray(15, 20)), [0, 0, 0, 0, 0], "a class pair never seen: all 0");
  assert.throws(() => countFrequencies([{ objects: [{ category: 2 }, { category: 0 }], triplets: [] }], 2), /class 2 is outside \[0, 2\)/);
});

test("geometry rule: the generator's relations on boxes (hand example)", () => {
  // A [0, 0, 10, 10], B [20, 2, 10, 10], C [2, 2, 4, 4] inside A.
  const objs = [
    { category: 0, box: [0, 0, 10, 10] },
    { category: 0, box: [20, 2, 10, 10] },
    { category: 0, box: [2, 2, 4, 4] },
  ];
  const p = geometryProbs(objs, [
    [0, 1],
    [1, 0],
    [0, 2],
    [2, 0],
  ]);
  assert.deepEqual(Array.from(p.subarray(0, 5)), [1, 0, 0, 0, 0], "A left of B");
  assert.deepEqual(Array.from(p.subarray(5, 10)), [0, 0, 0, 0, 0], "B: nothing to A");
  // Centres A (5, 5), C (4, 4): C is the one left of; boxes meet; A's area 100 ≥ 1.5 · 16.
  assert.deepEqual(Array.from(p.subarray(10, 15)), [0, 0, 0.5, 0, 1], "A overlaps, bigger than C");
  assert.deepEqual(Array.from(p.subarray(15, 20)), [1, 0, 0.5, 1, 0], "C left of, overlaps, inside A");
  const g = pairGeometry([0, 0, 10, 10], [2, 2, 4, 4], 64);
  near(g[0]!, -1 / 64, "dx");
  near(g[5]!, Math.log(100 / 16), "log area ratio");
  near(g[7]!, 1, "intersection over the object's area (inside)");
  near(g[8]!, 16 / 100, "IoU");
  assert.deepEqual(g.slice(13), [0, 0, 1, 0, 1], "rule flags: not left of / above (C's centre is up-left), meet, not inside, bigger");
  assert.deepEqual(pairGeometry([2, 2, 4, 4], [0, 0, 10, 10], 64).slice(13), [1, 0, 1, 1, 0], "C left of, meets, inside A");
  void INSIDE;
  void OVERLAPS;
});

test("sceneGraphTargets → readTruth gives back the generator's exact graphs", async () => {
  const set = await fl.vision.generateScenes({
    count: 6,
    objects: "digits",
    minObjects: 2,
    maxObjects: 5,
    minScale: 0.3,
    maxScale: 0.55,
    seed: 3,
  });
  const layout = { numClasses: set.classes.length, size: 64, maxObjects: 5 };
  const y = sceneGraphTargets(set, layout);
  const back = readTruth(y, layout);
  set.scenes.forEach((sc, i) => {
    const t = sceneTruth(sc, set.classes, 5);
    assert.deepEqual(
      back[i]!.objects.map((o) => [o.category, ...o.box]),
      t.objects.map((o) => [o.category, ...o.box]),
    );
    const key = (x: { subject: number; predicate: number; object: number }) => `${x.subject} ${x.predicate} ${x.object}`;
    assert.deepEqual(back[i]!.triplets.map(key).sort(), t.triplets.map(key).sort());
    assert.ok(t.triplets.length >= 1, "two objects or more always have a relation");
  });
  y.dispose();
});

test("drawing: one arrow per ordered pair with its predicates joined, boxes in the image", async () => {
  const image = { data: new Uint8Array(3 * 16 * 16), height: 16, width: 16 };
  const objects = [
    { name: "7#1", category: 7, box: [1, 1, 4, 4] },
    { name: "a<b", category: 2, box: [9, 9, 5, 5] },
  ];
  const triplets = [
    { subject: 0, relation: "left of", object: 1 },
    { subject: 0, relation: "bigger than", object: 1 },
    { subject: 1, relation: "overlaps", object: 0 },
  ];
  const svg = await sceneGraphSvg(image, objects, triplets, { scale: 2 });
  assert.match(svg, /^<svg [^>]*viewBox="0 0 16 16" width="32" height="32"/);
  assert.equal(svg.match(/<rect /g)?.length, 2);
  assert.equal(svg.match(/<line /g)?.length, 2, "two ordered pairs");
  assert.match(svg, />left of, bigger than</);
  assert.match(svg, />a&lt;b</, "names escaped");
  const png = drawSceneGraph(image, objects, triplets);
  assert.equal(png.length, 3 * 16 * 16);
  // The box corner (1, 1) in class 7's colour; the last arrow (to 7#1) ends in a white dot at its centre (3, 3).
  assert.deepEqual([png[1 * 16 + 1], png[256 + 1 * 16 + 1], png[512 + 1 * 16 + 1]], [...classColor(8)]);
  assert.deepEqual([png[3 * 16 + 3], png[256 + 3 * 16 + 3], png[512 + 3 * 16 + 3]], [255, 255, 255]);
});

test("scene-graph: train → eval → predict --draw (SVG and PNG), and its errors", async () => {
  const task = VISION_TASKS["scene-graph"];
  const dir = mkdtempSync(join(tmpdir(), "flambeau-sg-test-"));
  try {
    const out = join(dir, "model");
    const r = await task.train({
      data: "scenes:digits",
      out,
      model: "centernet-tiny",
      limit: 32,
      epochs: 1,
      batchSize: 16,
      seed: 0,
      log: () => {},
    });
    assert.ok(Number.isFinite(r.history.epochs[0]!.loss), "a finite training loss");
    assert.ok("sgdetR50" in r.metrics && "predclsR50" in r.metrics, "validation recalls");
    const m = await task.evaluate(out, "scenes:digits", { limit: 8 });
    for (const k of ["sgdetR20", "sgdetR50", "predclsR20", "predclsR50", "freqPredclsR50", "geometryPredclsR50", "freqSgdetR50", "map50"])
      assert.ok((m[k] as number) >= 0 && (m[k] as number) <= 1, `${k} = ${m[k]}`);
    assert.ok((m.predclsR20 as number) <= (m.predclsR50 as number) + 1e-12, "R@20 ≤ R@50");
    // The geometry rule recovers nearly every true left of / above / overlaps / inside on true boxes.
    assert.ok((m.geometryPredclsR50 as number) > 0.8, `geometry rule PredCls R@50 ${m.geometryPredclsR50}`);
    assert.deepEqual(await task.evaluate(out, "scenes:digits", { limit: 8 }), m, "same model, same scenes: same numbers");
    const set = await fl.vision.generateScenes({
      count: 1,
      objects: "digits",
      minObjects: 3,
      maxObjects: 3,
      minScale: 0.3,
      maxScale: 0.55,
      split: "test",
    });
    const img = join(dir, "scene.png");
    await fl.vision.writeImage(img, fl.tensor(set.scenes[0]!.image, { shape: [3, 64, 64] }));
    const p = await task.load(out);
    try {
      const svg = join(dir, "graph.svg");
      const [a] = (await p.predict([img], { draw: svg, threshold: 0.01 })) as SceneGraphPrediction[];
      assert.ok(existsSync(svg) && readFileSync(svg, "utf8").startsWith("<svg"), "an SVG");
      for (const t of a!.triplets) assert.ok(t.probability >= 0.01);
      assert.match(task.formatPrediction(a!), /objects?.*relations?/);
      const png = join(dir, "graph.png");
      await p.predict([img], { draw: png });
      assert.ok(readFileSync(png).subarray(1, 4).toString() === "PNG", "a PNG");
    } finally {
      p.dispose?.();
    }
    await assert.rejects(task.train({ data: join(dir, "coco"), out, seed: 0, log: () => {} }), /--data must be generated scenes/);
    await assert.rejects(task.train({ data: "scenes:digits", out, model: "yolo", seed: 0, log: () => {} }), /unknown model "yolo"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
