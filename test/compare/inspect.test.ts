// Feature inspection: PCA scores, leave-one-out k-NN, filters, activation maps, embeddings.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { activationMaps, firstLayerFilters, knnAccuracy, pca2, penultimate } from "../../src/tasks/inspect.js";
import { SmallCNN } from "../../src/vision/models/small-cnn.js";

test("pca2 returns the top-2 principal component scores (variance ordered, centred, orthogonal)", () => {
  fl.manualSeed(0);
  // Variances 9, 4 and 0.01 along three rotated axes.
  const z = fl.randn([500, 3]).mul(fl.tensor([3, 2, 0.1]));
  const q = fl.tensor([
    [0.36, 0.48, -0.8],
    [-0.8, 0.6, 0],
    [0.48, 0.64, 0.6],
  ]);
  const p = pca2(z.matmul(q).add(5));
  const v = p.var({ dim: 0 }).toArray() as number[];
  const zv = z.var({ dim: 0 }).toArray() as number[];
  assert.ok(Math.abs(v[0]! - zv[0]!) / zv[0]! < 0.05 && Math.abs(v[1]! - zv[1]!) / zv[1]! < 0.05, `variances ${v} vs ${zv}`);
  assert.ok(Math.abs(p.mean({ dim: 0 }).abs().max().item()) < 1e-4);
  assert.ok(Math.abs(p.select(1, 0).dot(p.select(1, 1)).item()) < 1e-2 * 500);
});

test("knnAccuracy is leave-one-out: a point never votes for itself", () => {
  // Two tight clusters and one stray point of class 0 just outside cluster 1.
  const x = fl.tensor([
    [0, 0],
    [0, 0.1],
    [0.1, 0],
    [5, 5],
    [5, 5.1],
    [5.1, 5],
    [5.5, 5.5],
  ]);
  const y = fl.tensor(BigInt64Array.from([0n, 0n, 0n, 1n, 1n, 1n, 0n]));
  // k = 1: six points find a same-class neighbour, the stray one does not; 6/7.
  assert.ok(Math.abs(knnAccuracy(x, y, 1) - 6 / 7) < 1e-6);
  // k = 3: the stray point's neighbours are three class-1 points; every other point has two
  // same-class neighbours among its three; still 6/7.
  assert.ok(Math.abs(knnAccuracy(x, y, 3) - 6 / 7) < 1e-6);
});

test("filters, activation maps and the embedding of a small CNN", () => {
  fl.manualSeed(0);
  const model = new SmallCNN({ inChannels: 1, numClasses: 10, size: 28, width: 8 });
  model.eval();
  const g = firstLayerFilters(model);
  assert.equal(g.channels, 1);
  // 8 filters of 3×3 scaled 16× in one row, 1 px gaps.
  assert.deepEqual([g.height, g.width], [3 * 16 + 2, 8 * (3 * 16 + 1) + 1]);
  const x = fl.randn([4, 1, 28, 28]);
  const maps = activationMaps(model, x.narrow(0, 0, 1));
  assert.deepEqual(
    maps.map((m) => m.layer),
    ["features.2", "features.6"],
  );
  assert.equal(Object.hasOwn(model.features.at(2), "forward"), false, "hooks are removed");
  const e = penultimate(model, x);
  assert.deepEqual(e.shape, [4, 32]);
});
