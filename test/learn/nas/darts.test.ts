// DARTS (first order) end to end on a tiny slice of Fashion-MNIST: the search moves α off the
// uniform mixture and derives a valid cell whose network trains; derive() worked out by hand
// on a made-up α; bad genotypes and options are FlambeauErrors naming what is wrong.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";

const { nas } = fl.learn;

/** The first n Fashion-MNIST test images, standardised, as a search set. */
async function slice(n: number): Promise<fl.learn.nas.ImageSet> {
  const { images, labels } = await fl.data.fashionMnist({ split: "test" });
  const x = images.narrow(0, 0, n).unsqueeze(1).float().div(255).sub(0.29).div(0.35);
  return { x, y: labels.narrow(0, 0, n) };
}

test("derive: per node, the two edges whose strongest non-zero op weighs most, with that op", () => {
  const K = nas.OPS.length;
  const row = (op: string, w: number) => {
    const r = new Array(K).fill((1 - w) / (K - 1));
    r[nas.OPS.indexOf(op as fl.learn.nas.OpName)] = w;
    return r;
  };
  // 2 nodes: edges (node 0: from 0, 1), (node 1: from 0, 1, 2).
  assert.equal(nas.edgeCount(2), 5);
  assert.equal(nas.edgeIndex(1, 2), 4);
  const alpha = [
    row("sep_conv_3x3", 0.5),
    row("max_pool_3x3", 0.3),
    row("none", 0.9), // the zero op is never chosen: this edge's best other op weighs 0.02
    row("skip_connect", 0.4),
    row("sep_conv_5x5", 0.6),
  ];
  assert.deepEqual(nas.derive(alpha, 2).nodes, [
    [
      [0, "sep_conv_3x3"],
      [1, "max_pool_3x3"],
    ],
    [
      [1, "skip_connect"],
      [2, "sep_conv_5x5"],
    ],
  ]);
  assert.throws(() => nas.derive(alpha, 3), /3 nodes have 9 edges, α has 5 rows/);
});

test("checkGenotype: two distinct earlier inputs per node, known non-zero ops", () => {
  const bad: [unknown, RegExp][] = [
    [{ nodes: [] }, /at least one node/],
    [{ nodes: [[[0, "sep_conv_3x3"]]] }, /node 0 needs two inputs/],
    [
      {
        nodes: [
          [
            [0, "sep_conv_3x3"],
            [2, "skip_connect"],
          ],
        ],
      },
      /node 0 takes input 2; it may take 0 to 1/,
    ],
    [
      {
        nodes: [
          [
            [0, "none"],
            [1, "skip_connect"],
          ],
        ],
      },
      /node 0 has op "none"/,
    ],
    [
      {
        nodes: [
          [
            [1, "sep_conv_3x3"],
            [1, "skip_connect"],
          ],
        ],
      },
      /node 0 takes input 1 twice/,
    ],
  ];
  for (const [g, re] of bad)
    assert.throws(
      () => nas.checkGenotype(g as fl.learn.nas.Genotype),
      (e: unknown) => e instanceof fl.FlambeauError && re.test(e.message),
    );
});

