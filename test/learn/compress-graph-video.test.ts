// `compress` on the classification tasks whose models take more than one tensor of examples:
// node classification (a GCN over the whole karate graph: features and edges), graph
// classification (a GIN over molecule batches) and video classification (clips). Each variant
// loads back through the task's own evaluate; distillation reaches the node and molecule
// trainers, whose teacher runs on its own kind of input (a GIN teaches a fingerprint MLP).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as fl from "flambeau";
import { MOLECULE_ROWS, writeMoleculeCsv } from "../helpers/molecules.js";

const C = fl.learn.compress;
const root = mkdtempSync(join(tmpdir(), "fl-compress-graph-"));
after(() => rmSync(root, { recursive: true, force: true }));
const config = (dir: string) => JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
type TrainArgs<T extends { train: (o: never) => unknown }> = Parameters<T["train"]>[0];

test("node-classification: pruning, int8 and a GCN distilled into an MLP, timed over the whole graph", async () => {
  const task = fl.tasks.getTask("node-classification");
  const base = join(root, "karate");
  await task.train({ data: "karate", out: base, epochs: 40, seed: 0, log: () => {} } as TrainArgs<typeof task>);
  const results = await C.compressModelDir(task, {
    dir: base,
    out: join(root, "karate-cmp"),
    data: "karate",
    prune: [0.5],
    quantize: "int8",
    distillTo: "mlp:hidden=8",
    distillEpochs: 40,
    latency: true,
  });
  assert.deepEqual(
    results.map((r) => r.variant),
    ["baseline", "pruned-50", "int8", "pruned-50+int8", "student-mlp-hidden-8", "student-mlp-hidden-8+int8"],
  );
  for (const r of results) {
    assert.ok(r.value >= 0 && r.value <= 1, `${r.variant}: ${r.metric} ${r.value}`);
    // A node model's input is the whole graph: timed whole, with no single-example time.
    assert.equal(r.latency?.singleMs, null);
    assert.equal(r.latency?.batch, null);
    assert.ok(r.latency!.batchMs > 0);
  }
  assert.ok(results[1]!.nonzero < results[0]!.nonzero);
  assert.deepEqual(config(results[2]!.dir).compression.int8Kernels.layers, ["convs.0.lin", "convs.1.lin"]);
  const student = config(results[4]!.dir);
  assert.equal(student.architecture, "mlp");
  assert.equal(student.hyper.hidden, 8);
  assert.equal(student.compression.distilledFrom.architecture, "gcn");
  assert.match(C.compressionTable(results), /\| — \| [0-9.]+ \(whole input\) \|/);
});

test("node-classification: compress refuses a model over typed relations by name", async () => {
  const task = fl.tasks.getTask("node-classification");
  const dir = join(root, "typed");
  const graph = join(root, "typed-graph");
  mkdirSync(graph);
  const nodes = join(graph, "nodes.csv");
  const edges = join(graph, "edges.csv");
  writeFileSync(nodes, `id,label,f0\n${Array.from({ length: 12 }, (_, i) => `n${i},${i % 2 ? "a" : "b"},${i % 3}`).join("\n")}\n`);
  writeFileSync(
    edges,
    `source,target,relation\n${Array.from({ length: 12 }, (_, i) => `n${i},n${(i + 1) % 12},${i % 2 ? "r" : "s"}`).join("\n")}\n`,
  );
  await task.train({ data: graph, model: "rgcn", out: dir, epochs: 2, seed: 0, log: () => {} } as TrainArgs<typeof task>);
  await assert.rejects(task.loadModule!(dir), /node-classification: .* holds a model over typed relations \(rgcn \/ compgcn\)/);
});

test("graph-classification: a GIN pruned, run in int8 and distilled into the fingerprint MLP", async () => {
  const data = writeMoleculeCsv(root, MOLECULE_ROWS);
  const task = fl.tasks.getTask("graph-classification");
  const base = join(root, "gin");
  await task.train({ data, out: base, epochs: 3, batchSize: 4, seed: 0, log: () => {} } as TrainArgs<typeof task>);
  const results = await C.compressModelDir(task, {
    dir: base,
    out: join(root, "gin-cmp"),
    data,
    prune: [0.5],
    quantize: "int8",
    distillTo: "fp-mlp",
    distillEpochs: 2,
    batchSize: 4,
  });
  assert.deepEqual(
    results.map((r) => r.variant),
    ["baseline", "pruned-50", "int8", "pruned-50+int8", "student-fp-mlp", "student-fp-mlp+int8"],
  );
  assert.equal(results[0]!.metric, "accuracy");
  assert.equal(config(results[4]!.dir).architecture, "fp-mlp");
  assert.equal(config(results[2]!.dir).compression.int8Kernels.kernels, "dynamic");

  const values = writeMoleculeCsv(
    root,
    MOLECULE_ROWS.map(([s], i) => [s, (i * 0.37) % 3] as const),
    "values.csv",
  );
  const reg = fl.tasks.getTask("graph-regression");
  const regDir = join(root, "reg");
  await reg.train({ data: values, out: regDir, epochs: 1, batchSize: 4, seed: 0, log: () => {} } as TrainArgs<typeof reg>);
  await assert.rejects(
    C.compressModelDir(reg, { dir: regDir, out: join(root, "reg-cmp"), data: values, distillTo: "fp-mlp", distillEpochs: 1 }),
    /graph-regression: distillation \(--distill-to\) matches class logits/,
  );
});

test("video-classification: an R(2+1)D net pruned and stored int8 through its loadModule", async () => {
  const task = fl.tasks.getTask("video-classification");
  const base = join(root, "video");
  await task.train({
    data: "clips",
    out: base,
    count: 27,
    frames: 6,
    size: 16,
    width: 4,
    epochs: 1,
    batchSize: 9,
    seed: 0,
    log: () => {},
  } as TrainArgs<typeof task>);
  const results = await C.compressModelDir(task, {
    dir: base,
    out: join(root, "video-cmp"),
    data: "clips",
    prune: [0.5],
    quantize: "int8",
    limit: 9,
  });
  assert.deepEqual(
    results.map((r) => r.variant),
    ["baseline", "pruned-50", "int8", "pruned-50+int8"],
  );
  assert.ok(results[1]!.nonzero < results[0]!.nonzero);
  assert.ok(results[2]!.bytes < results[0]!.bytes, `int8 ${results[2]!.bytes} bytes against ${results[0]!.bytes}`);
});
