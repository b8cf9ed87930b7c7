// Regularized evolution on a tiny space end to end (seeded: two runs score the same cells the
// same), its mutation (exactly one edge changes), DARTS's derivation rules against collapse
// (skip cap, never zero), the genotype file round trip with errors naming the bad op, and the
// found cell trained as image-classification's "nas-cell" model.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";

const { nas } = fl.learn;
type Genotype = fl.learn.nas.Genotype;

/** The first n Fashion-MNIST test images, standardised (the tests' stand-in for a training subset). */
async function slice(from: number, n: number): Promise<fl.learn.nas.ImageSet> {
  const { images, labels } = await fl.data.fashionMnist({ split: "test" });
  const x = images.narrow(0, from, n).unsqueeze(1).float().div(255).sub(0.29).div(0.35);
  return { x, y: labels.narrow(0, from, n) };
}

/** Edges (node, slot) where two genotypes differ. */
const differences = (a: Genotype, b: Genotype): number =>
  a.nodes.flatMap((ins, k) => ins.map((e, s) => JSON.stringify(e) !== JSON.stringify(b.nodes[k]![s]))).filter(Boolean).length;

test("a tiny regularized evolution end to end: seeded and reproducible, children one mutation from their parents", async () => {
  const [train, val] = [await slice(0, 128), await slice(128, 64)];
  const o = { numClasses: 10, channels: 4, nodes: 2, cells: 1, population: 3, sample: 2, cycles: 6, steps: 3, batchSize: 32, seed: 5 };
  const a = nas.evolutionSearch(train, val, o);
  const b = nas.evolutionSearch(train, val, o);
  assert.equal(a.history.length, 6);
  assert.deepEqual(
    a.history.map((c) => [c.genotype, c.accuracy, c.parent, c.mutation]),
    b.history.map((c) => [c.genotype, c.accuracy, c.parent, c.mutation]),
  );
  for (const [i, c] of a.history.entries()) {
    assert.deepEqual(nas.checkGenotype(c.genotype), c.genotype);
    assert.ok(c.accuracy >= 0 && c.accuracy <= 1);
    if (i < 3) assert.equal(c.parent, undefined);
    else {
      // The parent was alive: among the 3 members before this child.
      assert.ok(c.parent! >= i - 3 && c.parent! < i, `child ${i} of ${c.parent}`);
      const d = differences(c.genotype, a.history[c.parent!]!.genotype);
      // One edge changes; an input moved past the node's other input reorders the pair (two slots).
      assert.ok(d >= 1 && d <= 2, `${c.mutation}: ${d} edges differ`);
    }
  }
  assert.equal(a.accuracy, Math.max(...a.history.map((c) => c.accuracy)));
  assert.throws(() => nas.evolutionSearch(train, val, { ...o, sample: 4 }), /sample \(4\) must be at most the population \(3\)/);
  assert.throws(() => nas.evolutionSearch(train, val, { ...o, cycles: 2 }), /cycles must be an integer ≥ 3, got 2/);
});

test("mutate changes one op or one input; random cells are valid and never use zero", () => {
  let seed = 1;
  const rand = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  for (let i = 0; i < 200; i++) {
    const g = nas.randomGenotype(4, rand);
    nas.checkGenotype(g);
    assert.ok(g.nodes.flat().every(([, op]) => op !== "none"));
    const m = nas.mutate(g, rand);
    nas.checkGenotype(m.genotype);
    const d = differences(m.genotype, g);
    assert.ok(d >= 1 && d <= 2, `${m.mutation}: ${d}`);
    // Only the mutated node changes.
    const k = Number(/^node (\d+)/.exec(m.mutation)![1]);
    g.nodes.forEach((ins, j) => j !== k && assert.deepEqual(m.genotype.nodes[j], ins));
  }
});