test("a tiny DARTS search end to end: α leaves the uniform mixture, the derived cell is valid and its network learns", async () => {
  const data = await slice(256);
  const r = nas.dartsSearch(data, { numClasses: 10, channels: 4, nodes: 2, cells: 1, epochs: 2, batchSize: 32, seed: 1 });
  assert.equal(r.history.length, 2);
  assert.ok(r.history.every((h) => Number.isFinite(h.loss)));
  assert.equal(r.alpha.length, nas.edgeCount(2));
  for (const row of r.alpha) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  const spread = Math.max(...r.alpha.flat()) - Math.min(...r.alpha.flat());
  assert.ok(spread > 1e-3, `α moved: spread ${spread}`);
  assert.deepEqual(nas.checkGenotype(r.genotype), r.genotype);
  assert.equal(r.genotype.nodes.length, 2);
  // The derived network at equal parameter count with small-cnn (width 4), trained a little: better than chance.
  const target = new fl.vision.SmallCNN({ inChannels: 1, numClasses: 10, size: 28, width: 4 }).numParameters();
  const make = (c: number) => new nas.CellNetwork({ inChannels: 1, numClasses: 10, channels: c, cells: 1, genotype: r.genotype });
  const m = nas.matchChannels(make, target);
  assert.ok(Math.abs(m.parameters - target) / target < 0.25, `${m.parameters} vs ${target}`);
  const net = make(4);
  const loss = () =>
    fl.tidy(() =>
      fl.noGrad(() => {
        net.eval();
        const out = net.forward(data.x) as fl.Tensor;
        assert.deepEqual(out.shape, [256, 10]);
        return fl.nn.functional.crossEntropy(out, data.y).item() as number;
      }),
    );
  const before = loss();
  nas.trainClassifier(net, data, { epochs: 3, batchSize: 32, lr: 3e-3, seed: 0 });
  const after = loss();
  assert.ok(after < before, `training loss ${before} → ${after}`);
  assert.throws(() => nas.dartsSearch(data, { numClasses: 10, batchSize: 200 }), /at least 2 × batchSize = 400 images/);
  assert.throws(() => nas.dartsSearch(data, { numClasses: 10, epochs: 0 }), /epochs must be a positive integer, got 0/);
});

test("runNas writes nas.json and genotype.json: the cell and both networks at (nearly) equal parameter counts", async () => {
  for (const method of ["darts", "evolution"] as const) {
    const out = mkdtempSync(join(tmpdir(), "fl-nas-"));
    const r = await nas.runNas({
      data: "fashion-mnist",
      out,
      method,
      searchLimit: 128,
      searchEpochs: 1,
      population: 2,
      sample: 2,
      cycles: 3,
      steps: 2,
      testLimit: 128,
      epochs: 1,
      channels: 4,
      nodes: 2,
      cells: 1,
      width: 4,
      batchSize: 32,
    });
    const saved = JSON.parse(readFileSync(join(out, "nas.json"), "utf8")) as fl.learn.nas.NasReport;
    assert.equal(saved.method, method);
    assert.deepEqual(saved.genotype, r.genotype);
    assert.deepEqual(await nas.loadGenotype(join(out, nas.GENOTYPE_FILE)), r.genotype);
    assert.ok(Math.abs(saved.cell!.parameters - saved.smallCnn!.parameters) / saved.smallCnn!.parameters < 0.25);
    assert.equal(saved.match.channels, saved.cell!.channels);
    assert.ok(saved.cell!.accuracy >= 0 && saved.cell!.accuracy <= 1 && saved.smallCnn!.accuracy >= 0);
    assert.equal(saved.retrain!.testImages, 128);
    if (method === "evolution") {
      assert.equal(saved.search.candidates!.length, 3);
      assert.equal(saved.search.heldOut, 25);
    } else assert.equal(saved.alpha!.length, nas.edgeCount(2));
  }
});

test("DARTS warm-up: α moves from the first epoch without one; a warm-up as long as the search is refused", async () => {
  const data = await slice(128);
  const r = nas.dartsSearch(data, { numClasses: 10, channels: 4, nodes: 1, cells: 1, epochs: 1, batchSize: 32, warmupEpochs: 0, seed: 1 });
  assert.ok(Math.max(...r.alpha.flat()) - Math.min(...r.alpha.flat()) > 0);
  assert.throws(
    () => nas.dartsSearch(data, { numClasses: 10, channels: 4, nodes: 1, cells: 1, epochs: 2, batchSize: 32, warmupEpochs: 2 }),
    /warmupEpochs must be an integer in \[0, epochs − 1 = 1\], got 2/,
  );
});
