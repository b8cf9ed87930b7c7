// Cluster-GCN: the multilevel partitioner (planted blocks recovered, every node in one part,
// sizes within the stated balance, seeded), the cluster sampler's subgraph against the induced
// subgraph computed by brute force, and tiny train → eval runs with --sampler cluster on a
// store and in memory, plus the option errors.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FlambeauError } from "../../src/core/errors.js";
import { Random } from "../../src/data/random.js";
import { ClusterSampler, defaultClusterSizes } from "../../src/graph/cluster-sampler.js";
import { karateClub } from "../../src/graph/datasets/index.js";
import { edgeCut, partitionGraph, randomPartition } from "../../src/graph/partition.js";
import { csrSource } from "../../src/graph/sampler.js";
import { GraphStore, generateRmat } from "../../src/graph/store/index.js";
import type { NeighborSource } from "../../src/graph/store/source.js";
import { nodeClassification } from "../../src/graph/tasks/node-classification.js";
import { trainTwoProcessesThenEval } from "../helpers/nproc.js";

const isFl = (re: RegExp) => (e: Error) => e instanceof FlambeauError && re.test(e.message);

/** A NeighborSource from directed edges [u, v] (u is an incoming neighbour of v). */
function sourceOf(n: number, edges: [number, number][]): NeighborSource {
  const ptr = new Int32Array(n + 1);
  for (const [, v] of edges) ptr[v + 1]!++;
  for (let i = 0; i < n; i++) ptr[i + 1]! += ptr[i]!;
  const fill = ptr.slice(0, n);
  const src = new Int32Array(edges.length);
  for (const [u, v] of edges) src[fill[v]!++] = u;
  return csrSource({ ptr, src }, n);
}

/** `blocks` dense blocks of `size` nodes (edge prob. p inside, both directions), ids shuffled, plus `cross` random edges between blocks. */
function planted(blocks: number, size: number, p: number, cross: number, seed: number) {
  const rng = new Random(seed, 1);
  const n = blocks * size;
  const id = rng.permutation(n); // node ids do not reveal the blocks
  const block = new Int32Array(n);
  const edges: [number, number][] = [];
  for (let b = 0; b < blocks; b++)
    for (let i = 0; i < size; i++) {
      block[id[b * size + i]!] = b;
      for (let j = i + 1; j < size; j++)
        if (rng.nextFloat() < p) {
          const [u, v] = [id[b * size + i]!, id[b * size + j]!];
          edges.push([u, v], [v, u]);
        }
    }
  for (let c = 0; c < cross; c++) {
    const b1 = rng.int(blocks);
    const b2 = (b1 + 1 + rng.int(blocks - 1)) % blocks;
    const [u, v] = [id[b1 * size + rng.int(size)]!, id[b2 * size + rng.int(size)]!];
    edges.push([u, v], [v, u]);
  }
  return { n, edges, block, plantedCut: 2 * cross };
}

function checkParts(parts: Int32Array, sizes: Int32Array, n: number, k: number, imbalance = 0.05): void {
  assert.equal(parts.length, n);
  const count = new Int32Array(k);
  for (const p of parts) {
    assert.ok(Number.isInteger(p) && p >= 0 && p < k, `part ${p} in [0, ${k})`);
    count[p]!++;
  }
  assert.deepEqual(Array.from(sizes), Array.from(count));
  const cap = Math.ceil(((1 + imbalance) * n) / k);
  for (const z of count) assert.ok(z >= 1 && z <= cap, `part size ${z} in [1, ${cap}]`);
}

test("partitionGraph recovers planted blocks: cut near the planted one, far below a random partition's", () => {
  const g = planted(4, 60, 0.3, 12, 0);
  const src = sourceOf(g.n, g.edges);
  const r = partitionGraph(src, 4, { seed: 0 });
  checkParts(r.parts, r.sizes, g.n, 4);
  const cut = edgeCut(src, r.parts);
  assert.equal(cut.edges, g.edges.length);
  assert.ok(cut.cut <= g.plantedCut + 10, `cut ${cut.cut} vs planted ${g.plantedCut}`);
  // Each block lies (almost) whole in a part of its own.
  const majority = new Set<number>();
  for (let b = 0; b < 4; b++) {
    const c = new Int32Array(4);
    for (let v = 0; v < g.n; v++) if (g.block[v] === b) c[r.parts[v]!]!++;
    const best = c.indexOf(Math.max(...c));
    assert.ok(c[best]! >= 57, `block ${b}: ${c[best]} of 60 in one part`);
    majority.add(best);
  }
  assert.equal(majority.size, 4);
  const rnd = edgeCut(src, randomPartition(g.n, 4, 0));
  assert.ok(rnd.fraction > 0.6 && cut.fraction < 0.05, `random ${rnd.fraction}, multilevel ${cut.fraction}`);
  // Seeded: the same seed gives the same parts.
  assert.deepEqual(partitionGraph(src, 4, { seed: 0 }).parts, r.parts);
});

