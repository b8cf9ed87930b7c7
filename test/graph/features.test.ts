// Hand-made node features (the shallow side of `flambeau compare` for graphs): degree,
// triangles and the neighbour-label histogram by hand, clustering and PageRank against
// networkx (scripts/fixtures/compare_features.py), and the node-level compare ladder.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { compare, markdownTable } from "../../src/compare/index.js";
import {
  clustering,
  degrees,
  graphShallowPipeline,
  neighbourLabelHistogram,
  pageRank,
  triangles,
  undirectedAdjacency,
} from "../../src/graph/features/index.js";
import { readFixture } from "../helpers/fixtures.js";

interface GraphFixture {
  numNodes: number;
  edges: [number, number][];
  degree: number[];
  clustering: number[];
  pagerank: number[];
}
const f = readFixture<GraphFixture>("compare", "graph-features.json");

const close = (a: ArrayLike<number>, b: readonly number[], tol: number, what: string) => {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `${what}[${i}] = ${a[i]}, expected ${b[i]}`);
};

test("adjacency drops self-loops and duplicates; degree and triangles by hand", () => {
  // Tensor and pair inputs give the same graph.
  const ei = fl.tensor(BigInt64Array.from([...f.edges.map((e) => e[0]), ...f.edges.map((e) => e[1])], BigInt), {
    shape: [2, f.edges.length],
  });
  const a = undirectedAdjacency(ei, f.numNodes);
  assert.deepEqual(undirectedAdjacency(f.edges, f.numNodes), a);
  assert.deepEqual(Array.from(a.neighbours.subarray(a.offsets[2]!, a.offsets[3]!)), [0, 1, 3, 4]);
  assert.deepEqual(Array.from(degrees(a)), [2, 2, 4, 2, 3, 2, 1, 0]);
  assert.deepEqual(Array.from(degrees(a)), f.degree);
  // Triangles {0, 1, 2} and {2, 3, 4}.
  assert.deepEqual(Array.from(triangles(a)), [1, 1, 2, 1, 1, 0, 0, 0]);
  assert.throws(() => undirectedAdjacency([[0, 9]], 8), /undirectedAdjacency: edge 0 \(0, 9\) is outside \[0, 8\)/);
  assert.throws(() => undirectedAdjacency(fl.zeros([3, 2]), 8), /edge index must be \[2, E\], got \[3,2\]/);
});

test("clustering and PageRank match networkx", () => {
  const a = undirectedAdjacency(f.edges, f.numNodes);
  close(clustering(a), f.clustering, 1e-12, "clustering");
  // Node 2 closes 1 of its 6 neighbour pairs... no: 2 of 6 → 1/3.
  assert.equal(clustering(a)[2], 1 / 3);
  close(pageRank(a, { tol: 1e-13, maxIter: 10000 }), f.pagerank, 1e-9, "pagerank");
  close(pageRank(a), f.pagerank, 1e-5, "pagerank at networkx's default tolerance");
  assert.throws(() => pageRank(a, { maxIter: 2, tol: 1e-15 }), /pageRank: no convergence in 2 iterations/);
});

test("the neighbour-label histogram reads only the known nodes' labels", () => {
  const a = undirectedAdjacency(f.edges, f.numNodes);
  const labels = [0, 0, 1, 1, 2, 2, 0, 1];
  const h = neighbourLabelHistogram(a, labels, [0, 2, 5], 3);
  const row = (v: number) => Array.from(h.subarray(4 * v, 4 * v + 4));
  // Node 1: neighbours 0 (class 0) and 2 (class 1), both known.
  close(row(1), [0.5, 0.5, 0, Math.log(3)], 1e-6, "node 1");
  // Node 4: neighbours 2 (known, 1), 3 (unknown), 5 (known, 2).
  close(row(4), [0, 0.5, 0.5, Math.log(3)], 1e-6, "node 4");
  // Node 3: neighbours 2 (known) and 4 (unknown); node 7 is isolated.
  close(row(3), [0, 1, 0, Math.log(2)], 1e-6, "node 3");
  close(row(7), [0, 0, 0, 0], 0, "node 7");
  // Relabelling the unknown nodes changes nothing: no leakage of validation/test labels.
  assert.deepEqual(neighbourLabelHistogram(a, [0, 2, 1, 0, 0, 2, 1, 2], [0, 2, 5], 3), h);
  assert.throws(() => neighbourLabelHistogram(a, labels, [0, 8], 3), /known node 8 is outside \[0, 8\)/);
  assert.throws(() => neighbourLabelHistogram(a, labels, [4], 2), /node 4 has label 2, outside \[0, 2\)/);
  assert.throws(() => neighbourLabelHistogram(a, [0, 1], [0], 2), /2 labels for 8 nodes/);
});

/** Two communities of 30 nodes (dense inside, sparse across) with noisy 4-d features. */
function twoCommunities(): string {
  let s = 12345;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const nodes = Array.from({ length: 60 }, (_, i) => ({
    id: `n${i}`,
    label: i < 30 ? "a" : "b",
    features: [rnd(), rnd(), rnd(), rnd()],
  }));
  const edges: [string, string][] = [];
  for (let i = 0; i < 60; i++)
    for (let j = i + 1; j < 60; j++) if (rnd() < (i < 30 === j < 30 ? 0.4 : 0.02)) edges.push([`n${i}`, `n${j}`]);
  const file = join(mkdtempSync(join(tmpdir(), "fl-graph-features-")), "g.json");
  writeFileSync(file, JSON.stringify({ directed: false, nodes, edges }));
  return file;
}

test("node-level compare: the ladder is over labelled training nodes, both sides on the same nodes", async () => {
  const file = twoCommunities();
  // The file has no split: a seeded 60/20/20 split gives 36 training, 12 test nodes.
  const s = await graphShallowPipeline.load(file, { seed: 0, limit: 9 });
  assert.deepEqual([s.train.n, s.val.n, s.test.n, s.available], [9, 12, 12, 36]);
  const x = s.features(s.test.x);
  // 4 raw + 3 structural + 2 classes + 1 count.
  assert.deepEqual(x.shape, [12, 10]);
  graphShallowPipeline.dispose(s);
  const r = await compare("node-classification", { data: file, fractions: [0.25, 1], seeds: 2, epochs: 30 });
  assert.deepEqual(
    r.runs.map((u) => [u.fraction, u.seed, u.trainExamples]),
    [
      [0.25, 0, 9],
      [0.25, 1, 9],
      [1, 0, 36],
      [1, 1, 36],
    ],
  );
  assert.equal(r.testExamples, 12);
  assert.equal(r.deepModel, "gcn");
  for (const u of r.runs) {
    // With every training node labelled, the training neighbours' labels give the community away.
    if (u.fraction === 1) assert.ok(u.shallow.accuracy >= 0.9, `shallow ${u.shallow.accuracy}`);
    assert.ok(u.deep && u.deep.accuracy >= 0 && u.deep.accuracy <= 1 && u.deep.trainSeconds > 0 && u.deep.inferMs > 0);
  }
  assert.match(markdownTable(r), /\| 36 \(100%\) \|/);
});

test("graphs without validation nodes (karate) choose the L2 strength on the training nodes", async () => {
  const r = await compare("node-classification", { data: "karate", fractions: [1], seeds: 1, shallowOnly: true });
  // One labelled member per club; the other 32 members are the test nodes.
  assert.deepEqual([r.runs[0]!.trainExamples, r.testExamples], [2, 32]);
  assert.ok(r.runs[0]!.shallow.accuracy >= 0 && r.runs[0]!.shallow.accuracy <= 1);
});
