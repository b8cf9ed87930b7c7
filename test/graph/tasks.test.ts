// Graph task building blocks: the Packages parser, link splits and metrics, communities
// scores (hand-computed values), and the tasks' registry entries and bad-input errors.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { adjustedRandIndex, kMeans, louvain, matchedAccuracy, modularity } from "../../src/graph/communities.js";
import { parsePackages } from "../../src/graph/datasets/debian-packages.js";
import { karateClub } from "../../src/graph/datasets/karate.js";
import { randomNodeSplit } from "../../src/graph/datasets/split.js";
import { drawGraphSvg, forceLayout } from "../../src/graph/layout.js";
import { commonNeighbours, hitsAtK, linkMetrics } from "../../src/graph/link-model.js";
import { splitLinks, undirectedPairs } from "../../src/graph/link-split.js";
import { GRAPH_TASKS } from "../../src/graph/tasks/index.js";

const { graph } = fl;
const isFl = (re: RegExp) => (e: Error) => e instanceof fl.FlambeauError && re.test(e.message);

test("parsePackages: Depends (alternatives, versions, arch qualifiers) become edges to known packages", () => {
  const text = [
    "Package: a\nSection: libs\nDescription: The A library for parsing\nDepends: b (>= 1.0), c:any | d, missing",
    "Package: b\nSection: contrib/utils\nDescription: B tool\nPre-Depends: a",
    "Package: c\nDescription: C\n",
    "Package: d\nSection: libs\nDescription: D\nDepends: d",
  ].join("\n\n");
  const p = parsePackages([text]);
  assert.deepEqual(p.names, ["a", "b", "c", "d"]);
  assert.deepEqual(p.sections, ["libs", "utils", "unknown", "libs"]);
  assert.deepEqual(p.words[0], ["library", "parsing"]);
  const edges = p.src.map((s, k) => `${p.names[s]}→${p.names[p.dst[k]!]}`);
  assert.deepEqual(edges, ["a→b", "a→c", "a→d", "b→a"]);
});

test("karate club: 34 members, 78 friendships, two clubs, one labelled member each", () => {
  const g = karateClub();
  assert.equal(g.numNodes, 34);
  assert.equal(g.numEdges, 156);
  assert.deepEqual(g.classes, ["Mr. Hi", "Officer"]);
  assert.deepEqual(Array.from(fl.graph.checkEdgeIndex("t", g.edgeIndex, 34).shape), [2, 156]);
  assert.equal(g.trainMask!.sum().item(), 2);
  assert.equal(g.testMask!.sum().item(), 32);
  const y = g.y!.data() as BigInt64Array;
  assert.equal(y.filter((v) => v === 0n).length, 17);
});

test("randomNodeSplit is seeded, disjoint and skips unlabelled nodes", () => {
  const y = fl.tensor(BigInt64Array.from([0, 1, -1, 0, 1, 0, 1, 0, 1, 0].map(BigInt)));
  const a = randomNodeSplit(y, { train: 0.5, val: 0.2 }, 3);
  const b = randomNodeSplit(y, { train: 0.5, val: 0.2 }, 3);
  assert.deepEqual(a.trainMask.toArray(), b.trainMask.toArray());
  const t = a.trainMask.data() as Uint8Array;
  const v = a.valMask.data() as Uint8Array;
  const s = a.testMask.data() as Uint8Array;
  for (let i = 0; i < 10; i++) assert.ok(t[i]! + v[i]! + s[i]! === (i === 2 ? 0 : 1), `node ${i} in exactly one split`);
  assert.throws(() => randomNodeSplit(y, { train: 0.9, val: 0.2 }, 0), isFl(/train \+ val < 1/));
});

test("communities: modularity, ARI and matched accuracy against hand-computed values", () => {
  // Two triangles joined by one edge: Q of the natural split = 2·(3/7 − (7/14)²) = 5/14.
  const g = new graph.Graph({
    edgeIndex: [
      [0, 1],
      [1, 2],
      [0, 2],
      [3, 4],
      [4, 5],
      [3, 5],
      [2, 3],
    ],
  }).toUndirected();
  assert.ok(Math.abs(modularity(g, [0, 0, 0, 1, 1, 1]) - 5 / 14) < 1e-12);
  assert.ok(Math.abs(modularity(g, [0, 0, 0, 0, 0, 0])) < 1e-12);
  assert.equal(adjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0]), 1);
  // sklearn.metrics.adjusted_rand_score([0,0,1,1],[0,0,1,2]) = 0.5714285714
  assert.ok(Math.abs(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2]) - 4 / 7) < 1e-12);
  assert.equal(matchedAccuracy([1, 1, 0, 0, 0], [0, 0, 1, 1, 0]), 0.8);
  const lv = louvain(g, { seed: 0 });
  assert.equal(lv.count, 2);
  assert.ok(Math.abs(lv.modularity - 5 / 14) < 1e-9);
  assert.equal(adjustedRandIndex(lv.labels, [0, 0, 0, 1, 1, 1]), 1);
  const x = fl.tensor([
    [0, 0],
    [0.1, 0],
    [0, 0.1],
    [5, 5],
    [5.1, 5],
    [5, 5.1],
  ]);
  const km = kMeans(x, 2, { seed: 1 });
  assert.equal(adjustedRandIndex(km.labels, [0, 0, 0, 1, 1, 1]), 1);
  assert.ok(Math.abs(km.inertia - 4 * (0.1 ** 2 * (2 / 3))) < 1e-4, `inertia ${km.inertia}`);
  assert.throws(() => kMeans(x, 7), isFl(/k must be in \[1, 6\]/));
});

