// Graph data: edge-index utilities against PyG's formulas, the Graph class, batching,
// neighbour sampling, graphology / edge-list / JSON / CSV conversion, and bad input.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { DirectedGraph, UndirectedGraph } from "graphology";
import { assertClose, fromJson, readFixture, type TensorJson } from "../helpers/fixtures.js";

const { graph } = fl;
const isFl = (re: RegExp) => (e: Error) => e instanceof fl.FlambeauError && re.test(e.message);
const pairs = (ei: fl.Tensor): number[][] => {
  const d = Array.from(ei.data() as BigInt64Array, Number);
  const e = ei.shape[1]!;
  return Array.from({ length: e }, (_, k) => [d[k]!, d[e + k]!]);
};

interface Utils {
  edgeIndex: TensorJson;
  numNodes: number;
  gcnNorm: { edgeIndex: TensorJson; edgeWeight: TensorJson };
  softmaxSrc: TensorJson;
  softmax: TensorJson;
  inDegree: TensorJson;
}

test("gcnNorm, segmentSoftmax and degree match PyG's", () => {
  const u = readFixture<Utils>("graph", "utils.json");
  const ei = fromJson(u.edgeIndex);
  const r = graph.gcnNorm(ei, u.numNodes);
  assert.deepEqual(pairs(r.edgeIndex), pairs(fromJson(u.gcnNorm.edgeIndex)));
  assertClose(r.edgeWeight, u.gcnNorm.edgeWeight, "gcnNorm weights");
  assertClose(graph.segmentSoftmax(fromJson(u.softmaxSrc), ei.select(0, 1), u.numNodes), u.softmax, "softmax");
  const g = new graph.Graph({ edgeIndex: ei, numNodes: u.numNodes });
  assertClose(g.degree("in"), u.inDegree, "in-degree");
});

test("scatter reductions, empty groups give 0", () => {
  const src = fl.tensor([
    [1, 2],
    [3, -4],
    [5, 6],
  ]);
  const idx = fl.tensor([0, 0, 2], { dtype: "int64" });
  assert.deepEqual(graph.scatter(src, idx, 3, "sum").toArray(), [
    [4, -2],
    [0, 0],
    [5, 6],
  ]);
  assert.deepEqual(graph.scatter(src, idx, 3, "mean").toArray(), [
    [2, -1],
    [0, 0],
    [5, 6],
  ]);
  assert.deepEqual(graph.scatter(src, idx, 3, "max").toArray(), [
    [3, 2],
    [0, 0],
    [5, 6],
  ]);
  assert.deepEqual(graph.scatter(src, idx, 3, "min").toArray(), [
    [1, -4],
    [0, 0],
    [5, 6],
  ]);
  assert.throws(() => graph.scatter(src, fl.tensor([0, 1], { dtype: "int64" }), 3), isFl(/one entry per row of src \(3\)/));
});

test("Graph: self-loops, undirected coalescing, degrees, sizes checked", () => {
  const g = new graph.Graph({
    edgeIndex: [
      [0, 1],
      [1, 2],
      [2, 2],
      [0, 1],
    ],
  });
  assert.equal(g.numNodes, 3);
  assert.equal(g.hasSelfLoops(), true);
  const noLoops = g.removeSelfLoops();
  assert.deepEqual(pairs(noLoops.edgeIndex), [
    [0, 1],
    [1, 2],
    [0, 1],
  ]);
  assert.equal(noLoops.hasSelfLoops(), false);
  assert.deepEqual(pairs(noLoops.addSelfLoops().edgeIndex), [
    [0, 1],
    [1, 2],
    [0, 1],
    [0, 0],
    [1, 1],
    [2, 2],
  ]);
  const u = noLoops.toUndirected();
  assert.equal(u.directed, false);
  assert.deepEqual(pairs(u.edgeIndex), [
    [0, 1],
    [1, 0],
    [1, 2],
    [2, 1],
  ]);
  assert.deepEqual(u.degree().toArray(), [1, 2, 1]);
  // Weighted duplicates are summed.
  const w = new graph.Graph({
    edgeIndex: [
      [0, 1],
      [1, 0],
    ],
    edgeWeight: fl.tensor([2, 3]),
  }).toUndirected();
  assert.deepEqual(w.edgeWeight!.toArray(), [5, 5]);
  assert.throws(() => new graph.Graph({ edgeIndex: [[0, 3]], numNodes: 3 }), isFl(/node id 3, outside \[0, 3\) \(3 nodes\)/));
  assert.throws(() => new graph.Graph({ edgeIndex: [[0, -1]], numNodes: 3 }), isFl(/node id -1/));
  assert.throws(
    () => new graph.Graph({ edgeIndex: [[0, 1]], x: fl.zeros([2, 4]), y: fl.zeros([3], { dtype: "int64" }) }),
    isFl(/y has 3 rows but the graph has 2 nodes/),
  );
  assert.throws(
    () => new graph.Graph({ edgeIndex: [[0, 1]], edgeWeight: fl.ones([2]) }),
    isFl(/edgeWeight has 2 rows but the graph has 1 edges/),
  );
  assert.throws(() => new graph.Graph({ edgeIndex: fl.zeros([3, 2], { dtype: "int64" }) }), isFl(/shape \[2, E\]/));
});

