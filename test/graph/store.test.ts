// The on-disk graph store: a CSV graph converted in bounded memory has exactly the in-memory
// CSR, a batch reads only its own rows (bytes counted), converter errors name the line, and
// R-MAT graphs written straight to a store are power-law skewed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FlambeauError } from "../../src/core/errors.js";
import { readGraphFile } from "../../src/graph/graph-file.js";
import { incomingCsr, NeighborSampler } from "../../src/graph/sampler.js";
import { convertCsvToStore, GraphStore, generateRmat, loadStoreGraph } from "../../src/graph/store/index.js";
import { FIXTURES } from "../helpers/fixtures.js";

const isFl = (re: RegExp) => (e: Error) => e instanceof FlambeauError && re.test(e.message);

/** A 12-node CSV graph with 3 features, 2 classes, splits and one quoted id. */
function csvGraph(dir: string): void {
  const nodes = ["id,label,split,f0,f1,f2"];
  for (let i = 0; i < 12; i++)
    nodes.push(`${i === 5 ? '"n,5"' : `n${i}`},${i % 2 ? "odd" : "even"},${["train", "val", "test", ""][i % 4]},${i},${i * 0.5},${-i}`);
  const edges = ["source,target"];
  const pairs = [
    [0, 1],
    [1, 2],
    [2, 3],
    [3, 0],
    [0, 4],
    [4, 5],
    [5, 6],
    [6, 7],
    [7, 8],
    [8, 9],
    [9, 10],
    [10, 11],
    [11, 0],
    [0, 6],
    [3, 9],
    [5, 5],
  ];
  const name = (i: number) => (i === 5 ? '"n,5"' : `n${i}`);
  for (const [a, b] of pairs) edges.push(`${name(a!)},${name(b!)}`);
  writeFileSync(join(dir, "nodes.csv"), `${nodes.join("\n")}\n`);
  writeFileSync(join(dir, "edges.csv"), `${edges.join("\r\n")}\r\n`);
}