test("link split: held-out edges leave the training graph; negatives are non-edges", () => {
  const g = karateClub();
  const s = splitLinks(g, { val: 0.1, test: 0.2, seed: 0 });
  const all = undirectedPairs(g);
  assert.equal(all.src.length, 78);
  assert.equal(s.testPos.src.length, 16);
  assert.equal(s.valPos.src.length, 8);
  assert.equal(s.trainPos.src.length, 54);
  assert.equal(s.train.numEdges, 108);
  const key = (a: number, b: number) => `${Math.min(a, b)},${Math.max(a, b)}`;
  const edges = new Set(Array.from(all.src, (a, k) => key(a, all.dst[k]!)));
  const trainSet = new Set(Array.from(s.trainPos.src, (a, k) => key(a, s.trainPos.dst[k]!)));
  for (let k = 0; k < 16; k++) {
    assert.ok(!trainSet.has(key(s.testPos.src[k]!, s.testPos.dst[k]!)), "test edge not in train");
    assert.ok(!edges.has(key(s.testNeg.src[k]!, s.testNeg.dst[k]!)), "negative is a non-edge");
  }
});

test("link metrics: Hits@K and common neighbours by hand", () => {
  assert.equal(hitsAtK([5, 3, 1], [4, 2, 0], 1), 1 / 3);
  assert.equal(hitsAtK([5, 3, 1], [4, 2, 0], 2), 2 / 3);
  assert.equal(linkMetrics([3, 4], [1, 2], 1).auc, 1);
  const g = new graph.Graph({
    edgeIndex: [
      [0, 1],
      [0, 2],
      [1, 3],
      [2, 3],
      [0, 3],
    ],
  }).toUndirected();
  assert.deepEqual(Array.from(commonNeighbours(g, { src: Int32Array.from([1, 0]), dst: Int32Array.from([2, 3]) })), [2, 2]);
});

test("layout and drawing produce a bounded, escaped SVG", () => {
  const l = forceLayout(
    4,
    [
      [0, 1],
      [1, 2],
      [2, 3],
    ],
    { seed: 0, iterations: 50 },
  );
  for (const v of [...l.x, ...l.y]) assert.ok(v >= 0 && v <= 1);
  const svg = drawGraphSvg(l, [[0, 1]], { colors: [0, 1, 0, 1], labels: ["<a>", "b", "c", "d"], legend: ["x&y"] });
  assert.ok(svg.startsWith("<svg") && svg.endsWith("</svg>"));
  assert.ok(svg.includes("&lt;a&gt;") && svg.includes("x&amp;y") && !svg.includes("<a>"));
});

test("tasks are registered and reject bad data and models with clear errors", async () => {
  assert.deepEqual(Object.keys(GRAPH_TASKS).sort(), [
    "community-detection",
    "graph-classification",
    "graph-generation",
    "graph-regression",
    "knowledge-graph-completion",
    "link-prediction",
    "node-classification",
  ]);
  const nc = GRAPH_TASKS["node-classification"];
  const out = mkdtempSync(join(tmpdir(), "fl-nc-"));
  await assert.rejects(nc.train({ data: "no-such-graph", out }), isFl(/neither a built-in set \(karate, debian-packages\)/));
  // The runtime checks --model before training (its throw is synchronous, hence the async wrapper).
  await assert.rejects(async () => nc.train({ data: "karate", out, model: "transformer" }), isFl(/unknown model "transformer"/));
  await assert.rejects(GRAPH_TASKS["link-prediction"].train({ data: "karate.json", out }), isFl(/neither a built-in set/));
  // A short karate run end to end: train, evaluate, predict.
  const r = await nc.train({ data: "karate", out, epochs: 30, seed: 0 });
  assert.equal(r.history.epochs.length, 30);
  const m = await nc.evaluate(out, "karate");
  assert.equal(m.nodes, 32);
  assert.ok((m.accuracy as number) >= 0.75, `karate accuracy ${m.accuracy}`);
  const p = (await nc.predict(out, ["0", "33"])) as { labels: { label: string }[] }[];
  assert.equal(p[0]!.labels[0]!.label, "Mr. Hi");
  assert.equal(p[1]!.labels[0]!.label, "Officer");
  await assert.rejects(nc.predict(out, ["nobody"]), isFl(/node "nobody" is not in karate/));
});