test("batchGraphs offsets node ids and builds the batch vector", () => {
  const a = new graph.Graph({ edgeIndex: [[0, 1]], x: fl.tensor([[1], [2]]), y: fl.tensor([0], { dtype: "int64" }) });
  const b = new graph.Graph({
    edgeIndex: [
      [2, 0],
      [1, 2],
    ],
    x: fl.tensor([[3], [4], [5]]),
    y: fl.tensor([1], { dtype: "int64" }),
  });
  const { graph: g, ptr } = graph.batchGraphs([a, b]);
  assert.deepEqual(ptr, [0, 2, 5]);
  assert.deepEqual(pairs(g.edgeIndex), [
    [0, 1],
    [4, 2],
    [3, 4],
  ]);
  assert.deepEqual(Array.from(g.batch!.data() as BigInt64Array, Number), [0, 0, 1, 1, 1]);
  assert.deepEqual(g.x!.toArray(), [[1], [2], [3], [4], [5]]);
  assert.deepEqual(Array.from(g.y!.data() as BigInt64Array, Number), [0, 1]);
  assert.equal(g.numGraphs, 2);
  assert.deepEqual(graph.globalMeanPool(g.x!, g.batch).toArray(), [[1.5], [4]]);
  const c = new graph.Graph({ edgeIndex: [[0, 1]] });
  assert.throws(() => graph.batchGraphs([a, c]), isFl(/x is set on 1 of 2 graphs/));
});

test("NeighborSampler: seeds first, fanout respected, edges are real and local", () => {
  // A star: 0 ← 1..9, and 1 ← 10..19.
  const edges: [number, number][] = [];
  for (let i = 1; i < 10; i++) edges.push([i, 0]);
  for (let i = 10; i < 20; i++) edges.push([i, 1]);
  const g = new graph.Graph({ edgeIndex: edges });
  const s = new graph.NeighborSampler(g, [3, 2], { seed: 1 });
  const sub = s.sample([0]);
  assert.equal(sub.batchSize, 1);
  assert.equal(sub.nodes[0], 0);
  const local = pairs(sub.edgeIndex);
  const glob = local.map(([a, b]) => [sub.nodes[a!]!, sub.nodes[b!]!]);
  const real = new Set(edges.map(([a, b]) => `${a},${b}`));
  for (const [a, b] of glob) assert.ok(real.has(`${a},${b}`), `sampled edge ${a}→${b} exists`);
  assert.equal(glob.filter(([, b]) => b === 0).length, 3);
  // Hop 2: only node 1 (if drawn) has in-neighbours, at most 2 of them.
  assert.ok(glob.filter(([, b]) => b === 1).length <= 2);
  assert.deepEqual(new graph.NeighborSampler(g, [3, 2], { seed: 1 }).sample([0]).nodes, sub.nodes, "seeded");
  assert.throws(() => s.sample([25]), isFl(/seed 25 is outside \[0, 20\)/));
  assert.throws(() => new graph.NeighborSampler(g, [0]), isFl(/fanouts must be positive/));
});