test("partitionGraph on an R-MAT store (coarsened): one part per node, sizes within 5%, every part non-empty", () => {
  const tmp = mkdtempSync(join(tmpdir(), "flambeau-partition-"));
  try {
    generateRmat(join(tmp, "g"), { scale: 12, edges: 40000, features: 4, seed: 2 });
    const s = new GraphStore(join(tmp, "g"));
    for (const k of [1, 2, 7, 64]) {
      const r = partitionGraph(s, k, { seed: 1 });
      checkParts(r.parts, r.sizes, s.numNodes, k);
      if (k === 64) {
        assert.ok(r.levels > 1, "coarsened");
        const cut = edgeCut(s, r.parts).fraction;
        const rnd = edgeCut(s, randomPartition(s.numNodes, k, 1)).fraction;
        assert.ok(cut < rnd - 0.1, `multilevel cut ${cut} vs random ${rnd}`);
      }
    }
    s.close();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("partitionGraph edge cases: isolated nodes, K = N, K = N - 1, bad K", () => {
  // A path 0-1-2-3-4 and 5 isolated nodes.
  const edges: [number, number][] = [];
  for (let i = 0; i < 4; i++) edges.push([i, i + 1], [i + 1, i]);
  const src = sourceOf(10, edges);
  for (const k of [10, 9, 3, 2]) {
    const r = partitionGraph(src, k, { seed: 3 });
    checkParts(r.parts, r.sizes, 10, k);
  }
  // Two parts of the path alone: one cut edge pair at best.
  const path = sourceOf(5, edges);
  assert.equal(edgeCut(path, partitionGraph(path, 2, { seed: 0 }).parts).cut, 2);
  assert.throws(() => partitionGraph(src, 11), isFl(/integer in \[1, 10\].*got 11/));
  assert.throws(() => partitionGraph(src, 0), isFl(/got 0/));
  assert.throws(() => partitionGraph(src, 2.5), isFl(/got 2.5/));
});

test("ClusterSampler: the subgraph is the one induced on the chosen parts (brute force), ids of the parts in order", () => {
  const rng = new Random(5, 1);
  const n = 80;
  const edges: [number, number][] = [];
  for (let k = 0; k < 400; k++) edges.push([rng.int(n), rng.int(n)]); // directed, with self-loops and repeats
  const src = sourceOf(n, edges);
  const { parts } = partitionGraph(src, 6, { seed: 0 });
  const cs = new ClusterSampler(src, parts, { numParts: 6, partsPerBatch: 2 });
  for (const chosen of [[4, 1], [0], [5, 2, 3]]) {
    const sub = cs.sample(chosen);
    const want: number[] = [];
    for (const p of chosen) for (let v = 0; v < n; v++) if (parts[v] === p) want.push(v);
    assert.deepEqual(Array.from(sub.nodes), want);
    const inSet = new Set(want);
    const brute = edges
      .filter(([u, v]) => inSet.has(u) && inSet.has(v))
      .map(([u, v]) => `${u}>${v}`)
      .sort();
    const e = sub.edgeIndex.shape[1]!;
    const ei = sub.edgeIndex.data() as BigInt64Array;
    const got = Array.from({ length: e }, (_, k) => `${sub.nodes[Number(ei[k])]}>${sub.nodes[Number(ei[e + k])]}`).sort();
    assert.deepEqual(got, brute);
    sub.edgeIndex.dispose();
  }
  // One epoch covers every part once, q at a time.
  const batches = cs.epochBatches(new Random(0, 7, 1));
  assert.deepEqual(
    batches.map((b) => b.length),
    [2, 2, 2],
  );
  assert.deepEqual(Array.from(new Set(batches.flatMap((b) => Array.from(b)))).sort(), [0, 1, 2, 3, 4, 5]);
  assert.throws(() => cs.sample([6]), isFl(/part 6 is outside \[0, 6\)/));
  assert.throws(
    () => new ClusterSampler(src, parts, { numParts: 6, partsPerBatch: 7 }),
    isFl(/partsPerBatch must be an integer in \[1, 6\], got 7/),
  );
  assert.deepEqual(defaultClusterSizes(131072), { parts: 87, partsPerBatch: 10 });
  assert.deepEqual(defaultClusterSizes(34), { parts: 2, partsPerBatch: 2 });
});

test("node-classification --sampler cluster: train → eval on a store and in memory; option errors", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "flambeau-cluster-"));
  try {
    const store = join(tmp, "rmat");
    generateRmat(store, { scale: 10, edges: 12000, features: 16, seed: 0, split: { train: 0.4, val: 0.2, test: 0.2 } });
    const out = join(tmp, "model");
    const r = await nodeClassification.train({ data: `store:${store}`, out, epochs: 6, sampler: "cluster", parts: 16, partsPerBatch: 4 });
    assert.equal(r.history.epochs.length, 6);
    assert.ok(r.history.epochs[5]!.loss! < r.history.epochs[0]!.loss!, "loss falls");
    const ev = await nodeClassification.evaluate(out, `store:${store}`);
    assert.ok((ev.nodes as number) > 100);
    assert.ok((ev.accuracy as number) > 0.5, `cluster test accuracy ${ev.accuracy}`);
    // In memory (karate), default K and q: 2 parts, both in the one batch.
    const k = await nodeClassification.train({ data: "karate", out: join(tmp, "k"), epochs: 3, sampler: "cluster", model: "gcn" });
    assert.equal(k.history.epochs.length, 3);
    const kev = await nodeClassification.evaluate(join(tmp, "k"), "karate");
    assert.equal(kev.nodes, 32);
    // q = K: the one cluster batch is the whole graph, so cluster-batch evaluation equals the
    // full-graph forward the predictor runs.
    const g = karateClub();
    const truth = Array.from(g.y!.data() as BigInt64Array, Number);
    const predictor = await nodeClassification.load(join(tmp, "k"));
    const ids = Array.from({ length: 32 }, (_, i) => String(i + 1));
    const preds = await predictor.predict(ids, { topK: 1 });
    const right = preds.filter((p, i) => p.labels[0]!.label === g.classes![truth[i + 1]!]).length;
    predictor.dispose?.();
    assert.equal(kev.accuracy, right / 32);
    await assert.rejects(
      nodeClassification.train({ data: `store:${store}`, out, sampler: "cluster", parts: 5000 }),
      isFl(/--parts must be an integer in \[1, 1024\].*got 5000/),
    );
    await assert.rejects(
      nodeClassification.train({ data: `store:${store}`, out, sampler: "cluster", parts: 8, partsPerBatch: 9 }),
      isFl(/--parts-per-batch must be an integer in \[1, 8\] \(--parts\), got 9/),
    );
    await assert.rejects(
      nodeClassification.train({ data: `store:${store}`, out, sampler: "cluster", parts: 2.5 }),
      // The task's declared option (opt.int) rejects it before the sampler sees it.
      isFl(/parts must be a positive integer, got "2.5"/),
    );
    await assert.rejects(
      nodeClassification.train({ data: `store:${store}`, out, sampler: "neighbor", parts: 8 }),
      isFl(/--parts \(8\) and --parts-per-batch \(unset\) go with --sampler cluster/),
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("--sampler cluster with 2 worker processes: each rank its own parts of every batch", () => {
  const tmp = mkdtempSync(join(tmpdir(), "flambeau-cluster-"));
  try {
    const store = join(tmp, "rmat");
    generateRmat(store, { scale: 8, edges: 2000, features: 8, seed: 1, split: { train: 0.5, val: 0.2, test: 0.2 } });
    const r = trainTwoProcessesThenEval(
      "node-classification",
      ["--data", `store:${store}`, "--sampler", "cluster", "--parts", "8", "--parts-per-batch", "4", "--epochs", "2"],
      join(tmp, "model"),
      ["--data", `store:${store}`],
    );
    assert.ok((r.eval.nodes as number) > 20);
    assert.ok((r.eval.accuracy as number) >= 0 && (r.eval.accuracy as number) <= 1);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
