// Communities against planted truth: NMI against scikit-learn's documented examples and hand
// values, the planted-partition generator's mixing, DMoN's loss against modularity, and DMoN
// and Louvain recovering clear planted blocks.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { adjustedRandIndex, louvain, modularity, normalizedMutualInfo } from "../../src/graph/communities.js";
import { plantedPartition } from "../../src/graph/datasets/planted.js";
import { dmonClusters, dmonLoss } from "../../src/graph/models/dmon.js";

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

test("NMI: scikit-learn's documented examples and hand values", () => {
  // normalized_mutual_info_score's docstring: perfect labelings score 1 whatever the names; a
  // class split over distinct clusters scores 0.
  close(normalizedMutualInfo([0, 0, 1, 1], [0, 0, 1, 1]), 1);
  close(normalizedMutualInfo([0, 0, 1, 1], [1, 1, 0, 0]), 1);
  close(normalizedMutualInfo([0, 0, 0, 0], [0, 1, 2, 3]), 0);
  // b refines a: I = H(a) = ln 2, H(b) = 1.5 ln 2 → 2 / 2.5.
  close(normalizedMutualInfo([0, 0, 1, 1], [0, 0, 1, 2]), 0.8);
  // Contingency (2, 1, 0 / 0, 1, 2): I = ⅔ ln 2, H = ln 2 and ln 3.
  close(normalizedMutualInfo([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]), ((2 / 3) * Math.LN2) / ((Math.LN2 + Math.log(3)) / 2));
  // adjusted_rand_score's docstring values.
  close(adjustedRandIndex([0, 0, 1, 2], [0, 0, 1, 1]), 4 / 7);
  close(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1]), -0.5);
});

test("planted partition: seeded, blocks as labels, mixing close to μ", () => {
  const g = plantedPartition({ nodes: 400, blocks: 4, degree: 20, mu: 0.3, seed: 3 });
  const again = plantedPartition({ nodes: 400, blocks: 4, degree: 20, mu: 0.3, seed: 3 });
  assert.deepEqual(Array.from(g.edgeIndex.data() as BigInt64Array), Array.from(again.edgeIndex.data() as BigInt64Array));
  const y = g.y!.data() as BigInt64Array;
  const d = g.edgeIndex.data() as BigInt64Array;
  const e = g.numEdges;
  let out = 0;
  for (let k = 0; k < e; k++) if (y[Number(d[k])] !== y[Number(d[e + k])]) out++;
  close(out / e, 0.3, 0.03);
  close(e / 400, 20, 1);
  assert.throws(
    () => plantedPartition({ nodes: 10, blocks: 2, degree: 20, mu: 0.1 }),
    (err: Error) => err instanceof fl.FlambeauError && /too high/.test(err.message),
  );
});

test("DMoN loss: −modularity for hard assignments, plus the collapse penalty", () => {
  // One edge, its two ends apart: Q = −½, sizes equal → no collapse penalty.
  const ei = fl.tensor(
    [
      [0, 1],
      [1, 0],
    ],
    { dtype: "int64" },
  );
  close(
    dmonLoss(
      fl.tensor([
        [1, 0],
        [0, 1],
      ]),
      ei,
      2,
    ).item(),
    0.5,
    1e-6,
  );
  // Everything in one cluster: Q = 0, penalty √2 / 2 · 2 − 1.
  close(
    dmonLoss(
      fl.tensor([
        [1, 0],
        [1, 0],
      ]),
      ei,
      2,
    ).item(),
    Math.SQRT2 - 1,
    1e-6,
  );
  // On a planted graph, −loss without the penalty is Newman's modularity of the blocks.
  const g = plantedPartition({ nodes: 60, blocks: 3, degree: 8, mu: 0.2, seed: 1 });
  const truth = Array.from(g.y!.data() as BigInt64Array, Number);
  const c = fl.tensor(Float32Array.from(truth.flatMap((b) => [0, 1, 2].map((j) => (j === b ? 1 : 0)))), { shape: [60, 3] });
  close(-dmonLoss(c, g.edgeIndex, 60, 0).item(), modularity(g, truth), 1e-5);
});

test("DMoN and Louvain recover clear planted blocks (μ = 0.1)", async () => {
  const g0 = plantedPartition({ nodes: 120, blocks: 3, degree: 12, mu: 0.1, seed: 0 });
  const g = g0.with({ x: fl.eye(120) });
  const truth = Array.from(g.y!.data() as BigInt64Array, Number);
  const dm = await dmonClusters(g, { k: 3, epochs: 150, seed: 0 });
  assert.ok(normalizedMutualInfo(dm.labels, truth) > 0.9, `DMoN NMI ${normalizedMutualInfo(dm.labels, truth)}`);
  const lv = louvain(g, { seed: 0 });
  assert.ok(normalizedMutualInfo(lv.labels, truth) > 0.9);
});