test("graphology round trip and edge lists", () => {
  const u = new UndirectedGraph();
  u.addNode("a", { f: [1, 0], club: "x" });
  u.addNode("b", { f: [0, 1], club: "y" });
  u.addNode("c", { f: [1, 1], club: "x" });
  u.addEdge("a", "b");
  u.addEdge("b", "c");
  const g = graph.fromGraphology(u, { features: "f", label: "club" });
  assert.equal(g.directed, false);
  assert.deepEqual(pairs(g.edgeIndex), [
    [0, 1],
    [1, 0],
    [1, 2],
    [2, 1],
  ]);
  assert.deepEqual(g.x!.toArray(), [
    [1, 0],
    [0, 1],
    [1, 1],
  ]);
  assert.deepEqual(g.classes, ["x", "y"]);
  const back = graph.toGraphology(g);
  assert.equal(back.order, 3);
  assert.equal(back.size, 2);
  assert.ok(back.hasEdge("a", "b") && back.hasEdge("c", "b"));
  const d = new DirectedGraph();
  d.mergeEdge("p", "q");
  assert.deepEqual(pairs(graph.fromGraphology(d).edgeIndex), [[0, 1]]);
  const el = graph.parseEdgeList("# comment\nA B\nB C 2.5\n", { directed: false });
  assert.deepEqual(el.nodeNames, ["A", "B", "C"]);
  assert.deepEqual(pairs(el.edgeIndex), [
    [0, 1],
    [1, 0],
    [1, 2],
    [2, 1],
  ]);
  assert.deepEqual(el.edgeWeight!.toArray(), [1, 1, 2.5, 2.5]);
  assert.throws(() => graph.parseEdgeList("A\n", {}, "e.txt"), isFl(/e\.txt:1: expected "source target \[weight\]"/));
  assert.throws(() => graph.parseEdgeList("A B x\n", {}, "e.txt"), isFl(/weight "x" is not a number/));
});

test("readGraphFile: JSON and CSV with features, labels and splits; errors name the file and node", () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-graph-"));
  const json = join(dir, "g.json");
  writeFileSync(
    json,
    JSON.stringify({
      nodes: [
        { id: "a", features: [1, 2], label: "p", split: "train" },
        { id: "b", features: [3, 4], label: "q", split: "test" },
        { id: "c", features: [5, 6] },
      ],
      edges: [["a", "b"], { source: "b", target: "c" }],
    }),
  );
  const g = graph.readGraphFile(json);
  assert.equal(g.numNodes, 3);
  assert.deepEqual(pairs(g.edgeIndex), [
    [0, 1],
    [1, 0],
    [1, 2],
    [2, 1],
  ]);
  assert.deepEqual(Array.from(g.y!.data() as BigInt64Array, Number), [0, 1, -1]);
  assert.deepEqual(Array.from(g.trainMask!.data() as Uint8Array), [1, 0, 0]);
  assert.deepEqual(Array.from(g.testMask!.data() as Uint8Array), [0, 1, 0]);
  writeFileSync(join(dir, "nodes.csv"), "id,label,f1,f2\nx,1,0.5,1\ny,2,1,0\n");
  writeFileSync(join(dir, "edges.csv"), "source,target\nx,y\n");
  const c = graph.readGraphFile(dir);
  assert.deepEqual(c.x!.toArray(), [
    [0.5, 1],
    [1, 0],
  ]);
  assert.deepEqual(c.classes, ["1", "2"]);
  writeFileSync(join(dir, "bad.json"), JSON.stringify({ nodes: [{ id: "a" }], edges: [["a", "zz"]] }));
  assert.throws(() => graph.readGraphFile(join(dir, "bad.json")), isFl(/bad\.json: edges\[0\]: edge a → zz names node "zz"/));
  writeFileSync(
    join(dir, "ragged.json"),
    JSON.stringify({
      nodes: [
        { id: "a", features: [1] },
        { id: "b", features: [1, 2] },
      ],
      edges: [],
    }),
  );
  assert.throws(() => graph.readGraphFile(join(dir, "ragged.json")), isFl(/node "b" has 2 features, the first node has 1/));
  writeFileSync(join(dir, "broken.json"), "{");
  assert.throws(() => graph.readGraphFile(join(dir, "broken.json")), isFl(/broken\.json: invalid JSON/));
  assert.throws(() => graph.readGraphFile(join(dir, "missing.json")), isFl(/does not exist/));
});

test("a 1-hop sample with all neighbours gives the seeds the same SAGEConv output as the full graph", () => {
  fl.manualSeed(0);
  const edges: [number, number][] = [
    [1, 0],
    [2, 0],
    [3, 1],
    [4, 2],
    [0, 4],
    [5, 3],
  ];
  const g = new graph.Graph({ edgeIndex: edges, x: fl.randn([6, 3]) });
  const conv = new graph.SAGEConv(3, 2);
  const full = conv.forward(g.x!, g.edgeIndex);
  const sub = new graph.NeighborSampler(g, [-1]).sample([0, 4]);
  const idx = fl.tensor(BigInt64Array.from(sub.nodes, (v) => BigInt(v)));
  const xs = g.x!.indexSelect(0, idx);
  const out = conv.forward([xs, xs.narrow(0, 0, sub.batchSize)], sub.edgeIndex);
  assert.deepEqual([...out.shape], [2, 2]);
  assertClose(out, full.indexSelect(0, fl.tensor([0n, 4n])), "sampled vs full");
});
