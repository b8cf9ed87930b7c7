// Communities against planted truth, issue 34: Leiden's modularity on the karate club (the proven
// optimum 0.4198) and against networkx's Louvain, Leiden's guarantee that every community is
// connected, NMI/ARI against a Python computation, the LFR generator's degree, size and mixing
// statistics, the community-detection task end to end, and bad graphs naming their line.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { Random } from "../../src/data/random.js";
import { adjustedRandIndex, louvain, modularity, normalizedMutualInfo } from "../../src/graph/communities.js";
import { adjacencyOf, modularityOf } from "../../src/graph/community/adjacency.js";
import { leiden } from "../../src/graph/community/leiden.js";
import { lfrBenchmark, powerLawMinimum, roundedPowerLawMean } from "../../src/graph/community/lfr.js";
import { karateClub } from "../../src/graph/datasets/karate.js";
import { plantedPartition } from "../../src/graph/datasets/planted.js";
import { Graph } from "../../src/graph/graph.js";
import { communityDetection, loadCommunityGraph } from "../../src/graph/tasks/community-detection.js";

const close = (a: number, b: number, tol: number, what = "") => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (±${tol})`);

const PY = "/usr/bin/python3";
const hasNetworkx = (() => {
  try {
    execFileSync(PY, ["-c", "import networkx"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
const python = (code: string, input: unknown): unknown =>
  JSON.parse(execFileSync(PY, ["-c", code], { input: JSON.stringify(input), encoding: "utf8" }));

const edgesOf = (g: Graph): [number, number][] => {
  const d = g.edgeIndex.data() as BigInt64Array;
  const e = g.numEdges;
  const out: [number, number][] = [];
  for (let k = 0; k < e; k++) if (d[k]! < d[e + k]!) out.push([Number(d[k]), Number(d[e + k])]);
  return out;
};

/** Communities whose members do not all reach each other through edges inside the community. */
function disconnectedCommunities(g: Graph, labels: Int32Array): number[] {
  const a = adjacencyOf(g);
  const seen = new Uint8Array(g.numNodes);
  const reached = new Set<number>();
  const bad: number[] = [];
  for (let s = 0; s < g.numNodes; s++) {
    if (seen[s]) continue;
    const c = labels[s]!;
    if (reached.has(c)) bad.push(c);
    reached.add(c);
    const stack = [s];
    seen[s] = 1;
    while (stack.length) {
      const v = stack.pop()!;
      for (let p = a.offsets[v]!; p < a.offsets[v + 1]!; p++) {
        const u = a.targets[p]!;
        if (!seen[u] && labels[u] === c) {
          seen[u] = 1;
          stack.push(u);
        }
      }
    }
  }
  return bad;
}

test("Leiden on the karate club: the optimal modularity 0.4198 (Brandes et al. 2008), 4 connected communities", () => {
  const g = karateClub();
  for (const seed of [0, 1, 2]) {
    const r = leiden(g, { seed });
    close(r.modularity, 0.4198, 5e-5, "Q");
    assert.equal(r.count, 4);
    // Its own modularity agrees with the existing Newman modularity.
    close(modularityOf(adjacencyOf(g), r.labels), modularity(g, r.labels), 1e-12);
    assert.deepEqual(disconnectedCommunities(g, r.labels), []);
  }
  // Deterministic per seed.
  assert.deepEqual(leiden(g, { seed: 5 }).labels, leiden(g, { seed: 5 }).labels);
  // A higher resolution γ splits into more communities.
  assert.ok(leiden(g, { resolution: 2 }).count > 4);
});

test("Leiden: edgeless graphs, isolated nodes and edge weights", () => {
  const graph = (n: number, pairs: [number, number][], w?: number[]) => {
    const ei = pairs.length
      ? fl.tensor([pairs.flat(), pairs.flatMap(([a, b]) => [b, a])], { dtype: "int64" })
      : fl.zeros([2, 0], { dtype: "int64" });
    return new Graph({
      edgeIndex: ei,
      numNodes: n,
      directed: false,
      edgeWeight: w ? fl.tensor(w.flatMap((x) => [x, x])) : null,
    });
  };
  assert.deepEqual(Array.from(leiden(graph(3, [])).labels), [0, 1, 2]);
  // Two triangles' worth: a triangle and a pair, and an isolated node alone.
  const iso = leiden(
    graph(6, [
      [0, 1],
      [1, 2],
      [2, 0],
      [3, 4],
    ]),
  );
  assert.deepEqual(Array.from(iso.labels), [0, 0, 0, 1, 1, 2]);
  close(iso.modularity, 0.375, 1e-12, "Q");
  // A path whose middle edge is light splits there.
  assert.deepEqual(
    Array.from(
      leiden(
        graph(
          4,
          [
            [0, 1],
            [1, 2],
            [2, 3],
          ],
          [10, 0.1, 10],
        ),
      ).labels,
    ),
    [0, 0, 1, 1],
  );
});

test("Leiden: every community connected, modularity at least Louvain's (graphology and networkx) on LFR and planted partitions", {
  skip: hasNetworkx ? false : "needs /usr/bin/python3 with networkx (apt python3-networkx)",
}, () => {
  const graphs: [string, Graph][] = [
    ["lfr μ 0.4", lfrBenchmark({ mu: 0.4, seed: 1 }).graph],
    ["lfr μ 0.65", lfrBenchmark({ mu: 0.65, seed: 2 }).graph],
    ["sbm μ 0.55", plantedPartition({ nodes: 400, blocks: 4, degree: 12, mu: 0.55, seed: 3 })],
  ];
  const ours = graphs.map(([name, g]) => {
    const r = leiden(g, { seed: 0 });
    assert.deepEqual(disconnectedCommunities(g, r.labels), [], `${name}: disconnected communities`);
    const lv = louvain(g, { seed: 0 });
    assert.ok(r.modularity >= lv.modularity - 0.005, `${name}: Leiden Q ${r.modularity} vs graphology Louvain ${lv.modularity}`);
    return { n: g.numNodes, edges: edgesOf(g), labels: Array.from(r.labels), q: r.modularity };
  });
  // networkx: the modularity of our partition (an independent formula) and its own Louvain's.
  const ref = python(
    `import sys, json, networkx as nx
