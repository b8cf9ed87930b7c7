// HNSW against exact search: on clustered unit vectors its top 10 hold at least 95 % of the
// exact top 10 (the paper's regime: M 16, ef 64), every stored vector finds itself first,
// results come best first, and bad shapes or arguments are named errors.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { HnswIndex } from "../../../src/text/retrieval/hnsw.js";

function clustered(n: number, dim: number, clusters: number, seed: number): Float32Array {
  const rng = new fl.data.Random(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.nextFloat())) * Math.cos(2 * Math.PI * rng.nextFloat());
  const centres = Array.from({ length: clusters }, () => Array.from({ length: dim }, gauss));
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = centres[rng.int(clusters)]!;
    let norm = 0;
    for (let k = 0; k < dim; k++) {
      const v = c[k]! + 0.6 * gauss();
      out[i * dim + k] = v;
      norm += v * v;
    }
    for (let k = 0; k < dim; k++) out[i * dim + k]! /= Math.sqrt(norm);
  }
  return out;
}

const exactTop = (x: Float32Array, dim: number, q: Float32Array, k: number): number[] => {
  const n = x.length / dim;
  const s = Array.from({ length: n }, (_, i) => {
    let d = 0;
    for (let j = 0; j < dim; j++) d += x[i * dim + j]! * q[j]!;
    return d;
  });
  return s
    .map((v, i) => [v, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, k)
    .map((p) => p[1]);
};

test("HNSW: recall@10 against exact search on clustered vectors, each vector finds itself, best first", () => {
  const dim = 24;
  const x = clustered(1500, dim, 20, 1);
  const index = new HnswIndex(x, dim, { m: 16, efConstruction: 100, seed: 0 });
  assert.equal(index.size, 1500);
  let hit = 0;
  for (let q = 0; q < 100; q++) {
    const query = clustered(1, dim, 20, 100 + q);
    const truth = new Set(exactTop(x, dim, query, 10));
    const r = index.search(query, 10, 64);
    assert.equal(r.ids.length, 10);
    for (let i = 1; i < 10; i++) assert.ok(r.scores[i - 1]! >= r.scores[i]!, "best first");
    hit += r.ids.filter((id) => truth.has(id)).length;
  }
  assert.ok(hit / 1000 >= 0.95, `recall@10 ${hit / 1000}`);
  for (const i of [0, 777, 1499]) assert.equal(index.search(x.subarray(i * dim, (i + 1) * dim), 1).ids[0], i);
});

test("HNSW: bad shapes and arguments are named errors", () => {
  assert.throws(() => new HnswIndex(new Float32Array(10), 3), /HnswIndex: 10 values are not rows of dim 3/);
  assert.throws(() => new HnswIndex(new Float32Array(6), 3, { m: 1 }), /m must be an integer ≥ 2, got 1/);
  const index = new HnswIndex(Float32Array.from([1, 0, 0, 1]), 2);
  assert.throws(() => index.search(new Float32Array(3), 1), /the query has 3 values, the index 2/);
  assert.throws(() => index.search(Float32Array.from([1, 0]), 0), /k must be a positive integer, got 0/);
  assert.deepEqual(index.search(Float32Array.from([0.1, 1]), 2).ids, [1, 0]);
  assert.throws(() => new HnswIndex(new Float32Array(0), 2).search(Float32Array.from([1, 0]), 1), /the index is empty/);
});