test("derive: at most maxSkip skip-connections (the strongest kept, the rest take their best other op), never zero", () => {
  const K = nas.OPS.length;
  const row = (weights: Record<string, number>) => {
    const rest = 1 - Object.values(weights).reduce((a, b) => a + b, 0);
    const free = K - Object.keys(weights).length;
    return nas.OPS.map((op) => weights[op] ?? rest / free);
  };
  // 2 nodes, 5 edges, every chosen edge's best non-zero op a skip.
  const alpha = [
    row({ skip_connect: 0.5, sep_conv_5x5: 0.2 }),
    row({ skip_connect: 0.6, avg_pool_3x3: 0.2 }),
    row({ none: 0.9 }),
    row({ skip_connect: 0.4, sep_conv_3x3: 0.3 }),
    row({ skip_connect: 0.45, max_pool_3x3: 0.25 }),
  ];
  const ops = (g: Genotype) => g.nodes.map((ins) => ins.map(([from, op]) => `${from}:${op}`));
  assert.deepEqual(ops(nas.derive(alpha, 2, { maxSkip: 4 })), [
    ["0:skip_connect", "1:skip_connect"],
    ["1:skip_connect", "2:skip_connect"],
  ]);
  // Default cap 2: the skips of weight 0.6 and 0.5 stay, 0.45 and 0.4 fall back.
  assert.deepEqual(ops(nas.derive(alpha, 2)), [
    ["0:skip_connect", "1:skip_connect"],
    ["1:sep_conv_3x3", "2:max_pool_3x3"],
  ]);
  assert.deepEqual(ops(nas.derive(alpha, 2, { maxSkip: 0 })), [
    ["0:sep_conv_5x5", "1:avg_pool_3x3"],
    ["1:sep_conv_3x3", "2:max_pool_3x3"],
  ]);
  assert.ok(
    nas
      .derive(alpha, 2)
      .nodes.flat()
      .every(([, op]) => op !== "none"),
  );
  assert.throws(() => nas.derive(alpha, 2, { maxSkip: -1 }), /maxSkip must be a non-negative integer, got -1/);
});

test("genotype files: save → load round trip (file, folder, nas.json); a bad op is a FlambeauError naming it and the file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-nas-geno-"));
  const g: Genotype = {
    nodes: [
      [
        [0, "sep_conv_5x5"],
        [1, "max_pool_3x3"],
      ],
      [
        [0, "skip_connect"],
        [2, "sep_conv_3x3"],
      ],
    ],
  };
  await nas.saveGenotype(join(dir, nas.GENOTYPE_FILE), g);
  assert.deepEqual(await nas.loadGenotype(join(dir, nas.GENOTYPE_FILE)), g);
  assert.deepEqual(await nas.loadGenotype(dir), g);
  const nasJson = join(dir, "nas.json");
  writeFileSync(nasJson, JSON.stringify({ method: "evolution", genotype: g }));
  assert.deepEqual(await nas.loadGenotype(nasJson), g);
  const bad = join(dir, "bad.json");
  writeFileSync(
    bad,
    JSON.stringify({
      nodes: [
        [
          [0, "conv_7x7"],
          [1, "skip_connect"],
        ],
      ],
    }),
  );
  await assert.rejects(
    nas.loadGenotype(bad),
    (e: unknown) => e instanceof fl.FlambeauError && e.code === "E_FORMAT" && /op "conv_7x7"/.test(e.message) && e.message.includes(bad),
  );
  writeFileSync(bad, "{nodes");
  await assert.rejects(nas.loadGenotype(bad), /bad\.json is not JSON/);
  writeFileSync(bad, JSON.stringify({ cells: [] }));
  await assert.rejects(nas.loadGenotype(bad), /holds no genotype/);
  await assert.rejects(nas.loadGenotype(join(dir, "missing")), /no genotype at .*missing/);
  await assert.rejects(
    nas.saveGenotype(join(dir, "x.json"), { nodes: [[[0, "none"] as [number, "none"], [1, "skip_connect"]]] }),
    /op "none"/,
  );
});

test("image-classification --model nas-cell --genotype DIR trains the cell and saves it in config.json; a bad genotype fails before training", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-nas-task-"));
  const g: Genotype = {
    nodes: [
      [
        [0, "sep_conv_3x3"],
        [1, "avg_pool_3x3"],
      ],
    ],
  };
  await nas.saveGenotype(join(dir, nas.GENOTYPE_FILE), g);
  const task = fl.tasks.getTask("image-classification");
  const out = join(dir, "model");
  await task.train({
    data: "fashion-mnist",
    out,
    model: "nas-cell",
    genotype: dir,
    width: 4,
    depth: 1,
    limit: 64,
    epochs: 1,
    batchSize: 32,
  });
  const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
  assert.equal(config.architecture, "nas-cell");
  assert.deepEqual(config.hyper.genotype, g);
  assert.equal(config.hyper.width, 4);
  const m = await task.evaluate(out, "fashion-mnist", { limit: 32 });
  assert.equal(m.examples, 32);
  // The same parameter count as the network built directly.
  const net = nas.nasCellNetwork({ inChannels: 1, numClasses: 10, width: 4, depth: 1, genotype: g });
  const module = await task.loadModule!(out);
  assert.equal(module.numParameters(), net.numParameters());
  writeFileSync(
    join(dir, "bad.json"),
    JSON.stringify({
      nodes: [
        [
          [0, "dilated_conv"],
          [1, "skip_connect"],
        ],
      ],
    }),
  );
  await assert.rejects(
    task.train({ data: "fashion-mnist", out: join(dir, "m2"), model: "nas-cell", genotype: join(dir, "bad.json"), limit: 32, epochs: 1 }),
    /genotype node 0 has op "dilated_conv"/,
  );
});