out = []
for c in json.load(sys.stdin):
    G = nx.Graph(); G.add_nodes_from(range(c["n"])); G.add_edges_from(c["edges"])
    parts = {}
    for v, l in enumerate(c["labels"]): parts.setdefault(l, set()).add(v)
    louv = nx.community.louvain_communities(G, seed=0)
    out.append([nx.community.modularity(G, parts.values()), nx.community.modularity(G, louv)])
print(json.dumps(out))`,
    ours,
  ) as [number, number][];
  ours.forEach((o, i) => {
    close(o.q, ref[i]![0], 1e-9, `${graphs[i]![0]}: our Q vs networkx's formula`);
    assert.ok(o.q >= ref[i]![1] - 0.005, `${graphs[i]![0]}: Leiden Q ${o.q} vs networkx Louvain ${ref[i]![1]}`);
  });
});

test("NMI and ARI against the formulas computed in Python (numpy), on random partitions", () => {
  const r = new Random(7);
  const cases = [0, 1, 2].map((c) => {
    const n = 200;
    const a = Array.from({ length: n }, () => r.int(4 + c));
    // b agrees with a on about half the nodes.
    const b = a.map((x) => (r.nextFloat() < 0.5 ? x : r.int(3 + 2 * c)));
    return { a, b };
  });
  const ref = python(
    `import sys, json, numpy as np
from math import comb
out = []
for c in json.load(sys.stdin):
    a, b = np.array(c["a"]), np.array(c["b"]); n = len(a)
    ua, ia = np.unique(a, return_inverse=True); ub, ib = np.unique(b, return_inverse=True)
    M = np.zeros((len(ua), len(ub))); np.add.at(M, (ia, ib), 1)
    pa, pb, p = M.sum(1) / n, M.sum(0) / n, M / n
    nz = p > 0
    mi = (p[nz] * np.log(p[nz] / np.outer(pa, pb)[nz])).sum()
    h = lambda q: -(q * np.log(q)).sum()
    nmi = mi / ((h(pa) + h(pb)) / 2)
    idx = sum(comb(int(v), 2) for v in M.ravel()); sa = sum(comb(int(v), 2) for v in M.sum(1)); sb = sum(comb(int(v), 2) for v in M.sum(0))
    exp = sa * sb / comb(n, 2)
    out.append([nmi, (idx - exp) / ((sa + sb) / 2 - exp)])
print(json.dumps(out))`,
    cases,
  ) as [number, number][];
  cases.forEach((c, i) => {
    close(normalizedMutualInfo(c.a, c.b), ref[i]![0], 1e-9, "NMI");
    close(adjustedRandIndex(c.a, c.b), ref[i]![1], 1e-9, "ARI");
  });
});

