// Sampled node classification end to end at a tiny size: R-MAT graph in a store, trained with
// --sampler neighbor (read by offset), evaluated from the saved model; the same store trained
// full-graph; karate in memory with the sampler; and two worker processes on the store.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FlambeauError } from "../../src/core/errors.js";
import { RandomWalkSampler } from "../../src/graph/saint-sampler.js";
import { GraphStore, generateRmat } from "../../src/graph/store/index.js";
import { nodeClassification } from "../../src/graph/tasks/node-classification.js";
import { trainTwoProcessesThenEval } from "../helpers/nproc.js";

const isFl = (re: RegExp) => (e: Error) => e instanceof FlambeauError && re.test(e.message);

test("node-classification --sampler neighbor trains on a graph store and learns its communities", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "flambeau-sampled-"));
  try {
    const store = join(tmp, "rmat");
    generateRmat(store, { scale: 10, edges: 12000, features: 16, seed: 0, split: { train: 0.4, val: 0.2, test: 0.2 } });
    const out = join(tmp, "model");
    const r = await nodeClassification.train({
      data: `store:${store}`,
      out,
      epochs: 6,
      batchSize: 128,
      sampler: "neighbor",
      fanouts: "5,3",
    });
    assert.ok(r.history.epochs.length === 6);
    assert.ok(r.history.epochs[5]!.loss! < r.history.epochs[0]!.loss!, "loss falls");
    const ev = await nodeClassification.evaluate(out, `store:${store}`);
    assert.ok((ev.nodes as number) > 100);
    // 4 communities: chance is 0.25 (the largest class somewhat more).
    assert.ok((ev.accuracy as number) > 0.5, `sampled test accuracy ${ev.accuracy}`);
    // The same store loaded whole (full-graph training) through the same --data.
    const full = await nodeClassification.train({ data: store, out: join(tmp, "full"), epochs: 3 });
    assert.ok(typeof full.metrics.accuracy === "number");
    await assert.rejects(
      nodeClassification.train({ data: `store:${store}`, out, sampler: "neighbor", fanouts: "5,x" }),
      isFl(/--fanouts must be comma-separated positive integers/),
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("node-classification --sampler neighbor on an in-memory graph (karate)", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "flambeau-sampled-"));
  try {
    const r = await nodeClassification.train({
      data: "karate",
      out: join(tmp, "m"),
      epochs: 3,
      batchSize: 1,
      sampler: "neighbor",
      model: "gcn",
    });
    assert.equal(r.history.epochs.length, 3);
    const ev = await nodeClassification.evaluate(join(tmp, "m"), "karate");
    assert.equal(ev.nodes, 32);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("sampled training with 2 worker processes: each rank takes its seeds, gradients all-reduced", () => {
  const tmp = mkdtempSync(join(tmpdir(), "flambeau-sampled-"));
  try {
    const store = join(tmp, "rmat");
    generateRmat(store, { scale: 8, edges: 2000, features: 8, seed: 1, split: { train: 0.5, val: 0.2, test: 0.2 } });
    const r = trainTwoProcessesThenEval(
      "node-classification",
      ["--data", `store:${store}`, "--sampler", "neighbor", "--fanouts", "4,2", "--batch-size", "32", "--epochs", "2"],
      join(tmp, "model"),
      ["--data", `store:${store}`],
    );
    assert.ok((r.eval.nodes as number) > 20);
    assert.ok((r.eval.accuracy as number) >= 0 && (r.eval.accuracy as number) <= 1);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("GraphSAINT random walks: roots first, the subgraph induced on the visited nodes; training with --sampler saint", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "flambeau-sampled-"));
  try {
    const store = join(tmp, "rmat");
    generateRmat(store, { scale: 9, edges: 6000, features: 8, seed: 4, split: { train: 0.4, val: 0.2, test: 0.2 } });
    const s = new GraphStore(store);
    const sub = new RandomWalkSampler(s, { walkLength: 3, seed: 1 }).sample([7, 3, 7, 100]);
    assert.deepEqual(Array.from(sub.nodes.subarray(0, 3)), [7, 3, 100]);
    assert.ok(sub.nodes.length <= 3 + 3 * 4);
    // Every stored edge between two visited nodes, and only those.
    const inSub = new Map(Array.from(sub.nodes, (v, k) => [v, k]));
    const nb = s.neighbors(sub.nodes);
    let induced = 0;
    for (let k = 0; k < sub.nodes.length; k++) for (let j = nb.ptr[k]!; j < nb.ptr[k + 1]!; j++) if (inSub.has(nb.src[j]!)) induced++;
    assert.equal(sub.edgeIndex.shape[1], induced);
    const ei = sub.edgeIndex.data() as BigInt64Array;
    const e = induced;
    for (let k = 0; k < e; k++) {
      const [u, v] = [sub.nodes[Number(ei[k])]!, sub.nodes[Number(ei[e + k])]!];
      const list = s.neighbors([v]).src;
      assert.ok(list.includes(u), `edge ${u} → ${v} is in the graph`);
    }
    s.close();
    const out = join(tmp, "saint");
    const r = await nodeClassification.train({ data: `store:${store}`, out, epochs: 3, batchSize: 64, sampler: "saint", walkLength: 2 });
    assert.equal(r.history.epochs.length, 3);
    const ev = await nodeClassification.evaluate(out, store);
    assert.ok((ev.accuracy as number) > 0.3, `saint test accuracy ${ev.accuracy}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