test("store round trip: the converted CSR, features, labels and splits equal the in-memory graph's", () => {
  const tmp = mkdtempSync(join(tmpdir(), "flambeau-store-"));
  try {
    csvGraph(tmp);
    const g = readGraphFile(tmp);
    const csr = incomingCsr(g.edgeIndex, g.numNodes);
    // 24 bytes per fill window: several passes over edges.csv.
    const meta = convertCsvToStore(tmp, join(tmp, "store"), { fillBytes: 24, rowBatch: 5 });
    assert.equal(meta.numNodes, 12);
    assert.equal(meta.numEdges, g.numEdges);
    assert.deepEqual(meta.classes, ["even", "odd"]);
    const s = new GraphStore(`store:${join(tmp, "store")}`);
    assert.deepEqual(Array.from(s.readAll("indptr") as BigInt64Array, Number), Array.from(csr.ptr));
    assert.deepEqual(Array.from(s.readAll("indices") as Int32Array), Array.from(csr.src));
    assert.deepEqual(Array.from(s.features([11, 5, 0])), [11, 5.5, -11, 5, 2.5, -5, 0, 0, 0]);
    assert.deepEqual(Array.from(s.labels([0, 1, 5])), [0, 1, 1]);
    assert.deepEqual(Array.from(s.splitNodes("train")), [0, 4, 8]);
    assert.deepEqual(Array.from(s.splitNodes("test")), [2, 6, 10]);
    // Neighbour lists in request order, repeated nodes included.
    const nb = s.neighbors([3, 0, 3]);
    const list = (v: number) => Array.from(csr.src.subarray(csr.ptr[v], csr.ptr[v + 1]));
    assert.deepEqual(Array.from(nb.src), [...list(3), ...list(0), ...list(3)]);
    // The whole store as a Graph is the CSV graph.
    const h = loadStoreGraph(join(tmp, "store"));
    assert.deepEqual(Array.from(incomingCsr(h.edgeIndex, h.numNodes).src), Array.from(csr.src));
    assert.deepEqual(Array.from(h.x!.data() as Float32Array), Array.from(g.x!.data() as Float32Array));
    assert.deepEqual(Array.from(h.y!.data() as BigInt64Array), Array.from(g.y!.data() as BigInt64Array));
    // The same seed draws the same neighbourhood from the store as from memory.
    const a = new NeighborSampler(g, [2, 2], { seed: 3 }).sample([0, 7]);
    const b = new NeighborSampler(s, [2, 2], { seed: 3 }).sample([0, 7]);
    assert.deepEqual(b.nodes, a.nodes);
    assert.deepEqual(Array.from(b.edgeIndex.data() as BigInt64Array), Array.from(a.edgeIndex.data() as BigInt64Array));
    s.close();
    // Converting again replaces the store in place and leaves no temporary folders.
    convertCsvToStore(join(tmp, "edges.csv"), join(tmp, "store"));
    assert.deepEqual(readdirSync(tmp).sort(), ["edges.csv", "nodes.csv", "store"]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("store reads are bounded: a batch reads only its rows and neighbour lists, cached lists read nothing", () => {
  const tmp = mkdtempSync(join(tmpdir(), "flambeau-store-"));
  try {
    const dir = join(tmp, "rmat");
    generateRmat(dir, { scale: 10, edges: 8000, features: 16, seed: 1 });
    const s = new GraphStore(dir, { cacheEntries: 1 << 16 });
    s.resetStats();
    const rows = [700, 3, 4, 5, 900, 4];
    const x = s.features(rows);
    assert.equal(x.length, rows.length * 16);
    // Distinct rows 3,4,5 | 700 | 900: three reads, 5 rows × 16 floats × 4 bytes.
    assert.equal(s.bytesRead, 5 * 16 * 4);
    assert.equal(s.reads, 3);
    assert.deepEqual(Array.from(x.subarray(2 * 16, 3 * 16)), Array.from(x.subarray(5 * 16, 6 * 16)), "row 4 twice");
    const ptr = s.readAll("indptr") as BigInt64Array;
    const deg = (v: number) => Number(ptr[v + 1]! - ptr[v]!);
    s.resetStats();
    const nb = s.neighbors([10, 11, 500]);
    // indptr entries (k + 1 per run of k consecutive ids) and the lists themselves.
    assert.equal(s.bytesRead, 3 * 8 + 2 * 8 + 4 * (deg(10) + deg(11) + deg(500)));
    assert.equal(nb.src.length, deg(10) + deg(11) + deg(500));
    s.resetStats();
    s.neighbors([500, 11]);
    assert.equal(s.bytesRead, 0, "lists come from the cache");
    s.resetStats();
    s.labels([1, 2]);
    assert.equal(s.bytesRead, 8);
    assert.throws(() => s.features([1024]), isFl(/node 1024 is outside \[0, 1024\)/));
    s.close();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("converter errors name the file and line; a failed conversion leaves nothing behind", () => {
  const tmp = mkdtempSync(join(tmpdir(), "flambeau-store-"));
  try {
    writeFileSync(join(tmp, "nodes.csv"), "id,label,f0\na,x,1\nb,y,2\nc,x,3\n");
    writeFileSync(join(tmp, "edges.csv"), "source,target\na,b\nb,zz\n");
    const out = join(tmp, "store");
    assert.throws(() => convertCsvToStore(tmp, out), isFl(/edges\.csv:3: edge b → zz names node "zz", which is not in/));
    assert.equal(existsSync(out), false);
    assert.deepEqual(readdirSync(tmp).sort(), ["edges.csv", "nodes.csv"]);
    writeFileSync(join(tmp, "nodes.csv"), "id,label,f0\na,x,1\nb,y,oops\n");
    assert.throws(() => convertCsvToStore(tmp, out), isFl(/nodes\.csv:3: node "b" feature f0 is "oops", not a number/));
    writeFileSync(join(tmp, "nodes.csv"), "id,label,f0\na,x,1\na,y,2\n");
    assert.throws(() => convertCsvToStore(tmp, out), isFl(/nodes\.csv:3: node "a" is listed twice/));
    writeFileSync(join(tmp, "nodes.csv"), "id,label,split,f0\na,x,train,1\nb,y,later,2\n");
    assert.throws(() => convertCsvToStore(tmp, out), isFl(/nodes\.csv:3: node "b" has split "later"/));
    writeFileSync(join(tmp, "nodes.csv"), "id,label,f0\na,x,1\nb,y\n");
    assert.throws(() => convertCsvToStore(tmp, out), isFl(/nodes\.csv:3: 2 fields, the header has 3/));
    assert.throws(() => new GraphStore(join(tmp, "nowhere")), isFl(/is not a graph store/));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("a truncated store file is an error naming the file and the sizes", () => {
  const tmp = mkdtempSync(join(tmpdir(), "flambeau-store-"));
  try {
    generateRmat(join(tmp, "g"), { scale: 6, edges: 200, features: 4 });
    writeFileSync(join(tmp, "g", "labels.i32"), Buffer.alloc(10));
    assert.throws(() => new GraphStore(join(tmp, "g")), isFl(/labels\.i32 has 10 bytes; meta\.json \(64 nodes.*needs 256/));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("R-MAT (a=0.57, b=c=0.19): degrees are skewed and linked nodes share a community more often than chance", () => {
  const tmp = mkdtempSync(join(tmpdir(), "flambeau-store-"));
  try {
    const dir = join(tmp, "rmat");
    const meta = generateRmat(dir, { scale: 12, edges: 60000, classes: 4, seed: 2 });
    assert.equal(meta.numNodes, 4096);
    assert.ok(meta.numEdges > 57000 && meta.numEdges <= 60000, `${meta.numEdges} edges after dropping self-loops`);
    const s = new GraphStore(dir);
    const ptr = Array.from(s.readAll("indptr") as BigInt64Array, Number);
    const deg = ptr.slice(1).map((p, i) => p - ptr[i]!);
    const mean = meta.numEdges / meta.numNodes;
    const sorted = [...deg].sort((a, b) => b - a);
    // A uniform random graph of this density has max degree ≈ 30; R-MAT's hubs are far above.
    assert.ok(sorted[0]! > 20 * mean, `max degree ${sorted[0]} vs mean ${mean.toFixed(1)}`);
    const top = sorted.slice(0, 41).reduce((a, b) => a + b, 0);
    assert.ok(top / meta.numEdges > 0.1, `top 1% of nodes hold ${((100 * top) / meta.numEdges).toFixed(1)}% of edge ends`);
    assert.ok(deg.filter((d) => d === 0).length > 0.1 * meta.numNodes, "many isolated nodes, as R-MAT makes");
    // Homophily: a+d = 0.62 per level, two levels of community bits → ≈ 0.38 vs 0.25 by chance.
    const y = s.labels(Array.from({ length: meta.numNodes }, (_, i) => i));
    const src = s.readAll("indices") as Int32Array;
    let same = 0;
    for (let v = 0; v < meta.numNodes; v++) for (let k = ptr[v]!; k < ptr[v + 1]!; k++) if (y[src[k]!] === y[v]) same++;
    assert.ok(same / meta.numEdges > 0.33, `same-community edge fraction ${(same / meta.numEdges).toFixed(3)}`);
    s.close();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("flambeau data convert writes the store that --data store:DIR reads, and names a missing file", () => {
  const tmp = mkdtempSync(join(tmpdir(), "flambeau-store-cli-"));
  try {
    csvGraph(tmp);
    const bin = join(FIXTURES, "..", "..", "bin", "flambeau.js");
    const r = spawnSync(process.execPath, [bin, "data", "convert", "--data", tmp, "--out", join(tmp, "store"), "--json"], {
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const meta = JSON.parse(r.stdout) as { numNodes: number; classes: string[] };
    assert.equal(meta.numNodes, 12);
    assert.deepEqual(meta.classes, ["even", "odd"]);
    assert.equal(new GraphStore(`store:${join(tmp, "store")}`).meta.numNodes, 12);
    rmSync(join(tmp, "edges.csv"));
    const bad = spawnSync(process.execPath, [bin, "data", "convert", "--data", tmp, "--out", join(tmp, "store2")], { encoding: "utf8" });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /missing .*edges\.csv/);
    assert.ok(!existsSync(join(tmp, "store2")));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