test("LFR (n 1000, τ1 3, τ2 1.5, ⟨k⟩ 20, k_max 50, sizes 20–100): degrees, community sizes and mixing within tolerance", () => {
  // The minimum degree: the continuous mean 2·50·x / (50 + x) = 20 at x = 12.5; rounding shifts it little.
  close(powerLawMinimum(3, 20, 50), 12.5, 0.1, "k_min");
  close(roundedPowerLawMean(3, powerLawMinimum(3, 20, 50), 50), 20, 1e-6, "mean");
  for (const [mu, seed] of [
    [0.1, 0],
    [0.5, 1],
    [0.8, 2],
  ] as const) {
    const r = lfrBenchmark({ mu, seed });
    const g = r.graph;
    const n = g.numNodes;
    assert.equal(n, 1000);
    const deg = new Float64Array(n);
    let out = 0;
    for (const [a, b] of edgesOf(g)) {
      deg[a]!++;
      deg[b]!++;
      if (r.community[a] !== r.community[b]) out++;
    }
    const m = g.numEdges / 2;
    close(deg.reduce((s, d) => s + d, 0) / n, 20, 1, `μ ${mu}: mean degree`);
    assert.ok(Math.max(...deg) <= 50 && Math.min(...deg) >= 11, `μ ${mu}: degrees in [${Math.min(...deg)}, ${Math.max(...deg)}]`);
    close(out / m, mu, 0.02, `μ ${mu}: mixing`);
    assert.ok(r.droppedStubs <= 0.005 * 2 * m, `μ ${mu}: ${r.droppedStubs} stubs dropped`);
    // Community sizes: within bounds, summing to n, matching the planted labels.
    assert.equal(
      r.sizes.reduce((s, x) => s + x, 0),
      n,
    );
    for (const s of r.sizes) assert.ok(s >= 20 && s <= 100, `size ${s}`);
    const counted = new Map<number, number>();
    for (const c of r.community) counted.set(c, (counted.get(c) ?? 0) + 1);
    assert.deepEqual(
      [...counted.entries()].sort((x, y) => x[0] - y[0]).map((e) => e[1]),
      r.sizes,
    );
    // The drawn degrees against the rounded power law: Kolmogorov–Smirnov distance.
    const kmin = r.minDegree;
    const z = (kmin ** -2 - 50 ** -2) / 2;
    const cdf = (k: number) => (kmin ** -2 - Math.min(50, k + 0.5) ** -2) / 2 / z;
    const sorted = Array.from(r.degree).sort((x, y) => x - y);
    let ks = 0;
    for (let k = 12; k <= 50; k++) {
      const emp = sorted.filter((d) => d <= k).length / n;
      ks = Math.max(ks, Math.abs(emp - cdf(k)));
    }
    assert.ok(ks < 0.05, `μ ${mu}: KS distance ${ks}`);
  }
  // Seeded.
  assert.deepEqual(lfrBenchmark({ mu: 0.3, seed: 4 }).community, lfrBenchmark({ mu: 0.3, seed: 4 }).community);
  assert.throws(
    () => lfrBenchmark({ mu: 0.01, maxCommunity: 40 }),
    (e: Error) => e instanceof fl.FlambeauError && /largest community/.test(e.message),
  );
  assert.throws(
    () => lfrBenchmark({ mu: 1.5 }),
    (e: Error) => e instanceof fl.FlambeauError && /mu must be in \[0, 1\]/.test(e.message),
  );
});

test("community-detection: train, eval and predict on the karate club; a deep method on a planted partition", async () => {
  const dir = mkdtempSync(join(tmpdir(), "communities-"));
  try {
    const out = join(dir, "karate");
    const r = await communityDetection.train({ data: "karate", out, method: "leiden" });
    const m = r.metrics as Record<string, number>;
    close(m.modularity!, 0.4198, 5e-5, "Q");
    assert.equal(m.communities, 4);
    assert.ok(m.nmi! > 0.5 && m.ari! > 0.4, `NMI ${m.nmi} ARI ${m.ari}`);
    assert.ok(existsSync(join(out, "communities.json")));
    const ev = await communityDetection.evaluate(out, "karate");
    close(ev.modularity as number, m.modularity!, 1e-12);
    close(ev.nmi as number, m.nmi!, 1e-12);
    const [p0, p33] = (await communityDetection.predict(out, ["0", "33"])) as { community: number; size: number }[];
    assert.notEqual(p0!.community, p33!.community);
    await assert.rejects(communityDetection.predict(out, ["99"]), /node "99" is not in karate/);

    const deep = await communityDetection.train({ data: "sbm", mu: 0.1, out: join(dir, "sbm"), model: "dmon", epochs: 5 });
    assert.equal((deep.metrics as Record<string, number>).planted, 5);
    await assert.rejects(
      communityDetection.train({ data: "sbm", out: join(dir, "x"), model: "dmon", method: "leiden" }),
      /--method leiden and --model dmon disagree/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("community-detection: bad graphs name the line (a missing node, a self-loop); bad μ is an error", () => {
  const dir = mkdtempSync(join(tmpdir(), "communities-bad-"));
  try {
    writeFileSync(join(dir, "nodes.csv"), "id,label\na,0\nb,0\nc,1\n");
    writeFileSync(join(dir, "edges.csv"), "source,target\na,b\nb,z\n");
    assert.throws(
      () => loadCommunityGraph(dir),
      (e: Error) => e instanceof fl.FlambeauError && /edges\.csv:3: edge b → z names node "z"/.test(e.message),
    );
    writeFileSync(join(dir, "edges.csv"), "source,target\na,b\nb,c\nc,c\n");
    assert.throws(
      () => loadCommunityGraph(dir),
      (e: Error) => e instanceof fl.FlambeauError && /edges\.csv:4: self-loop c → c/.test(e.message),
    );
    writeFileSync(join(dir, "edges.csv"), "source,target\na,b\nb,c\n");
    const ok = loadCommunityGraph(dir);
    assert.deepEqual(Array.from(ok.truth!), [0, 0, 1]);
    assert.throws(() => loadCommunityGraph("lfr", { mu: 2 }), /--mu must be in \[0, 1\]/);
    assert.throws(() => loadCommunityGraph(join(dir, "nope")), /neither a built-in set/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
